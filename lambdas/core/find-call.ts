/**
 * The call a message is about: by `call_id`, or (seed-format clients) the one call the sender's
 * profile is in. Without `call_id` the message may overtake the invitation it follows (nothing is
 * ordered), so look a few times before concluding there is none.
 */
import { ProtocolError } from './errors';
import type { CallRecord, CallStore, Sender } from './model';
import { notAParticipant } from './rules';

/** How long a message without `call_id` may wait for the invitation it follows. */
const IN_FLIGHT_RETRIES = [25, 50, 100, 200];

export class CallFinder {
  constructor(
    private readonly store: CallStore,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  async find(sender: Sender, callId: string | undefined): Promise<CallRecord | undefined> {
    if (callId !== undefined) return this.store.getCall(callId);
    for (let attempt = 0; ; attempt++) {
      const line = await this.store.getLine(sender.key);
      const call = line ? await this.store.getCall(line.callId) : undefined;
      const delay = IN_FLIGHT_RETRIES[attempt];
      if (call || delay === undefined) return call;
      await this.sleep(delay);
    }
  }

  /**
   * The call, or a refusal: a `call_id` that names no call is refused as a call the sender is not
   * in (an outsider cannot tell the two apart); `call_not_found` is only for a sender in no call.
   */
  async require(sender: Sender, callId: string | undefined): Promise<CallRecord> {
    const call = await this.find(sender, callId);
    if (call) return call;
    if (callId !== undefined) throw notAParticipant(callId);
    throw new ProtocolError('call_not_found', 'You are not in a call');
  }
}
