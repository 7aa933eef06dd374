/**
 * Call quality from `RTCPeerConnection.getStats()`, as pure functions: the counters of one report,
 * the reading between two reports (a couple of seconds apart), and the end-of-call summary of all
 * readings. The thresholds and the rating are `shared/call-quality.ts`'s, which the server shares.
 */
import {
  CANDIDATE_TYPES,
  rateQuality,
  type CallQualityRating,
  type CallQualitySummary,
  type CandidateType,
  type QualityReading,
} from '../../../shared/call-quality';

/** What one stats report says, cumulative since the call began (except the round trip, which is current). */
export interface StatsCounters {
  /** The report's time (ms, the browser's performance clock). */
  timestamp: number;
  roundTripMs: number | undefined;
  packetsReceived: number;
  packetsLost: number;
  bytesReceived: number;
  bytesSent: number;
  localCandidateType: CandidateType | undefined;
  remoteCandidateType: CandidateType | undefined;
}

/** One reading with the path it was taken on: what the live indicator shows. */
export interface QualitySample {
  rating: CallQualityRating;
  reading: QualityReading;
  localCandidateType: CandidateType | undefined;
  remoteCandidateType: CandidateType | undefined;
}

type StatsRecord = Readonly<Record<string, unknown>>;

const isRecord = (value: unknown): value is StatsRecord => typeof value === 'object' && value !== null;
const numberField = (record: StatsRecord | undefined, field: string): number | undefined => {
  const value = record?.[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
};
const stringField = (record: StatsRecord | undefined, field: string): string | undefined => {
  const value = record?.[field];
  return typeof value === 'string' ? value : undefined;
};
const candidateTypeOf = (record: StatsRecord | undefined): CandidateType | undefined =>
  CANDIDATE_TYPES.find((type) => type === stringField(record, 'candidateType'));

/**
 * The candidate pair media flows on: the transport's selected pair (the standard), else a pair
 * flagged `selected` (Firefox), else a nominated pair that succeeded.
 */
function selectedPair(records: readonly StatsRecord[], byId: ReadonlyMap<string, StatsRecord>): StatsRecord | undefined {
  for (const record of records) {
    const pairId = record.type === 'transport' ? stringField(record, 'selectedCandidatePairId') : undefined;
    const pair = pairId === undefined ? undefined : byId.get(pairId);
    if (pair) return pair;
  }
  const pairs = records.filter((record) => record.type === 'candidate-pair');
  return pairs.find((pair) => pair.selected === true) ?? pairs.find((pair) => pair.nominated === true && pair.state === 'succeeded');
}

/** The counters of one report (`RTCStatsReport.values()`, or recorded stats objects). */
export function countersOf(stats: Iterable<unknown>): StatsCounters {
  const records = [...stats].filter(isRecord);
  const byId = new Map<string, StatsRecord>();
  for (const record of records) {
    const id = stringField(record, 'id');
    if (id !== undefined) byId.set(id, record);
  }
  const pair = selectedPair(records, byId);
  const sumOf = (type: string, field: string) =>
    records.filter((record) => record.type === type).reduce((sum, record) => sum + (numberField(record, field) ?? 0), 0);

  const pairRoundTrip = numberField(pair, 'currentRoundTripTime');
  // Without a pair figure, what the peer reports back about our RTP (RTCP receiver reports).
  const rtcpRoundTrips = records
    .filter((record) => record.type === 'remote-inbound-rtp')
    .map((record) => numberField(record, 'roundTripTime'))
    .filter((value) => value !== undefined);
  const roundTripSeconds = pairRoundTrip ?? (rtcpRoundTrips.length > 0 ? Math.max(...rtcpRoundTrips) : undefined);
  const localCandidateId = stringField(pair, 'localCandidateId');
  const remoteCandidateId = stringField(pair, 'remoteCandidateId');

  return {
    timestamp: Math.max(0, ...records.map((record) => numberField(record, 'timestamp') ?? 0)),
    roundTripMs: roundTripSeconds === undefined ? undefined : roundTripSeconds * 1000,
    packetsReceived: sumOf('inbound-rtp', 'packetsReceived'),
    packetsLost: sumOf('inbound-rtp', 'packetsLost'),
    bytesReceived: sumOf('inbound-rtp', 'bytesReceived'),
    bytesSent: sumOf('outbound-rtp', 'bytesSent'),
    localCandidateType: candidateTypeOf(localCandidateId === undefined ? undefined : byId.get(localCandidateId)),
    remoteCandidateType: candidateTypeOf(remoteCandidateId === undefined ? undefined : byId.get(remoteCandidateId)),
  };
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/** The reading between two reports of the same call, `previous` the older. */
export function readingBetween(previous: StatsCounters, current: StatsCounters, receivingVideo: boolean): QualityReading {
  const elapsedMs = current.timestamp - previous.timestamp;
  // Counters restart when a transport is replaced (an ICE restart): a negative step is no figure.
  const step = (field: 'packetsReceived' | 'packetsLost' | 'bytesReceived' | 'bytesSent') => {
    const delta = current[field] - previous[field];
    return delta >= 0 ? delta : undefined;
  };
  const received = step('packetsReceived');
  const lost = step('packetsLost') ?? 0;
  const expected = received === undefined ? 0 : received + lost;
  // Bytes per millisecond × 8 is kilobits per second.
  const kbps = (bytes: number | undefined) => (bytes === undefined || elapsedMs <= 0 ? undefined : round1((bytes * 8) / elapsedMs));
  return {
    roundTripMs: current.roundTripMs === undefined ? undefined : round1(current.roundTripMs),
    lossPercent: expected > 0 ? round1((lost / expected) * 100) : undefined,
    kbpsSent: kbps(step('bytesSent')),
    kbpsReceived: kbps(step('bytesReceived')),
    receivingVideo,
  };
}

export function sampleOf(reading: QualityReading, counters: StatsCounters): QualitySample {
  return {
    rating: rateQuality(reading),
    reading,
    localCandidateType: counters.localCandidateType,
    remoteCandidateType: counters.remoteCandidateType,
  };
}

/** The summary schema's bound on a figure (a faster link than that is not news). */
const MAX_FIGURE = 1_000_000;

function median(values: readonly (number | undefined)[]): number | null {
  const known = values.filter((value) => value !== undefined).sort((a, b) => a - b);
  if (known.length === 0) return null;
  const middle = Math.floor(known.length / 2);
  const value = known.length % 2 === 1 ? (known[middle] ?? 0) : ((known[middle - 1] ?? 0) + (known[middle] ?? 0)) / 2;
  return Math.min(MAX_FIGURE, round1(value));
}

/** What this side saw over the whole call: medians of its readings, rated like one reading, and the last path. */
export function summarize(samples: readonly QualitySample[]): CallQualitySummary {
  const readings = samples.map((sample) => sample.reading);
  const roundTrip = median(readings.map((reading) => reading.roundTripMs));
  const loss = median(readings.map((reading) => reading.lossPercent));
  const sent = median(readings.map((reading) => reading.kbpsSent));
  const received = median(readings.map((reading) => reading.kbpsReceived));
  const receivingVideo = readings.filter((reading) => reading.receivingVideo).length * 2 > readings.length;
  const last = samples.at(-1);
  const local = last?.localCandidateType ?? null;
  const remote = last?.remoteCandidateType ?? null;
  return {
    rating: rateQuality({
      roundTripMs: roundTrip ?? undefined,
      lossPercent: loss ?? undefined,
      kbpsSent: sent ?? undefined,
      kbpsReceived: received ?? undefined,
      receivingVideo,
    }),
    round_trip_ms_median: roundTrip,
    loss_percent_median: loss === null ? null : Math.min(100, loss),
    kbps_sent_median: sent,
    kbps_received_median: received,
    relayed: local === 'relay' || remote === 'relay',
    local_candidate_type: local,
    remote_candidate_type: remote,
    samples: samples.length,
  };
}
