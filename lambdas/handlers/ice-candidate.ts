/** `ice_candidate`: Forwards one candidate or a batch to the other party's socket(s) in the call. */
import { messageRoute } from '../runtime/handler';

export const handler = messageRoute('ice_candidate', ({ runtime, sender, message }) => runtime.calls.candidates(sender, message));
