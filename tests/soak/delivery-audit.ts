/**
 * After the run, every frame each socket received must have been asked for: by the call script
 * (its call's forwarded messages, the caller's `call_ringing`) or by a keep-alive ping (its pong).
 * Anything else arrived where it did not belong (another call's message, a message to an idle
 * profile), arrived twice, or was a refusal: each socket's received frames minus its claimed
 * arrivals counts them, and its unclaimed arrivals say what they were.
 */
import type { BenchSocket } from '../bench/workload/bench-socket';
import type { InboundKind } from '../bench/workload/inbox';

/** What the audit reads of a socket. */
export type ReceivingSocket = Pick<BenchSocket, 'framesReceived' | 'inbox'>;

export interface AuditedSocket {
  /** Who the socket belongs to, for the examples. */
  label: string;
  socket: ReceivingSocket;
}

/** The kinds a relay forwards from one client to another: these are what can be misrouted. */
const FORWARDED_KINDS: ReadonlySet<InboundKind> = new Set(['invite', 'answer', 'candidate', 'end']);
/** Frames received but never filed by tag: unreadable, or a repeat of a tag not yet claimed. */
const UNFILED = 'unreadable or repeated';
const MAX_EXAMPLES = 10;

export interface DeliveryAudit {
  /** Frames received that nothing in the run asked for (all of the below, and any refusal). */
  unrequested: number;
  /** Of those: another call's invite/answer/candidate/end on a call socket, anything but a pong on an idle socket. */
  misrouted: number;
  /** Unrequested frames by what they were read as. */
  byKind: Record<string, number>;
  /** A few of them, for the report. */
  examples: string[];
}

function tallySocket({ label, socket }: AuditedSocket, idle: boolean, audit: DeliveryAudit): void {
  const unrequested = socket.framesReceived - socket.inbox.claimed;
  if (unrequested <= 0) return;
  audit.unrequested += unrequested;
  const unclaimed = socket.inbox.unclaimedArrivals();
  let pongs = 0;
  for (const { inbound } of unclaimed) {
    audit.byKind[inbound.kind] = (audit.byKind[inbound.kind] ?? 0) + 1;
    if (inbound.kind === 'pong') pongs++;
    else if (!idle && FORWARDED_KINDS.has(inbound.kind)) audit.misrouted++;
    if (audit.examples.length < MAX_EXAMPLES) audit.examples.push(`${label}: ${inbound.kind} ${inbound.tag}${inbound.detail ? ` (${inbound.detail})` : ''}`);
  }
  const unfiled = unrequested - unclaimed.length;
  if (unfiled > 0) audit.byKind[UNFILED] = (audit.byKind[UNFILED] ?? 0) + unfiled;
  // An idle socket asked for pongs only; a late pong was already counted lost, not misrouted.
  if (idle) audit.misrouted += unrequested - pongs;
}

export function auditDeliveries(callSockets: readonly AuditedSocket[], idleSockets: readonly AuditedSocket[]): DeliveryAudit {
  const audit: DeliveryAudit = { unrequested: 0, misrouted: 0, byKind: {}, examples: [] };
  for (const socket of callSockets) tallySocket(socket, false, audit);
  for (const socket of idleSockets) tallySocket(socket, true, audit);
  return audit;
}
