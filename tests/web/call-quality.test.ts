/**
 * Call quality from `getStats()`: readings and summaries from stats Chromium really reported (two
 * reports two seconds apart of a direct video call, a direct voice call and a call relayed through
 * coturn, recorded on loopback), and from those recordings with one figure changed the way a bad
 * network would change it.
 */
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { CallQualitySummarySchema } from '../../shared/call-quality';
import type { CallLog } from '../../shared/protocol';
import { countersOf, readingBetween, sampleOf, summarize, type QualitySample } from '../../web/src/client/call-quality';
import { historyQualityWords, routeWords, sampleFigures } from '../../web/src/ui/quality-words';

type StatsRecord = Record<string, unknown>;
interface Recording {
  first: StatsRecord[];
  second: StatsRecord[];
}

const recording = (name: 'video-call' | 'voice-call' | 'relayed-call'): Recording =>
  JSON.parse(readFileSync(new URL(`./fixtures/chromium-stats-${name}.json`, import.meta.url), 'utf8')) as Recording;

/** The report with `change` applied to every record of `type`. */
const changed = (report: StatsRecord[], type: string, change: (record: StatsRecord) => StatsRecord): StatsRecord[] =>
  report.map((record) => (record.type === type ? change(record) : record));

const numberOf = (record: StatsRecord, field: string): number => {
  const value = record[field];
  if (typeof value !== 'number') throw new Error(`${String(record.id)} has no ${field}`);
  return value;
};

function sampleFrom({ first, second }: Recording, receivingVideo: boolean): QualitySample {
  const previous = countersOf(first);
  const current = countersOf(second);
  return sampleOf(readingBetween(previous, current, receivingVideo), current);
}

describe('the live reading of a call', () => {
  it('a direct video call on loopback: a few ms round trip, no loss, media both ways, host to host', () => {
    const sample = sampleFrom(recording('video-call'), true);
    // The selected pair's currentRoundTripTime (0.003 s), not a remote-inbound-rtp figure.
    expect(sample.reading.roundTripMs).toBe(3);
    expect(sample.reading.lossPercent).toBe(0);
    // Audio and video RTP bytes over the 2.04 s between the reports.
    expect(sample.reading.kbpsSent).toBe(165.3);
    expect(sample.reading.kbpsReceived).toBe(276.1);
    expect(sample.localCandidateType).toBe('host');
    expect(sample.remoteCandidateType).toBe('host');
    // A fake camera's first seconds arrive below the fair line for video.
    expect(sample.rating).toBe('fair');
  });

  it('a voice call is not rated on its (audio-only) bitrate', () => {
    const sample = sampleFrom(recording('voice-call'), false);
    expect(sample.reading.kbpsReceived).toBe(25.3);
    expect(sample.rating).toBe('good');
  });

  it('a call through a TURN relay says so on both ends of its path', () => {
    const sample = sampleFrom(recording('relayed-call'), true);
    expect([sample.localCandidateType, sample.remoteCandidateType]).toEqual(['relay', 'relay']);
    expect(routeWords(sample.localCandidateType, sample.remoteCandidateType)).toBe('Relayed');
    expect(sample.rating).toBe('good');
  });

  it('packets lost between two reports are counted against those that arrived, and make the call poor', () => {
    const { first, second } = recording('voice-call');
    const arrived =
      second.filter((r) => r.type === 'inbound-rtp').reduce((sum, r) => sum + numberOf(r, 'packetsReceived'), 0) -
      first.filter((r) => r.type === 'inbound-rtp').reduce((sum, r) => sum + numberOf(r, 'packetsReceived'), 0);
    // 11 more lost on the one audio stream while 101 arrived: 11 of 112, 9.8 %.
    const lossy = changed(second, 'inbound-rtp', (record) => ({ ...record, packetsLost: numberOf(record, 'packetsLost') + 11 }));
    const sample = sampleFrom({ first, second: lossy }, false);
    expect(arrived).toBe(101);
    expect(sample.reading.lossPercent).toBe(9.8);
    expect(sample.rating).toBe('poor');
  });

  it('a long round trip makes the call fair, then poor', () => {
    const { first, second } = recording('voice-call');
    const withRoundTrip = (seconds: number) =>
      sampleFrom({ first, second: changed(second, 'candidate-pair', (record) => ({ ...record, currentRoundTripTime: seconds })) }, false);
    expect(withRoundTrip(0.35)).toMatchObject({ rating: 'fair', reading: { roundTripMs: 350 } });
    expect(withRoundTrip(0.7)).toMatchObject({ rating: 'poor', reading: { roundTripMs: 700 } });
  });

  it('without the pair’s round trip, the one the peer reports for our RTP is used', () => {
    const { first, second } = recording('video-call');
    const withoutPairFigure = changed(second, 'candidate-pair', ({ currentRoundTripTime: _dropped, ...record }) => record);
    // The larger of the audio (3.3 ms) and video (4.7 ms) RTCP figures.
    expect(sampleFrom({ first, second: withoutPairFigure }, true).reading.roundTripMs).toBe(4.7);
  });

  it('finds the path in a browser that flags the selected pair itself instead of naming it on the transport', () => {
    const { first, second } = recording('relayed-call');
    const selectedId = second.find((record) => record.type === 'transport')?.selectedCandidatePairId;
    const flagged = second
      .filter((record) => record.type !== 'transport')
      .map((record) => (record.id === selectedId ? { ...record, selected: true } : record));
    expect(sampleFrom({ first, second: flagged }, true).localCandidateType).toBe('relay');
  });

  it('counters that started again (a new transport) give no bitrate rather than a negative one', () => {
    const { first, second } = recording('video-call');
    const sample = sampleFrom({ first: second, second: first }, true);
    expect(sample.reading.kbpsSent).toBeUndefined();
    expect(sample.reading.kbpsReceived).toBeUndefined();
  });

  it('an empty report gives no figures, and no figure lowers the rating', () => {
    const empty = countersOf([]);
    const sample = sampleOf(readingBetween(empty, { ...empty, timestamp: 2_000 }, true), empty);
    expect(sample.reading).toEqual({ roundTripMs: undefined, lossPercent: undefined, kbpsSent: 0, kbpsReceived: 0, receivingVideo: true });
    expect(sampleFigures({ ...sample, reading: { ...sample.reading, kbpsSent: undefined } })).toContainEqual(['Sending', 'Not known yet']);
  });

  it('lists the figures a person sees behind the rating', () => {
    expect(sampleFigures(sampleFrom(recording('video-call'), true))).toEqual([
      ['Round trip', '3 ms'],
      ['Packet loss', '0 %'],
      ['Sending', '165.3 kbps'],
      ['Receiving', '276.1 kbps'],
      ['Route', 'Direct (same network)'],
    ]);
  });
});

describe('the summary of a call, sent when it ends', () => {
  const direct = sampleFrom(recording('voice-call'), false);
  const relayed = sampleFrom(recording('relayed-call'), true);

  it('takes the medians of the readings and the path of the last one, in the shape the server validates', () => {
    const slower = { ...direct, reading: { ...direct.reading, roundTripMs: 40 } };
    const summary = summarize([direct, slower, { ...direct, reading: { ...direct.reading, roundTripMs: 20 } }]);
    expect(v.parse(CallQualitySummarySchema, summary)).toEqual({
      rating: 'good',
      round_trip_ms_median: 20,
      loss_percent_median: 0,
      kbps_sent_median: 25,
      kbps_received_median: 25.3,
      relayed: false,
      local_candidate_type: 'host',
      remote_candidate_type: 'host',
      samples: 3,
    });
  });

  it('a relayed call is summed up as relayed, and its history line says so from my side', () => {
    const summary = summarize([relayed, relayed]);
    expect(summary).toMatchObject({ relayed: true, local_candidate_type: 'relay', remote_candidate_type: 'relay', samples: 2 });
    const log: Pick<CallLog, 'quality'> = { quality: { caller: summary } };
    expect(historyQualityWords(log, true)).toBe('Good connection · relayed');
    // The callee sent nothing: its own history row shows no quality rather than the caller's.
    expect(historyQualityWords(log, false)).toBeUndefined();
  });

  it('a call poor for most of its readings is summed up as poor', () => {
    const lossy = { ...direct, reading: { ...direct.reading, lossPercent: 12 } };
    expect(summarize([direct, lossy, lossy]).rating).toBe('poor');
    expect(summarize([direct, direct, lossy]).rating).toBe('good');
  });
});
