/**
 * After the run, every frame each socket received must have been asked for: by the call script
 * (its call's forwarded messages, the caller's `call_ringing`) or by a keep-alive ping (its pong).
 * Anything else arrived where it did not belong (another call's message, a message to an idle
 * profile), arrived twice, came after its wait gave up, or was a refusal. Each socket's received
 * frames minus its claimed arrivals counts them; its unclaimed arrivals say what they were.
 */
import type { CallState, Dialect } from '../bench/dialects/dialect';
import type { BenchSocket } from '../bench/workload/bench-socket';
import type { CallPair } from '../bench/workload/call-script';
import type { InboundKind } from '../bench/workload/inbox';
import type { RoundResult } from '../bench/workload/rounds';
import type { Side } from '../bench/workload/session-content';

/** What the audit reads of a socket. */
export type ReceivingSocket = Pick<BenchSocket, 'framesReceived' | 'inbox'>;

export interface AuditedSocket {
  /** Who the socket belongs to, for the examples. */
  label: string;
  socket: ReceivingSocket;
  /** Tags of the messages its own calls could bring it; idle sockets have none. */
  ownTags: ReadonlySet<string>;
}

/** Messages about one call: on a socket outside that call they are misrouted. */
const CALL_KINDS: ReadonlySet<InboundKind> = new Set(['invite', 'answer', 'candidate', 'end', 'ringing']);
/** Frames received but never filed by tag: unreadable, or a repeat of a tag not yet claimed. */
const UNFILED = 'unreadable or repeated';
const MAX_EXAMPLES = 10;

export interface DeliveryAudit {
  /** Frames received that nothing in the run asked for (all of the below, and any refusal). */
  unrequested: number;
  /** Of those: another call's message on a call socket; anything but its own pongs on an idle socket. */
  misrouted: number;
  /** Unrequested frames by what they were read as; "(late)" where the socket's own call sent it after its wait gave up. */
  byKind: Record<string, number>;
  /** A few of them, for the report. */
  examples: string[];
}

/**
 * Every tag one call's messages carry, as its dialect writes them (what the script waits for).
 * Steps that need the relay's call id are left out when the call never got one: they were never sent.
 */
function tagsOfCall(dialect: Dialect, call: CallState): Set<string> {
  const tags = new Set([dialect.invite(call).tag]);
  if (call.callId === undefined) return tags;
  tags.add(dialect.answer(call).tag);
  tags.add(dialect.end(call).tag);
  for (const side of ['caller', 'callee'] as const satisfies readonly Side[]) {
    call.candidates[side].forEach((_, burst) => {
      for (const out of dialect.candidates(call, side, burst)) tags.add(out.tag);
    });
  }
  for (const extra of dialect.extras(call)) tags.add(extra.tag);
  return tags;
}

/**
 * A call whose invitation arrived after the script gave up never learned the relay's call id, so
 * its later messages could not be told from another call's; the late invitation still carries it.
 */
function learnFromLateInvitation(dialect: Dialect, call: CallState, callee: ReceivingSocket): void {
  if (call.callId !== undefined) return;
  const invitationTag = dialect.invite(call).tag;
  const late = callee.inbox.unclaimedArrivals().find((arrival) => arrival.inbound.tag === invitationTag);
  if (late) dialect.learn(call, late.inbound);
}

/** Both sockets of every pair, each with the tags of the calls its pair placed. */
export function auditedCallSockets(dialect: Dialect, pairs: readonly CallPair[], placed: RoundResult['placed']): AuditedSocket[] {
  const ownTags = pairs.map(() => new Set<string>());
  for (const { pairIndex, call } of placed) {
    const pair = pairs[pairIndex];
    if (pair) learnFromLateInvitation(dialect, call, pair.callee);
    for (const tag of tagsOfCall(dialect, call)) ownTags[pairIndex]?.add(tag);
  }
  return pairs.flatMap((pair, index) => {
    const tags = ownTags[index] ?? new Set<string>();
    return [
      { label: pair.callerParty.id, socket: pair.caller, ownTags: tags },
      { label: pair.calleeParty.id, socket: pair.callee, ownTags: tags },
    ];
  });
}

function tallySocket({ label, socket, ownTags }: AuditedSocket, idle: boolean, audit: DeliveryAudit): void {
  const unrequested = socket.framesReceived - socket.inbox.claimed;
  if (unrequested <= 0) return;
  audit.unrequested += unrequested;
  const unclaimed = socket.inbox.unclaimedArrivals();
  let ownPongs = 0;
  for (const { inbound } of unclaimed) {
    const late = ownTags.has(inbound.tag);
    const key = late ? `${inbound.kind} (late)` : inbound.kind;
    audit.byKind[key] = (audit.byKind[key] ?? 0) + 1;
    if (inbound.kind === 'pong') ownPongs++;
    else if (!idle && !late && CALL_KINDS.has(inbound.kind)) audit.misrouted++;
    if (audit.examples.length < MAX_EXAMPLES)
      audit.examples.push(`${label}: ${key} ${inbound.tag}${inbound.detail ? ` (${inbound.detail})` : ''}`);
  }
  const unfiled = unrequested - unclaimed.length;
  if (unfiled > 0) audit.byKind[UNFILED] = (audit.byKind[UNFILED] ?? 0) + unfiled;
  // An idle socket asked for its pongs only (a late one is already counted lost, not misrouted).
  if (idle) audit.misrouted += unrequested - ownPongs;
}

export function auditDeliveries(callSockets: readonly AuditedSocket[], idleSockets: readonly AuditedSocket[]): DeliveryAudit {
  const audit: DeliveryAudit = { unrequested: 0, misrouted: 0, byKind: {}, examples: [] };
  for (const socket of callSockets) tallySocket(socket, false, audit);
  for (const socket of idleSockets) tallySocket(socket, true, audit);
  return audit;
}
