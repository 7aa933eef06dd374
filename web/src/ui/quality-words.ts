/**
 * Call quality in words: the live indicator's label and figures, and the line a history row
 * shows for a call (from the viewer's own side's summary).
 */
import type { CallQualityRating, CallQualitySummary, CandidateType } from '../../../shared/call-quality';
import type { CallLog } from '../../../shared/protocol';
import type { QualitySample } from '../client';
import type { IconName } from './icons';

export const RATING_WORDS: Record<CallQualityRating, string> = {
  good: 'Good connection',
  fair: 'Fair connection',
  poor: 'Poor connection',
};

export const RATING_ICONS: Record<CallQualityRating, IconName> = {
  good: 'signalGood',
  fair: 'signalFair',
  poor: 'signalPoor',
};

/** How the media travels: through a relay (TURN) or straight between the two browsers. */
export function routeWords(local: CandidateType | null | undefined, remote: CandidateType | null | undefined): string {
  if (local === 'relay' || remote === 'relay') return 'Relayed';
  if (local === undefined || local === null || remote === undefined || remote === null) return 'Unknown';
  return local === 'host' && remote === 'host' ? 'Direct (same network)' : 'Direct';
}

const figure = (value: number | undefined | null, unit: string) =>
  value === undefined || value === null ? 'Not known yet' : `${value.toLocaleString('en-US', { maximumFractionDigits: 1 })} ${unit}`;

/** The figures behind the rating, label and value, as the indicator lists them. */
export function sampleFigures(sample: QualitySample): [label: string, value: string][] {
  const { reading } = sample;
  return [
    ['Round trip', figure(reading.roundTripMs, 'ms')],
    ['Packet loss', figure(reading.lossPercent, '%')],
    ['Sending', figure(reading.kbpsSent, 'kbps')],
    ['Receiving', figure(reading.kbpsReceived, 'kbps')],
    ['Route', routeWords(sample.localCandidateType, sample.remoteCandidateType)],
  ];
}

/** "Good connection · relayed" for a history row: what my own side saw, when it reported. */
export function historyQualityWords(log: Pick<CallLog, 'quality'>, outgoing: boolean): string | undefined {
  const mine: CallQualitySummary | undefined = outgoing ? log.quality?.caller : log.quality?.callee;
  return mine ? summaryWords(mine) : undefined;
}

/** "Good connection · relayed": one side's end-of-call summary in words. */
export function summaryWords(summary: CallQualitySummary): string {
  return `${RATING_WORDS[summary.rating]} · ${summary.relayed ? 'relayed' : 'direct'}`;
}
