/**
 * The tutoring session page (`/?session=…`): the session's call over the whiteboard API's own
 * socket, the video beside the shared board, and the session's call history. Signed in as on the
 * chat calls' page; the session grant comes from the platform or, locally, the dev endpoint.
 */
import { SharedBoard } from '../board/shared-board';
import { BOARD_COLOURS, BoardToolbar, DEFAULT_BOARD_SIZE } from '../board/board-toolbar';
import { h } from '../ui/dom';
import { icon } from '../ui/icons';
import { tokenSource, type AppConfig, type Session } from '../ui/session';
import { ConfirmDialog } from '../ui/views/confirm-dialog';
import type { SessionRole } from '../../../shared/session-protocol';
import { SessionCall } from './session-call';
import { createSessionSocket } from './session-socket';
import { forgetGrant, roleOf, sessionGrant, type SessionLink } from './session-link';
import { otherRole } from './session-phase';
import { roleName } from './session-words';
import { SessionCallPanel } from './views/session-call-panel';
import { SessionHistoryView } from './views/session-history-view';

/** The server writes the history item as the call ends; ask a moment later. */
const HISTORY_DELAY_MS = 600;

export interface SessionPageOptions {
  root: HTMLElement;
  config: AppConfig;
  session: Session;
  link: SessionLink;
  onSignedOut: () => void;
}

export async function startSessionPage({ root, config, session, link, onSignedOut }: SessionPageOptions): Promise<void> {
  document.title = `Session ${link.sessionId} · Callsignal`;
  const me = roleOf(link, session.me);
  const url = config.whiteboard_websocket_url;
  if (!me || !url) {
    root.replaceChildren(
      notice(
        me ? 'Session calls are not available' : 'This session is not yours',
        me
          ? 'This deployment has no whiteboard connection.'
          : `You are signed in as ${session.me.name}, who is neither the tutor nor the student of this session.`,
        onSignedOut,
      ),
    );
    return;
  }

  const token = tokenSource(session);
  let grant: string;
  try {
    grant = await sessionGrant(link, token, config.devLogin);
  } catch (error) {
    root.replaceChildren(notice('Cannot open this session', error instanceof Error ? error.message : String(error), onSignedOut));
    return;
  }

  const socket = createSessionSocket({ url, token });

  const call = new SessionCall({ sessionId: link.sessionId, grant, me, socket, iceServers: config.iceServers, memory: sessionStorage });
  new SessionScreen(root, {
    link,
    me,
    session,
    call,
    onSignOut: () => {
      call.close();
      socket.close();
      onSignedOut();
    },
  });
  socket.connect();
}

interface SessionScreenProps {
  link: SessionLink;
  me: SessionRole;
  session: Session;
  call: SessionCall;
  onSignOut: () => void;
}

class SessionScreen {
  private readonly board: SharedBoard;
  private readonly confirm = new ConfirmDialog();
  private readonly alert = h('p', { class: 'session-alert', role: 'alert', 'data-testid': 'session-alert', hidden: true });
  private names: Partial<Record<SessionRole, string>> = {};
  private historyTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    root: HTMLElement,
    private readonly props: SessionScreenProps,
  ) {
    const { call, me, link, session } = props;
    this.names[me] = session.me.name;
    this.board = new SharedBoard(me, BOARD_COLOURS[1].value, DEFAULT_BOARD_SIZE);
    const toolbar = new BoardToolbar({
      board: this.board,
      confirmClear: (clear, asker) =>
        this.confirm.ask(
          {
            title: 'Clear the board?',
            body: 'This wipes everything on it, for both of you.',
            confirmLabel: 'Clear board',
            onConfirm: clear,
          },
          asker,
        ),
    });
    const panel = new SessionCallPanel(call, () => this.nameOf(otherRole(me)), {
      onJoin: () => void call.join('video').catch((error: unknown) => this.showAlert(error)),
      onLeave: () => call.leave(),
      onProblem: (error) => this.showAlert(error),
      onEnd: (asker) =>
        this.confirm.ask(
          {
            title: 'End the call for both?',
            body: `The call ends for you and ${this.nameOf(otherRole(me))}.`,
            confirmLabel: 'End call',
            onConfirm: () => call.end(),
          },
          asker,
        ),
    });
    const history = new SessionHistoryView(
      call.me,
      (role) => this.nameOf(role),
      (before) => call.requestHistory(before),
    );
    const boardState = h('p', { class: 'visually-hidden', 'aria-live': 'polite', 'data-testid': 'board-state' });

    const boardCard = h(
      'section',
      { class: 'card board-card', 'aria-labelledby': 'board-title' },
      h(
        'div',
        { class: 'board-head' },
        h('h2', { id: 'board-title' }, 'Whiteboard'),
        h('span', { class: 'muted board-hint' }, 'Draw with a mouse, pen or finger'),
      ),
      toolbar.element,
      h('div', { class: 'board-paper' }, this.board.canvas.element),
      boardState,
    );
    toolbar.listenForUndo(boardCard);

    root.replaceChildren(
      h(
        'div',
        { class: 'app session-app', 'data-testid': 'session-screen', 'data-role': me },
        h(
          'header',
          { class: 'topbar' },
          h('div', { class: 'brand' }, h('span', { class: 'brand-mark' }, icon('wave')), h('span', {}, 'Callsignal')),
          h(
            'div',
            { class: 'me' },
            h(
              'div',
              { class: 'me-text' },
              h('strong', { 'data-testid': 'me-name' }, session.me.name),
              h('span', { class: 'muted' }, `${me === 'tutor' ? 'Tutor' : 'Student'} · session ${link.sessionId}`),
            ),
            h(
              'button',
              { class: 'icon-button', title: 'Sign out', 'aria-label': 'Sign out', 'data-testid': 'sign-out', onclick: props.onSignOut },
              icon('signOut'),
            ),
          ),
        ),
        h(
          'main',
          { class: 'session-main' },
          h('h1', { class: 'visually-hidden' }, `Tutoring session ${link.sessionId}`),
          this.alert,
          h('div', { class: 'session-side' }, panel.element, history.element),
          boardCard,
        ),
        this.confirm.element,
      ),
    );

    call.on('board', (channel) => this.board.attach(channel));
    this.board.on('changed', () => this.describeBoard(boardState));
    this.board.on('synced', () => this.board.canvas.element.setAttribute('data-synced', 'true'));
    this.board.on('full', () => this.showAlert(new Error('The board is full: clear it to draw more.')));
    this.describeBoard(boardState);
    call.on('history', ({ items, next }) => history.show(items, next, false));
    call.on('error', (error) => {
      if (error.serverCode === 'forbidden') forgetGrant(link.sessionId);
      this.showAlert(error);
    });
    let lastStatus: string | undefined;
    call.on('changed', () => {
      const status = call.view === null ? 'none' : call.view?.status;
      if (status !== lastStatus) {
        lastStatus = status;
        if (status === 'ended' || status === 'none' || status === 'active') this.refreshHistory(HISTORY_DELAY_MS);
      }
    });
    this.refreshHistory(0);
  }

  private nameOf(role: SessionRole): string {
    if (role !== this.props.me && this.props.call.peerName) return this.props.call.peerName;
    return this.names[role] ?? roleName(role);
  }

  private describeBoard(element: HTMLElement): void {
    const strokes = this.board.model.strokes;
    const mine = strokes.filter((stroke) => stroke.author === this.props.me).length;
    const canvas = this.board.canvas.element;
    canvas.dataset.strokes = String(strokes.length);
    element.textContent = `The board has ${strokes.length} strokes: ${mine} by you, ${strokes.length - mine} by ${this.nameOf(otherRole(this.props.me))}.`;
  }

  private refreshHistory(delayMs: number): void {
    clearTimeout(this.historyTimer);
    this.historyTimer = setTimeout(() => this.props.call.requestHistory(), delayMs);
  }

  private showAlert(error: unknown): void {
    this.alert.textContent = error instanceof Error ? error.message : String(error);
    this.alert.hidden = false;
    setTimeout(() => {
      this.alert.hidden = true;
    }, 8_000);
  }
}

function notice(title: string, body: string, onSignedOut: () => void): HTMLElement {
  return h(
    'main',
    { class: 'signin' },
    h(
      'section',
      { class: 'card signin-card' },
      h('h1', {}, title),
      h('p', { class: 'muted' }, body),
      h('button', { type: 'button', class: 'button primary wide', onclick: onSignedOut }, 'Sign in as someone else'),
    ),
  );
}
