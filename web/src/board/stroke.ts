/** One stroke of the board, and the order every browser replays strokes in. */
import type { BoardAuthor, BoardTool } from '../../../shared/board-protocol';

export interface StrokeStyle {
  tool: BoardTool;
  colour: string;
  width: number;
}

export interface Stroke extends StrokeStyle {
  readonly id: string;
  readonly author: BoardAuthor;
  /** Lamport clock when it was begun: its place in the board's order. */
  readonly clock: number;
  /** Flattened board coordinates `[x0, y0, x1, y1, …]`; only ever grows. */
  readonly points: number[];
}

/** A place in the board's order: strokes by clock, then author; a clear's mark compares the same way. */
export interface BoardMark {
  clock: number;
  author: BoardAuthor;
}

export function compareMarks(a: BoardMark, b: BoardMark): number {
  return a.clock - b.clock || (a.author < b.author ? -1 : a.author > b.author ? 1 : 0);
}

/** Replay order; ids break the tie only between strokes that claim the same author and clock. */
export function compareStrokes(a: Stroke, b: Stroke): number {
  return compareMarks(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function pointCount(stroke: Stroke): number {
  return stroke.points.length / 2;
}
