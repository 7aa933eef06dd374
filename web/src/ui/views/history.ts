/** Recent calls: direction, peer, type, outcome, duration, time; missed calls stand out; call back; block or unblock. */
import type { CallLog } from '../../../../shared/protocol';
import { profileKey, sameProfile, type ProfileRef } from '../../../../shared/profile';
import { profileRefOf, type CallType } from '../../client';
import { avatar } from '../avatar';
import { h, keepingFocus } from '../dom';
import { capitalize, displayName, formatDuration, formatFullDate, formatWhen } from '../format';
import { icon } from '../icons';
import type { KnownNames } from '../known-names';
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
  missed: boolean;
  summary: string;
}

export class HistoryView {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly more: HTMLButtonElement;
  private items: CallLog[] = [];
  private online = new Set<string>();
  private blocked = new Set<string>();
  private inCall = false;

  constructor(private readonly props: HistoryProps) {
    this.list = h('ul', { class: 'history-list', 'data-testid': 'call-history', 'aria-label': 'Recent calls' });
    this.more = h('button', { class: 'button ghost wide', hidden: true, onclick: () => props.onMore() }, 'Show older calls');
    this.element = h('section', { class: 'card history' }, h('h2', {}, 'Recent calls'), this.list, this.more);
    this.render();
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
    const direction = row.missed ? 'missed' : row.outgoing ? 'outgoing' : 'incoming';
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
          onclick: () => this.props.onCallBack({ ...row.peer, name: row.peerName }, type),
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
        class: `history-item${row.missed ? ' missed' : ''}`,
        'data-testid': 'call-history-item',
        'data-status': row.log.status,
        'data-direction': row.outgoing ? 'outgoing' : 'incoming',
        'data-call-type': row.log.call_type,
        'data-missed': row.missed,
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
          row.summary,
        ),
      ),
      h(
        'time',
        { class: 'history-time muted', datetime: row.log.started_at, title: formatFullDate(row.log.started_at) },
        formatWhen(row.log.started_at),
      ),
      h('div', { class: 'history-actions' }, callBack('voice'), callBack('video'), blockButton),
    );
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
    const missed = !outgoing && (log.status === 'missed' || (log.status === 'declined' && log.end_reason === 'timeout'));
    return { log, outgoing, peer, peerName, knownName: knownName ?? undefined, missed, summary: summarize(log, outgoing, missed) };
  }
}

function summarize(log: CallLog, outgoing: boolean, missed: boolean): string {
  const kind = `${capitalize(log.call_type)} call`;
  if (missed) return `Missed ${log.call_type} call`;
  switch (log.status) {
    case 'ended':
    case 'answered':
      return `${outgoing ? 'Outgoing' : 'Incoming'} ${log.call_type} · ${log.status === 'answered' ? 'in progress' : formatDuration(log.duration_seconds ?? 0)}`;
    case 'declined':
      if (!outgoing) return `${kind} · declined`;
      return `${kind} · ${log.end_reason === 'offline' ? 'unavailable' : log.end_reason === 'busy' ? 'busy' : 'declined'}`;
    case 'missed':
      return `${kind} · ${log.end_reason === 'cancelled' ? 'cancelled' : 'no answer'}`;
    case 'initiated':
      return `${kind} · ringing`;
  }
}
