/** The sign-in card: local dev sign-in (name, profile type, id, picture), or how to get here from the platform. */
import { MAX_URL_CHARS } from '../../../../shared/limits';
import { DEFAULT_PROFILE_TYPES, PROFILE_ID_MAX_LENGTH, PROFILE_ID_PATTERN } from '../../../../shared/profile';
import { avatarUrlProblem } from '../avatar-url';
import { h, htmlPattern, type Child } from '../dom';
import { capitalize } from '../format';
import { icon } from '../icons';
import { explainProfileIdFormat } from '../profile-id-format';
import type { DevLogin } from '../session';

export interface SignInProps {
  devLogin: boolean;
  last: DevLogin | undefined;
  /** A reason the previous session ended, shown above the form. */
  notice?: string;
  onSubmit: (login: DevLogin) => Promise<void>;
}

export function renderSignIn({ devLogin, last, notice, onSubmit }: SignInProps): HTMLElement {
  const brand = h('div', { class: 'brand brand-lg' }, h('span', { class: 'brand-mark' }, icon('wave')), h('span', {}, 'Callsignal'));
  if (!devLogin) {
    return signInPage(
      brand,
      h('h1', {}, 'Sign-in required'),
      h('p', { class: 'muted' }, notice ?? 'Open calls from your platform account: it signs you in automatically.'),
    );
  }

  const name = h('input', {
    id: 'login-name',
    'data-testid': 'login-name',
    autocomplete: 'name',
    required: true,
    maxlength: 100,
    placeholder: 'Ada Lovelace',
    value: last?.name ?? '',
  });
  const type = h(
    'select',
    { id: 'login-profile-type', 'data-testid': 'login-profile-type' },
    ...DEFAULT_PROFILE_TYPES.map((t) => h('option', { value: t, selected: t === (last?.profileType ?? 'student') }, capitalize(t))),
  );
  const id = h('input', {
    id: 'login-profile-id',
    'data-testid': 'login-profile-id',
    required: true,
    maxlength: PROFILE_ID_MAX_LENGTH,
    pattern: htmlPattern(PROFILE_ID_PATTERN),
    placeholder: '456',
    value: last?.profileId ?? '',
  });
  const avatarError = h('p', { class: 'form-error', id: 'login-avatar-error', 'data-testid': 'login-avatar-error', hidden: true });
  // Text, not type=url: the browser's own check would accept javascript: and word the rest its own way.
  const avatarInput = h('input', {
    id: 'login-avatar',
    'data-testid': 'login-avatar',
    inputmode: 'url',
    autocomplete: 'photo',
    autocapitalize: 'none',
    spellcheck: 'false',
    maxlength: MAX_URL_CHARS,
    placeholder: 'https://example.com/me.jpg',
    'aria-describedby': 'login-avatar-error',
    value: last?.avatar ?? '',
  });
  const showAvatarProblem = (problem: string | undefined) => {
    avatarError.textContent = problem ?? '';
    avatarError.hidden = problem === undefined;
    if (problem) avatarInput.setAttribute('aria-invalid', 'true');
    else avatarInput.removeAttribute('aria-invalid');
  };
  avatarInput.addEventListener('input', () => {
    if (!avatarError.hidden) showAvatarProblem(avatarUrlProblem(avatarInput.value));
  });
  explainProfileIdFormat(id);
  const error = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'login-error', hidden: true });
  const submit = h('button', { type: 'submit', class: 'button primary wide', 'data-testid': 'login-submit' }, 'Sign in');

  const form = h(
    'form',
    { class: 'stack' },
    h('label', { class: 'field' }, h('span', {}, 'Your name'), name),
    h(
      'div',
      { class: 'row' },
      h('label', { class: 'field' }, h('span', {}, 'Profile type'), type),
      h('label', { class: 'field' }, h('span', {}, 'Profile ID'), id),
    ),
    h('label', { class: 'field' }, h('span', {}, 'Picture address (optional)'), avatarInput),
    avatarError,
    error,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const avatarProblem = avatarUrlProblem(avatarInput.value);
    showAvatarProblem(avatarProblem);
    if (avatarProblem) {
      avatarInput.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    error.hidden = true;
    onSubmit({ name: name.value, profileType: type.value, profileId: id.value, avatar: avatarInput.value.trim() }).catch(
      (failure: unknown) => {
        error.textContent = failure instanceof Error ? failure.message : String(failure);
        error.hidden = false;
        submit.disabled = false;
        submit.textContent = 'Sign in';
      },
    );
  });

  return signInPage(
    brand,
    h('h1', {}, 'Voice and video calls'),
    h('p', { class: 'muted' }, notice ?? 'Sign in as a platform profile to call tutors, students, parents and advertisers.'),
    form,
    h('p', { class: 'fineprint' }, 'Local sign-in for development. On the platform you are signed in automatically.'),
  );
}

function signInPage(...content: Child[]): HTMLElement {
  return h('main', { class: 'signin' }, h('section', { class: 'card signin-card' }, ...content));
}
