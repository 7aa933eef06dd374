/**
 * As deployed, a function's concurrency limit is also its containers at most (one invocation
 * each, as on Lambda): the same cases as on the handler sources, on the bundles in containers.
 */
import { describeFunctionConcurrency } from './function-concurrency-cases';

describeFunctionConcurrency();
