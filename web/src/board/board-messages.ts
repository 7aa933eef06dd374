/**
 * Strokes and undos as board messages (shared/board-protocol.ts), split to the per-message bounds:
 * a long stroke becomes several chunks, many undone ids several `remove` messages.
 */
import { BOARD_PROTOCOL_VERSION, type RemoveStrokes, type StrokeChunk } from '../../../shared/board-protocol';
import { MAX_BOARD_POINTS_PER_MESSAGE, MAX_BOARD_REMOVALS_PER_MESSAGE } from '../../../shared/limits';
import type { Stroke } from './stroke';

/**
 * Chunks carrying `points` (flattened x, y) of `stroke`, the first of them being its point number
 * `fromPoint`; each chunk repeats the stroke's header.
 */
export function strokeChunks(stroke: Stroke, fromPoint: number, points: readonly number[]): StrokeChunk[] {
  const chunks: StrokeChunk[] = [];
  const perChunk = MAX_BOARD_POINTS_PER_MESSAGE * 2;
  for (let offset = 0; offset < points.length; offset += perChunk) {
    chunks.push({
      v: BOARD_PROTOCOL_VERSION,
      type: 'stroke',
      id: stroke.id,
      author: stroke.author,
      clock: stroke.clock,
      tool: stroke.tool,
      colour: stroke.colour,
      width: stroke.width,
      from: fromPoint + offset / 2,
      points: points.slice(offset, offset + perChunk),
    });
  }
  return chunks;
}

export function removalMessages(ids: readonly string[]): RemoveStrokes[] {
  const messages: RemoveStrokes[] = [];
  for (let offset = 0; offset < ids.length; offset += MAX_BOARD_REMOVALS_PER_MESSAGE) {
    messages.push({ v: BOARD_PROTOCOL_VERSION, type: 'remove', ids: ids.slice(offset, offset + MAX_BOARD_REMOVALS_PER_MESSAGE) });
  }
  return messages;
}
