/**
 * The documented on-demand prices the cost model uses: us-east-1, list prices, first pricing tier,
 * no free tier. Printed with every cost figure, so a reader can check them against the pricing pages
 * (aws.amazon.com/api-gateway/pricing, /lambda/pricing, /dynamodb/pricing/on-demand,
 * /kinesis/video-streams/pricing, /ec2/pricing/on-demand for data transfer).
 */
export const AWS_PRICES = {
  region: 'us-east-1',
  apiGateway: {
    /** WebSocket messages, sent and received both count, metered in 32 KB steps (first billion a month). */
    perMillionMessages: 1.0,
    messageStepBytes: 32 * 1024,
    perMillionConnectionMinutes: 0.25,
  },
  lambda: {
    perMillionRequests: 0.2,
    /** arm64 (Graviton), first 7.5 billion GB-s a month; duration is billed per 1 ms. */
    perGbSecondArm64: 0.0000133334,
  },
  dynamodb: {
    /** On-demand, Standard table class (prices since November 2024). */
    perMillionWriteUnits: 0.625,
    perMillionReadUnits: 0.125,
  },
  kinesisVideoWebRtc: {
    /** TURN streaming minutes (media relayed by KVS TURN), metered in 1-minute increments. */
    perThousandTurnMinutes: 0.12,
    /** A signaling channel counts as active in a month when anything connects to it (GetIceServerConfig included). */
    perActiveChannelMonth: 0.03,
  },
  dataTransfer: {
    /** Out from EC2 to the internet, first 10 TB a month (after the account's 100 GB free); in is free. */
    perGbOutToInternet: 0.09,
  },
} as const;

export type AwsPrices = typeof AWS_PRICES;

/** Billed API Gateway messages for one frame of `bytes` (a 33 KB frame is two messages). */
export function billedMessages(bytes: number, stepBytes: number = AWS_PRICES.apiGateway.messageStepBytes): number {
  return Math.max(1, Math.ceil(bytes / stepBytes));
}
