/** `call_quality`: a party's end-of-call quality summary, kept on the call's log; no reply on success. */
import { recordCallQuality } from '../core/call-quality';
import { messageRoute } from '../runtime/handler';

export const handler = messageRoute('call_quality', ({ runtime, sender, message }) =>
  recordCallQuality(runtime.store, sender, message, runtime.clock.now()),
);
