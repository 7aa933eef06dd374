/**
 * What a relayed minute costs: media that cannot go peer to peer goes through TURN. Kinesis Video
 * Streams' managed TURN is billed per TURN streaming minute; a TURN server of your own (coturn on
 * EC2) or a hosted one is billed by the bytes it relays, so its cost follows from an assumed
 * bitrate. A "relayed minute" is one minute of one peer's connection going through TURN; a call
 * where both peers relay counts two.
 */
import { AWS_PRICES, type AwsPrices } from './aws-prices';

/** The assumed call: video at 1.5 Mbit/s each way (audio and overhead included). */
export const RELAYED_MBIT_PER_SECOND_EACH_WAY = 1.5;
/** AWS bills data transfer per GB of 2^30 bytes. */
const BYTES_PER_GB = 1024 ** 3;

export interface RelayCost {
  /** KVS: one TURN streaming minute. */
  kvsUsdPerRelayedMinute: number;
  /** What the TURN server sends per relayed minute: both directions of the call leave it (to the relaying peer and to the other). */
  gbOutPerRelayedMinute: number;
  /** A TURN server on EC2: that egress at the data transfer price (the instance itself is a fixed cost apart). */
  ec2TurnUsdPerRelayedMinute: number;
  /** KVS channels are a fixed cost: each active channel, per month. */
  kvsUsdPerChannelMonth: number;
  assumptions: string[];
}

export function relayCost(prices: AwsPrices = AWS_PRICES, mbitPerSecondEachWay = RELAYED_MBIT_PER_SECOND_EACH_WAY): RelayCost {
  const { kinesisVideoWebRtc, dataTransfer } = prices;
  const bytesOutPerMinute = ((2 * mbitPerSecondEachWay * 1_000_000) / 8) * 60;
  const gbOutPerRelayedMinute = bytesOutPerMinute / BYTES_PER_GB;
  const kvsUsdPerRelayedMinute = kinesisVideoWebRtc.perThousandTurnMinutes / 1000;
  return {
    kvsUsdPerRelayedMinute,
    gbOutPerRelayedMinute,
    ec2TurnUsdPerRelayedMinute: gbOutPerRelayedMinute * dataTransfer.perGbOutToInternet,
    kvsUsdPerChannelMonth: kinesisVideoWebRtc.perActiveChannelMonth,
    assumptions: [
      `Relayed minutes: one minute of one peer's media going through TURN (a call whose two peers both relay counts two). Most calls need none: STUN suffices unless a peer is behind a symmetric NAT or a firewall that blocks UDP.`,
      `Kinesis Video Streams TURN: $${kinesisVideoWebRtc.perThousandTurnMinutes} per 1,000 TURN streaming minutes (${prices.region}, metered per minute), plus $${kinesisVideoWebRtc.perActiveChannelMonth} per signaling channel in a month it is used; the pricing page names no per-GB charge for relayed media.`,
      `A TURN server of your own or a hosted one, as bandwidth: a video call at ${mbitPerSecondEachWay} Mbit/s each way sends ${(bytesOutPerMinute / 1_000_000).toFixed(1)} MB a relayed minute out of the server (both directions leave it); on EC2 at $${dataTransfer.perGbOutToInternet}/GB out (first 10 TB a month, data in free), plus the instance. A hosted service: that volume (twice it where inbound is billed too) times its price per GB.`,
    ],
  };
}
