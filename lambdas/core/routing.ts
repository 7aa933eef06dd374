/** The routing decisions the core returns: one routing line each (see `shared/routing-line.ts`). */
import type { Outcome, RoutingDecision } from '../../shared/routing-line';
import type { Delivery } from './messenger';
import type { CallRecord, Sender } from './model';

/** A decision about a call; `delivery` counts the sockets its message reached and found gone. */
export function callDecision(
  call: Pick<CallRecord, 'call_id' | 'caller_key' | 'callee_key'>,
  outcome: Outcome,
  reason: string | null,
  delivery?: Delivery,
): RoutingDecision {
  return {
    call_id: call.call_id,
    from: call.caller_key,
    to: call.callee_key,
    outcome,
    reason,
    sockets_reached: delivery?.reached.length ?? 0,
    gone_sockets: delivery?.gone.length ?? 0,
  };
}

/** A decision about a socket in no call (yet): a connect, a disconnect, an end with nothing to end. */
export function senderDecision(sender: Sender, outcome: Outcome, reason: string | null): RoutingDecision {
  return { call_id: null, from: sender.key, to: null, outcome, reason, sockets_reached: 0, gone_sockets: 0 };
}

export function mergeDeliveries(deliveries: readonly Delivery[]): Delivery {
  return { reached: deliveries.flatMap((delivery) => delivery.reached), gone: deliveries.flatMap((delivery) => delivery.gone) };
}
