/**
 * A function's concurrency limit as clients meet it, on the handler sources through the real gateway
 * over real sockets (`as-deployed-concurrency.test.ts` runs the same on the bundles): a burst beyond the
 * limit is served in the order sent and completes, and one beyond the line's bound gets API
 * Gateway's "Internal server error" for each frame turned away while the rest still arrive in order.
 */
import { describeFunctionConcurrency } from './function-concurrency-cases';

describeFunctionConcurrency();
