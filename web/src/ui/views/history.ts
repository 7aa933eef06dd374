/**
 * Recent calls: direction, peer, type, what happened (from my side), duration, time; missed calls
 * stand out and are counted until seen; call back; block or unblock.
 */
import type { CallLog } from '../../../../shared/protocol';
import { profileKey, sameProfile, type ProfileRef } from '../../../../shared/profile';
import { profileRefOf, type CallType } from '../../client';
import { avatar } from '../avatar';
import { h, keepingFocus } from '../dom';
import { capitalize, displayName, formatFullDate, formatWhen } from '../format';
import { describeHistoryEntry, type HistoryEntry } from '../history-outcome';
import { icon } from '../icons';
import type { KnownNames } from '../known-names';
import type { MissedCall } from '../missed-calls';
import { historyQualityWords } from '../quality-words';
import type { Me } from '../session';

export interface HistoryProps {
  me: Me;
  names: KnownNames;
  onCallBack: (to: ProfileRef & { name?: string }, type: CallType) => void;
  /** Asks first, then blocks; `button` gets the focus back if the question is dismissed. */
  onBlock: (profile: ProfileRef & { name?: string }, button: HTMLElement) => void;
  onUnblock: (profile: ProfileRef & { name?: string }) => void;
  onMore: () => void;
}

interface Row {
  log: CallLog;
  outgoing: boolean;
  peer: ProfileRef;
  peerName: string;
  /** The peer's real name, when anyone told us (`peerName` falls back to "Tutor 42"). */
  knownName: string | undefined;
  entry: HistoryEntry;
}

export class HistoryView {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly more: HTMLButtonElement;
  private readonly missedBadge: HTMLElement;
  private readonly missedBadgeCount = h('span', { 'aria-hidden': 'true' });
  // Read out, not shown: the number alone is what the eye needs.
  private readonly missedBadgeLabel = h('span', { class: 'visually-hidden' });
  private items: CallLog[] = [];
  private online = new Set<string>();
  private blocked = new Set<string>();
  private inCall = false;

  constructor(private readonly props: HistoryProps) {
    this.list = h('ul', { class: 'history-list', 'data-testid': 'call-history', 'aria-label': 'Recent calls' });
    this.more = h('button', { class: 'button ghost wide', hidden: true, onclick: () => props.onMore() }, 'Show older calls');
    this.missedBadge = h(
      'span',
      { class: 'missed-badge', 'data-testid': 'missed-calls-badge', 'data-count': '0', hidden: true },
      this.missedBadgeCount,
      this.missedBadgeLabel,
    );
    this.element = h('section', { class: 'card history' }, h('h2', {}, 'Recent calls', this.missedBadge), this.list, this.more);
    this.render();
  }

  /** Missed calls not looked at yet. */
  setMissedCount(count: number): void {
    this.missedBadge.dataset.count = String(count);
    this.missedBadge.hidden = count === 0;
    this.missedBadgeCount.textContent = String(count);
    this.missedBadgeLabel.textContent = count === 1 ? '1 missed call' : `${count} missed calls`;
  }

  /** The missed calls among the loaded ones. */
  missedCalls(): MissedCall[] {
    return this.items
      .map((item) => ({ item, row: this.row(item) }))
      .filter(({ row }) => row.entry.missed)
      .map(({ item }) => ({ startedAt: item.started_at }));
  }

  /** Whether the list is in the viewport (the page may be scrolled, or an overlay may cover it: the caller knows). */
  isOnScreen(): boolean {
    const box = this.list.getBoundingClientRect();
    return box.height > 0 && box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth;
  }

  setItems(items: CallLog[], hasMore: boolean): void {
    this.items = items;
    this.more.hidden = !hasMore;
    this.render();
  }

  setOnline(online: Set<string>): void {
    this.online = online;
    this.render();
  }

  /** Profile keys of the profiles I blocked. */
  setBlocked(blocked: Set<string>): void {
    this.blocked = blocked;
    this.render();
  }

  setInCall(inCall: boolean): void {
    this.inCall = inCall;
    this.render();
  }

  /** Profiles whose presence is worth showing. */
  peers(): ProfileRef[] {
    const seen = new Map<string, ProfileRef>();
    for (const item of this.items) {
      const row = this.row(item);
      seen.set(profileKey(row.peer.profile_type, row.peer.profile_id), row.peer);
    }
    return [...seen.values()];
  }

  private render(): void {
    keepingFocus(this.list, () => this.renderList());
  }

  private renderList(): void {
    if (this.items.length === 0) {
      this.list.replaceChildren(
        h(
          'li',
          { class: 'empty' },
          h('span', { class: 'empty-icon' }, icon('history')),
          h('strong', {}, 'No calls yet'),
          h('span', { class: 'muted' }, 'Calls you make and receive will show up here.'),
        ),
      );
      return;
    }
    this.list.replaceChildren(...this.items.map((item) => this.renderRow(this.row(item))));
  }

  private renderRow(row: Row): HTMLElement {
    const key = profileKey(row.peer.profile_type, row.peer.profile_id);
    const online = this.online.has(key);
    const blocked = this.blocked.has(key);
    const profile = { ...row.peer, ...(row.knownName ? { name: row.knownName } : {}) };
    const { missed, outcome, summary } = row.entry;
    const direction = missed ? 'missed' : row.outgoing ? 'outgoing' : 'incoming';
    const callBack = (type: CallType) =>
      h(
        'button',
        {
          class: 'icon-button',
          title: `${capitalize(type)} call ${row.peerName}`,
          'aria-label': `${capitalize(type)} call ${row.peerName}`,
          'data-testid': `call-back-${type}`,
          'data-focus-id': `${key}:call-back-${type}`,
          disabled: this.inCall,
          // The real name only: "Tutor 42" is a label, not something to remember as the name.
          onclick: () => this.props.onCallBack(profile, type),
        },
        icon(type === 'voice' ? 'phone' : 'video'),
      );
    const blockLabel = `${blocked ? 'Unblock' : 'Block'} ${row.peerName}`;
    const blockButton = h(
      'button',
      {
        class: `icon-button${blocked ? ' active' : ''}`,
        title: blockLabel,
        'aria-label': blockLabel,
        'data-testid': blocked ? 'history-unblock' : 'history-block',
        'data-focus-id': `${key}:block`,
        disabled: this.inCall,
        onclick: (event: Event) => {
          if (blocked) this.props.onUnblock(profile);
          else if (event.currentTarget instanceof HTMLElement) this.props.onBlock(profile, event.currentTarget);
        },
      },
      icon('block'),
    );
    return h(
      'li',
      {
        class: `history-item${missed ? ' missed' : ''}`,
        'data-testid': 'call-history-item',
        'data-status': row.log.status,
        'data-outcome': outcome,
        'data-direction': row.outgoing ? 'outgoing' : 'incoming',
        'data-call-type': row.log.call_type,
        'data-missed': missed,
        'data-blocked': blocked,
      },
      h('span', { class: `avatar-wrap${online ? ' online' : ''}`, title: online ? 'Online' : '' }, avatar(row.peerName, key, null, 'md')),
      h(
        'div',
        { class: 'history-main' },
        h(
          'span',
          { class: 'history-name-line' },
          h('strong', { class: 'history-name' }, row.peerName),
          blocked ? h('span', { class: 'tag', 'data-testid': 'blocked-tag' }, 'Blocked') : null,
        ),
        h(
          'span',
          { class: `history-detail direction-${direction}` },
          icon(direction === 'missed' ? 'missed' : direction === 'outgoing' ? 'outgoing' : 'incoming', 'icon icon-sm'),
          summary,
        ),
        this.qualityLine(row),
      ),
      h(
        'time',
        { class: 'history-time muted', datetime: row.log.started_at, title: formatFullDate(row.log.started_at) },
        formatWhen(row.log.started_at),
      ),
      h('div', { class: 'history-actions' }, callBack('voice'), callBack('video'), blockButton),
    );
  }

  /** How the connection was, as my own side reported it at the end of the call. */
  private qualityLine(row: Row): HTMLElement | null {
    const words = historyQualityWords(row.log, row.outgoing);
    return words === undefined ? null : h('span', { class: 'history-quality muted', 'data-testid': 'history-quality' }, words);
  }

  private row(log: CallLog): Row {
    const { me } = this.props;
    const caller: ProfileRef = { profile_type: log.caller_profile_type, profile_id: log.caller_profile_id };
    const callee: ProfileRef = { profile_type: log.callee_profile_type, profile_id: log.callee_profile_id };
    const outgoing = sameProfile(caller, profileRefOf(me));
    const peer = outgoing ? callee : caller;
    const named = log.participants.find((participant) => sameProfile(participant, peer));
    if (named?.name) this.props.names.remember(peer.profile_type, peer.profile_id, named.name);
    const knownName = named?.name ?? this.props.names.get(peer.profile_type, peer.profile_id);
    const peerName = displayName(knownName, peer.profile_type, peer.profile_id);
    return { log, outgoing, peer, peerName, knownName: knownName ?? undefined, entry: describeHistoryEntry(log, outgoing, peerName) };
  }
}
