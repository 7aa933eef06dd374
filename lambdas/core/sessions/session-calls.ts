/**
 * The whiteboard session call core's entry points, one per message (and one for a closed socket,
 * one for the sweeper): each checks who asks, plans a rule of `rules.ts`, writes it guarded by the
 * version it read (read again and planned again when another write won), and announces it to both
 * members' whiteboard sockets once its write won. Lines are the chat calls' (`../lines.ts`): a
 * joined member holds its profile's line, so the two call systems are busy for each other.
 */
import { profileKey, type ProfileKey } from '../../../shared/profile';
import type { RoutingDecision, Outcome } from '../../../shared/routing-line';
import type { SessionClientMessageOf, SessionRole, SessionServerMessage } from '../../../shared/session-protocol';
import { WHITEBOARD_LINE_SYSTEM } from '../../../shared/tables';
import type { SessionGrant, SessionGrantCheck } from '../../auth/session-grant';
import { ProtocolError } from '../errors';
import type { LineClaims } from '../lines';
import type { Delivery, Messenger } from '../messenger';
import type { CallStore, Clock, Sender } from '../model';
import { idKindOf } from '../rules';
import type { SessionCallRecord, SessionSettings, SessionStore } from './model';
import { drop, end, isOpen, isPresent, join, leave, logOf, openCall, otherRole, roleOf, timerDue, viewOf } from './rules';

export interface SessionCallDeps {
  sessions: SessionStore;
  /** The chat calls' store: only its lines are used here. */
  lineStore: Pick<CallStore, 'getLine' | 'releaseLine'>;
  lines: LineClaims;
  messenger: Messenger;
  settings: SessionSettings;
  clock: Clock;
  newCallId: () => string;
  verifyGrant: (grant: string) => Promise<SessionGrantCheck>;
  sleep?: (ms: number) => Promise<void>;
}

const MAX_ATTEMPTS = 5;
/** Another join is writing the call the session's pointer names: look again this much later. */
const BEING_WRITTEN_WAIT_MS = 50;
/** A pointer still naming no call after this many looks was left by a join that died: it is cleared. */
const ORPHANED_POINTER_LOOKS = 10;
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One refusal for every way a grant fails: an outsider learns nothing (no call id, no member). */
const notAMember = (): ProtocolError => new ProtocolError('forbidden', 'This session grant does not let you into this session');
const notInCall = (callId: string): ProtocolError => new ProtocolError('not_a_participant', 'You are not in this session call', callId);

export interface SweepOutcome {
  decisions: RoutingDecision[];
  failures: unknown[];
}

export class SessionCalls {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: SessionCallDeps) {
    this.sleep = deps.sleep ?? defaultSleep;
  }

  /** `session_state`: the session's open call, or none. */
  async state(sender: Sender, message: SessionClientMessageOf<'session_state'>): Promise<RoutingDecision[]> {
    await this.requireMember(sender, message.session_id, message.session_grant);
    const call = await this.openCall(message.session_id);
    const delivery = await this.deps.messenger.reply(sender.connectionId, this.callMessage(message.session_id, call));
    return [this.decision(call, message.session_id, sender.key, null, 'replied', null, delivery)];
  }

  /** `session_join`: opens the session's call or joins the open one; both members' whiteboard sockets hear it. */
  async join(sender: Sender, message: SessionClientMessageOf<'session_join'>): Promise<RoutingDecision[]> {
    const { grant, role } = await this.requireMember(sender, message.session_id, message.session_grant);
    const { clock, sessions, settings } = this.deps;
    const joiner = { role, socket: sender.connectionId, name: sender.identity.name, avatar: sender.identity.avatar };
    let claimed: string | undefined;
    let pointerWithoutCall = 0;
    for (let attempt = 0; attempt < MAX_ATTEMPTS + ORPHANED_POINTER_LOOKS; attempt++) {
      const pointed = await sessions.openCallOf(grant.sessionId);
      const current = pointed === undefined ? undefined : await sessions.getCall(pointed);
      if (pointed !== undefined && current === undefined) {
        if (++pointerWithoutCall >= ORPHANED_POINTER_LOOKS) await sessions.clearSession(grant.sessionId, pointed);
        else await this.sleep(BEING_WRITTEN_WAIT_MS); // the joiner that set the pointer is writing the call
        continue;
      }
      if (current && !isOpen(current)) {
        // Ended, but its pointer outlived it (its clearing failed): the next call replaces it.
        await sessions.clearSession(grant.sessionId, current.call_id);
        continue;
      }
      const callId = current?.call_id ?? this.deps.newCallId();
      if (claimed !== undefined && claimed !== callId) await this.deps.lines.release({ profileKey: sender.key, callId: claimed });
      await this.claimLine(sender.key, callId);
      claimed = callId;
      const now = clock.now();
      if (!current) {
        if (!(await sessions.pointSession(grant.sessionId, callId))) continue; // the other member opened it first: join that one
        const opened = openCall(
          {
            callId,
            sessionId: grant.sessionId,
            callType: message.call_type,
            tutor: member(grant.tutor),
            student: member(grant.student),
            windowEndsAt: grant.windowEndsAt,
            joiner,
          },
          now,
          settings,
        );
        await sessions.createCall(opened);
        return this.joined(sender, opened, 'ringing');
      }
      const next = join(current, joiner, now, settings);
      if (await sessions.replaceCall(next, current.version)) {
        const outcome: Outcome = next.status === 'active' ? 'answered' : 'joined';
        return this.joined(sender, next, current[role].ever_joined ? 'resumed' : outcome);
      }
    }
    // Not joined after all: a line held for a call the member is not in would make it busy for nothing.
    if (claimed !== undefined) await this.deps.lines.release({ profileKey: sender.key, callId: claimed });
    throw new ProtocolError('internal', 'The session call kept changing; please retry');
  }

  /** `session_signal`: forwarded unchanged to the other member's joined socket. */
  async signal(sender: Sender, message: SessionClientMessageOf<'session_signal'>): Promise<RoutingDecision[]> {
    const call = await this.deps.sessions.getCall(message.call_id);
    const role = call && roleOf(call, sender.key);
    if (!call || !role || !isOpen(call) || call[role].socket !== sender.connectionId) throw notInCall(message.call_id);
    const other = call[otherRole(role)];
    if (other.socket === null) return [this.decision(call, call.session_id, sender.key, other.key, 'ignored', 'peer_absent')];
    const { identity } = sender;
    const forwarded: SessionServerMessage = {
      type: 'session_signal',
      call_id: call.call_id,
      session_id: call.session_id,
      generation: Math.max(1, call.generation),
      from_role: role,
      from_profile_id: identity.profileId,
      from_profile_type: identity.profileType,
      from_name: identity.name,
      from_avatar: identity.avatar,
      ...(message.description ? { description: message.description } : {}),
      ...(message.candidates ? { candidates: message.candidates } : {}),
      sent_at: this.deps.clock.now().toISOString(),
    };
    const delivery = await this.deps.messenger.send([other.socket], forwarded);
    return [this.decision(call, call.session_id, sender.key, other.key, 'forwarded', null, delivery)];
  }

  /** `session_leave`: this member leaves; the call stays open for the other (or ends, when nobody is left). */
  async leave(sender: Sender, message: SessionClientMessageOf<'session_leave'>): Promise<RoutingDecision[]> {
    const known = await this.memberCall(sender, message.call_id);
    const now = this.deps.clock.now();
    const changed = await this.change(message.call_id, (call) => {
      const role = roleOf(call, sender.key);
      if (!role) throw notInCall(message.call_id);
      return leave(call, role, now, this.deps.settings);
    });
    // A member that was not present (left already, or the call is over): nothing to do, nothing to say.
    if (!changed) return [this.decision(known, known.session_id, sender.key, null, 'ignored', 'not_present')];
    const { call, delivery } = changed;
    return [this.decision(call, call.session_id, sender.key, null, call.status === 'ended' ? 'ended' : 'left', call.end_reason, delivery)];
  }

  /** `session_end`: ends the call for both members. */
  async end(sender: Sender, message: SessionClientMessageOf<'session_end'>): Promise<RoutingDecision[]> {
    const known = await this.memberCall(sender, message.call_id);
    const now = this.deps.clock.now();
    const changed = await this.change(message.call_id, (call) => {
      if (!roleOf(call, sender.key)) throw notInCall(message.call_id);
      return isOpen(call) ? end(call, 'ended_by_member', now, this.deps.settings) : undefined;
    });
    if (!changed) return [this.decision(known, known.session_id, sender.key, null, 'ignored', 'already_ended')];
    const { call, delivery } = changed;
    return [this.decision(call, call.session_id, sender.key, null, 'ended', 'ended_by_member', delivery)];
  }

  /** `session_history`: the session's calls, newest first. */
  async history(sender: Sender, message: SessionClientMessageOf<'session_history'>, defaultLimit: number): Promise<RoutingDecision[]> {
    const { grant } = await this.requireMember(sender, message.session_id, message.session_grant);
    const limit = message.limit ?? defaultLimit;
    const page = await this.deps.sessions.callsOfSession(grant.sessionId, limit, message.before);
    const last = page.items.at(-1);
    const delivery = await this.deps.messenger.reply(sender.connectionId, {
      type: 'session_history',
      session_id: grant.sessionId,
      items: page.items.map(logOf),
      ...(page.more && last ? { next: last.call_id } : {}),
    });
    return [{ ...this.decision(undefined, grant.sessionId, sender.key, null, 'replied', null, delivery) }];
  }

  /** A whiteboard socket closed: the member it had joined from is absent (and may rejoin). */
  async socketClosed(connectionId: string): Promise<RoutingDecision[]> {
    const socket = await this.deps.sessions.takeWhiteboardSocket(connectionId);
    if (!socket?.callId) return [];
    const now = this.deps.clock.now();
    const changed = await this.change(socket.callId, (call) => {
      const role = roleOf(call, socket.profileKey);
      return role ? drop(call, role, connectionId, now, this.deps.settings) : undefined;
    });
    if (!changed) return [];
    return [this.decision(changed.call, changed.call.session_id, socket.profileKey, null, 'dropped', 'socket_closed', changed.delivery)];
  }

  /** The sweeper: ends the calls whose window closed, whose wait ran out, or that everyone left past the grace. */
  async sweep(pageSize: number, hasTimeLeft: () => boolean): Promise<SweepOutcome> {
    const outcome: SweepOutcome = { decisions: [], failures: [] };
    const now = this.deps.clock.now();
    const due = await this.deps.sessions.dueCalls(now.toISOString(), pageSize);
    for (const callId of due) {
      if (!hasTimeLeft()) break;
      try {
        const changed = await this.change(callId, (call) => timerDue(call, now, this.deps.settings));
        if (changed && changed.call.status === 'ended') {
          const { call, delivery } = changed;
          outcome.decisions.push(this.decision(call, call.session_id, null, null, 'ended', call.end_reason, delivery));
        }
      } catch (error) {
        outcome.failures.push(error);
      }
    }
    return outcome;
  }

  // --- carrying the rules out -----------------------------------------------------------------

  /**
   * Plans `rule` for the call as stored and writes it guarded by its version; a lost write is read
   * and planned again. Undefined: no such call, or the rule had nothing to change.
   */
  private async change(
    callId: string,
    rule: (call: SessionCallRecord) => SessionCallRecord | undefined,
  ): Promise<{ call: SessionCallRecord; delivery: Delivery } | undefined> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.deps.sessions.getCall(callId);
      if (!current) return undefined;
      const next = rule(current);
      if (!next) return undefined;
      if (!(await this.deps.sessions.replaceCall(next, current.version))) continue;
      await this.afterWrite(current, next);
      return { call: next, delivery: await this.announce(next) };
    }
    throw new ProtocolError('internal', 'The session call kept changing; please retry');
  }

  /** A member no longer present frees its line; an ended call frees the session for its next call. */
  private async afterWrite(before: SessionCallRecord, after: SessionCallRecord): Promise<void> {
    const freed = (['tutor', 'student'] as const).filter((role) => isPresent(before[role]) && !isPresent(after[role]));
    // The write won: its news must go out even if a release fails (a line left behind is judged stale later).
    await Promise.allSettled([
      ...freed.map((role) => this.deps.lineStore.releaseLine(after[role].key, after.call_id)),
      ...(after.status === 'ended' ? [this.deps.sessions.clearSession(after.session_id, after.call_id)] : []),
    ]);
  }

  private async joined(sender: Sender, call: SessionCallRecord, outcome: Outcome): Promise<RoutingDecision[]> {
    await this.deps.sessions.bindWhiteboardSocket(sender.connectionId, call.call_id);
    const delivery = await this.announce(call);
    const role = roleOf(call, sender.key);
    const to = role ? call[otherRole(role)].key : null;
    return [this.decision(call, call.session_id, sender.key, to, outcome, null, delivery)];
  }

  /** The call's view to every whiteboard socket of both members. */
  private async announce(call: SessionCallRecord): Promise<Delivery> {
    const { sessions, messenger } = this.deps;
    const [tutorSockets, studentSockets] = await Promise.all([
      sessions.whiteboardSocketsOf(call.tutor.key),
      sessions.whiteboardSocketsOf(call.student.key),
    ]);
    const ids = [...tutorSockets, ...studentSockets].map((socket) => socket.connectionId);
    return messenger.send(ids, this.callMessage(call.session_id, call));
  }

  /** Claims the member's line for the call; a line this call holds already (another tab of the member) is kept. */
  private async claimLine(key: ProfileKey, callId: string): Promise<void> {
    const held = await this.deps.lineStore.getLine(key);
    if (held?.callId === callId) return;
    const outcome = await this.deps.lines.claim({
      profileKey: key,
      callId,
      // The member itself on both ends: such a line can never be taken for glare.
      callerKey: key,
      calleeKey: key,
      claimedAt: this.deps.clock.now().toISOString(),
      system: WHITEBOARD_LINE_SYSTEM,
    });
    if (outcome !== 'claimed')
      throw new ProtocolError('already_in_call', 'You are already in a call; end it before joining the session call');
  }

  /** The call, when the sender's profile is one of its members; else the refusal an outsider gets. */
  private async memberCall(sender: Sender, callId: string): Promise<SessionCallRecord> {
    const call = await this.deps.sessions.getCall(callId);
    if (!call || !roleOf(call, sender.key)) throw notInCall(callId);
    return call;
  }

  private async openCall(sessionId: string): Promise<SessionCallRecord | undefined> {
    const pointed = await this.deps.sessions.openCallOf(sessionId);
    const call = pointed === undefined ? undefined : await this.deps.sessions.getCall(pointed);
    return call && isOpen(call) ? call : undefined;
  }

  private async requireMember(sender: Sender, sessionId: string, grantText: string): Promise<{ grant: SessionGrant; role: SessionRole }> {
    const check = await this.deps.verifyGrant(grantText);
    if (check.kind !== 'verified' || check.grant.sessionId !== sessionId) throw notAMember();
    const { grant } = check;
    const role =
      profileKey(grant.tutor.profile_type, grant.tutor.profile_id) === sender.key
        ? 'tutor'
        : profileKey(grant.student.profile_type, grant.student.profile_id) === sender.key
          ? 'student'
          : undefined;
    if (!role) throw notAMember();
    return { grant, role };
  }

  private callMessage(sessionId: string, call: SessionCallRecord | undefined): SessionServerMessage {
    return {
      type: 'session_call',
      session_id: sessionId,
      call: call ? viewOf(call) : null,
      sent_at: this.deps.clock.now().toISOString(),
    };
  }

  private decision(
    call: SessionCallRecord | undefined,
    sessionId: string,
    from: string | null,
    to: string | null,
    outcome: Outcome,
    reason: string | null,
    delivery: Delivery = { reached: [], gone: [] },
  ): RoutingDecision {
    return {
      call_id: call?.call_id ?? null,
      session_id: sessionId,
      from,
      to,
      outcome,
      reason,
      sockets_reached: delivery.reached.length,
      gone_sockets: delivery.gone.length,
    };
  }
}

/** A member as the grant names it. */
function member(ref: SessionGrant['tutor']): Parameters<typeof openCall>[0]['tutor'] {
  return {
    key: profileKey(ref.profile_type, ref.profile_id),
    profile_type: ref.profile_type,
    profile_id: String(ref.profile_id),
    id_kind: idKindOf(ref.profile_id),
  };
}
