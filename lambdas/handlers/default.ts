/** `$default`: frames no route took (invalid JSON, no or unknown `type`, binary) are answered with `error`. */
import { messageRoute } from '../runtime/handler';

export const handler = messageRoute('$default');
