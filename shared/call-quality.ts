/**
 * Call quality, defined once for the browser (the live indicator, the end-of-call summary it sends)
 * and the server (which stores the summary on the call's log and counts it as a metric).
 *
 * The rating is the worst of three readings, each against the thresholds below: round-trip time,
 * packet loss, and the bitrate arriving (only for video, where a starved stream is what people see).
 */
import * as v from 'valibot';

export const CALL_QUALITY_RATINGS = ['good', 'fair', 'poor'] as const;
export type CallQualityRating = (typeof CALL_QUALITY_RATINGS)[number];

/** Where a reading turns fair, and where it turns poor (ITU-T G.114 puts one-way delay above 150 ms as noticeable). */
export const QUALITY_THRESHOLDS = {
  roundTripMs: { fair: 300, poor: 600 },
  lossPercent: { fair: 2, poor: 8 },
  /** Video arriving below these rates is blurred or frozen. */
  videoKbpsReceived: { fair: 300, poor: 100 },
} as const;

/** The ICE candidate types of `RTCIceCandidateStats.candidateType`. */
export const CANDIDATE_TYPES = ['host', 'srflx', 'prflx', 'relay'] as const;
export type CandidateType = (typeof CANDIDATE_TYPES)[number];

/** One moment's figures, from `getStats` (the indicator shows them on hover or tap). */
export interface QualityReading {
  roundTripMs: number | undefined;
  lossPercent: number | undefined;
  kbpsSent: number | undefined;
  kbpsReceived: number | undefined;
  /** Whether video is expected to arrive (a video call, or a screen being shared to us). */
  receivingVideo: boolean;
}

const ratingOf = (value: number | undefined, limits: { fair: number; poor: number }, higherIsWorse: boolean): CallQualityRating => {
  if (value === undefined) return 'good';
  if (higherIsWorse) return value >= limits.poor ? 'poor' : value >= limits.fair ? 'fair' : 'good';
  return value <= limits.poor ? 'poor' : value <= limits.fair ? 'fair' : 'good';
};

const RANK: Record<CallQualityRating, number> = { good: 0, fair: 1, poor: 2 };

/** The worst of the readings' ratings; a figure not (yet) known does not lower it. */
export function rateQuality(reading: QualityReading): CallQualityRating {
  const ratings = [
    ratingOf(reading.roundTripMs, QUALITY_THRESHOLDS.roundTripMs, true),
    ratingOf(reading.lossPercent, QUALITY_THRESHOLDS.lossPercent, true),
    reading.receivingVideo ? ratingOf(reading.kbpsReceived, QUALITY_THRESHOLDS.videoKbpsReceived, false) : 'good',
  ];
  return ratings.reduce((worst, rating) => (RANK[rating] > RANK[worst] ? rating : worst), 'good');
}

const Figure = v.nullable(v.pipe(v.number(), v.minValue(0), v.maxValue(1_000_000)));
const Percent = v.nullable(v.pipe(v.number(), v.minValue(0), v.maxValue(100)));

/**
 * What one side saw over the whole call, sent once at its end (`call_quality`) and kept on the call's
 * log under that side. Medians over the call's readings; `null` where the browser gave no figure.
 */
export const CallQualitySummarySchema = v.object({
  rating: v.picklist(CALL_QUALITY_RATINGS),
  round_trip_ms_median: Figure,
  loss_percent_median: Percent,
  kbps_sent_median: Figure,
  kbps_received_median: Figure,
  /** Whether the selected candidate pair went through a TURN relay (either end `relay`). */
  relayed: v.boolean(),
  local_candidate_type: v.nullable(v.picklist(CANDIDATE_TYPES)),
  remote_candidate_type: v.nullable(v.picklist(CANDIDATE_TYPES)),
  /** How many readings the medians are over (one every couple of seconds). */
  samples: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000)),
});
export type CallQualitySummary = v.InferOutput<typeof CallQualitySummarySchema>;
