/**
 * The session's calls (`session_history`), newest first: when, how long both were in it, how it
 * ended, and who joined, left, lost the connection and rejoined when.
 */
import type { SessionCallLog, SessionRole } from '../../../../shared/session-protocol';
import { h } from '../../ui/dom';
import { capitalize, formatDuration, formatFullDate, formatWhen } from '../../ui/format';
import { summaryWords } from '../../ui/quality-words';
import { endWords, eventWords } from '../session-words';

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export class SessionHistoryView {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly more: HTMLButtonElement;
  private items: SessionCallLog[] = [];

  constructor(
    /** The viewer's role: the quality a row shows is what the viewer's own side saw. */
    private readonly me: SessionRole,
    private readonly memberName: (role: SessionRole) => string,
    onMore: (before: string) => void,
  ) {
    this.list = h('ol', { class: 'session-history-list', 'aria-label': 'Calls in this session' });
    this.more = h(
      'button',
      { type: 'button', class: 'button ghost', 'data-testid': 'session-history-more', hidden: true },
      'Earlier calls',
    );
    this.more.addEventListener('click', () => {
      const last = this.items.at(-1);
      if (last) onMore(last.call_id);
    });
    this.element = h(
      'section',
      { class: 'card session-history', 'data-testid': 'session-history', 'aria-labelledby': 'session-history-title' },
      h('h2', { id: 'session-history-title' }, 'Calls in this session'),
      this.list,
      this.more,
    );
    this.render();
  }

  /** A first page replaces what is shown; a page asked for with `before` adds to it. */
  show(items: SessionCallLog[], next: string | undefined, appended: boolean): void {
    this.items = appended ? [...this.items, ...items.filter((item) => !this.items.some((kept) => kept.call_id === item.call_id))] : items;
    this.more.hidden = next === undefined;
    this.render();
  }

  private render(): void {
    if (this.items.length === 0) {
      this.list.replaceChildren(h('li', { class: 'empty-row muted' }, 'No calls in this session yet.'));
      return;
    }
    this.list.replaceChildren(...this.items.map((item) => this.row(item)));
  }

  private row(item: SessionCallLog): HTMLElement {
    const when = h('time', { datetime: item.started_at, title: formatFullDate(item.started_at) }, formatWhen(item.started_at));
    const kind = item.call_type === 'video' ? 'Video call' : 'Voice call';
    const outcome = item.status === 'ended' ? endWords(item.end_reason) : item.status === 'active' ? 'In progress' : 'Waiting';
    const duration =
      item.status !== 'ended' ? 'now' : item.duration_seconds === null ? 'never both in it' : formatDuration(item.duration_seconds);
    const myQuality = item.quality?.[this.me];
    return h(
      'li',
      {
        class: 'session-history-item',
        'data-testid': 'session-history-item',
        'data-status': item.status,
        'data-end-reason': item.end_reason ?? '',
      },
      h(
        'div',
        { class: 'history-main' },
        h('strong', {}, `${kind} · ${outcome}`),
        h('span', { class: 'history-detail' }, `Started by ${this.memberName(item.started_by)} · ${duration}`),
        myQuality && h('span', { class: 'history-detail', 'data-testid': 'session-history-quality' }, summaryWords(myQuality)),
      ),
      h('span', { class: 'history-time' }, when),
      item.events.length > 0 &&
        h(
          'details',
          { class: 'session-events' },
          h('summary', {}, 'Who joined and left'),
          h(
            'ul',
            {},
            ...item.events.map((event) =>
              h(
                'li',
                {},
                `${timeOfDay.format(new Date(event.at))} ${capitalize(this.memberName(event.member))} ${eventWords(event.event)}`,
              ),
            ),
          ),
        ),
    );
  }
}
