import { describe, expect, it } from 'vitest';
import { AWS_PRICES } from './aws-prices';
import { relayCost } from './relay-cost';

describe('what a relayed minute costs', () => {
  it('on Kinesis Video Streams: its price per TURN streaming minute', () => {
    expect(relayCost().kvsUsdPerRelayedMinute).toBeCloseTo(0.00012, 8);
  });

  it('on a TURN server of your own: both directions of a 1.5 Mbit/s call leaving it, at the data transfer price', () => {
    const cost = relayCost();
    expect(cost.gbOutPerRelayedMinute * 1024 ** 3).toBe(22_500_000);
    expect(cost.ec2TurnUsdPerRelayedMinute).toBeCloseTo((22_500_000 / 1024 ** 3) * AWS_PRICES.dataTransfer.perGbOutToInternet, 10);
    // About 16 times the managed option, per minute, before the instance.
    expect(cost.ec2TurnUsdPerRelayedMinute / cost.kvsUsdPerRelayedMinute).toBeGreaterThan(10);
  });

  it('follows the assumed bitrate', () => {
    expect(relayCost(AWS_PRICES, 0.1).ec2TurnUsdPerRelayedMinute).toBeCloseTo(relayCost().ec2TurnUsdPerRelayedMinute / 15, 10);
  });
});
