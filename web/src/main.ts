/** Entry point of the page: config, session, then either the sign-in card or the app. */
import { readSessionLink, takeFragmentGrant } from './session/session-link';
import { App } from './ui/app';
import { renderSignIn } from './ui/views/sign-in';
import { devSignIn, forgetSession, lastDevLogin, loadConfig, restoreSession, type AppConfig, type Session } from './ui/session';

async function boot(): Promise<void> {
  const root = document.getElementById('app');
  if (!root) throw new Error('missing #app');
  const config = await loadConfig();
  // `?session=…`: a tutoring session's page (its call, the whiteboard, its history) instead of the chat calls.
  const sessionLink = readSessionLink(new URL(location.href));
  if (sessionLink) takeFragmentGrant(sessionLink.sessionId);

  const showSignIn = (notice?: string): void => {
    document.title = 'Sign in · Callsignal';
    root.replaceChildren(
      renderSignIn({
        devLogin: config.devLogin,
        last: lastDevLogin(),
        ...(notice ? { notice } : {}),
        onSubmit: async (login) => startApp(await devSignIn(login)),
      }),
    );
    root.querySelector<HTMLInputElement>('input:not([value]), input[value=""]')?.focus();
  };

  const startApp = (session: Session): void => {
    if (sessionLink) {
      // Loaded only here: the chat calls' page never downloads the session page and its board.
      void import('./session/session-page').then(({ startSessionPage }) =>
        startSessionPage({
          root,
          config,
          session,
          link: sessionLink,
          onSignedOut: () => {
            forgetSession();
            showSignIn();
          },
        }),
      );
      return;
    }
    document.title = 'Callsignal';
    new App(root, config satisfies AppConfig, session, (notice) => {
      forgetSession();
      showSignIn(notice);
    }).start();
  };

  const session = restoreSession();
  if (session) startApp(session);
  else showSignIn();
}

void boot();
