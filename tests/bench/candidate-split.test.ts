import { describe, expect, it } from 'vitest';
import { AWS_PRICES } from './aws-prices';
import { candidateSplitCost } from './candidate-split';
import { candidateBursts } from './workload/session-content';

describe('the billed cost of splitting candidates for seed-format peers', () => {
  it('counts one message per candidate and the end marker against one per burst, priced per API Gateway message', () => {
    // The bench's side: two bursts of two candidates, the end marker in the second.
    const cost = candidateSplitCost(candidateBursts('x', 'caller'), 30, AWS_PRICES);
    expect(cost).toMatchObject({ batchedMessagesPerSide: 2, splitMessagesPerSide: 5, extraMessagesPerCall: 3 });
    expect(cost.usdPer1000Calls).toBeCloseTo((3 * 1000 * AWS_PRICES.apiGateway.perMillionMessages) / 1e6, 10);
    expect(cost.shareOfCallMessages).toBeCloseTo(0.1, 10);
  });
});
