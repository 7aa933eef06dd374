/**
 * The shared whiteboard's state on one side of a session call: every stroke either member drew,
 * undos and clears, merged from the local member's actions and the other member's messages alike.
 *
 * Local actions are turned into the board messages that describe them and applied through the same
 * path as received ones, so both sides apply exactly the same rules. Merging is idempotent and
 * order-free (see shared/board-protocol.ts), so the board handed over when a data channel opens is
 * just `snapshot()`: every message that would rebuild this side's board, whatever the other side has.
 */
import {
  BOARD_HEIGHT,
  BOARD_PROTOCOL_VERSION,
  BOARD_WIDTH,
  MAX_STROKE_WIDTH,
  MIN_STROKE_WIDTH,
  type BoardAuthor,
  type BoardMessage,
  type ClearBoard,
  type RemoveStrokes,
  type StrokeChunk,
} from '../../../shared/board-protocol';
import { MAX_BOARD_POINTS, MAX_BOARD_STROKES, MAX_BOARD_TOMBSTONES, MAX_STROKE_POINTS } from '../../../shared/limits';
import { removalMessages, strokeChunks } from './board-messages';
import { compareMarks, compareStrokes, pointCount, type BoardMark, type Stroke, type StrokeStyle } from './stroke';

/** What a message did to what is on screen. */
export type BoardChange =
  | { kind: 'none' }
  /** New points at the end of the topmost stroke: drawing them over the canvas is the same as replaying it. */
  | { kind: 'extended'; stroke: Stroke; fromPoint: number }
  /** Anything else visible: replay the whole board. */
  | { kind: 'redraw' };

export interface LocalAction {
  /** For the other member, in order. */
  messages: BoardMessage[];
  change: BoardChange;
}

export interface StrokeAction extends LocalAction {
  /** The stroke being drawn now: a stroke that reached its longest goes on as a new one. */
  id: string;
}

const NONE: BoardChange = { kind: 'none' };
const REDRAW: BoardChange = { kind: 'redraw' };

export interface BoardModelOptions {
  /** Stroke ids (tests pass a predictable one). */
  newId?: () => string;
}

export class BoardModel {
  private clock = 0;
  private readonly byId = new Map<string, Stroke>();
  /** Every stroke on the board, in replay order. */
  private readonly ordered: Stroke[] = [];
  /** Undone strokes, with their place in the order when known (a clear past it lets it go). */
  private readonly tombstones = new Map<string, BoardMark | undefined>();
  private cleared: BoardMark | undefined;
  private points = 0;
  private readonly newId: () => string;

  constructor(
    readonly me: BoardAuthor,
    options: BoardModelOptions = {},
  ) {
    this.newId = options.newId ?? randomStrokeId;
  }

  /** What is on the board, bottom to top. */
  get strokes(): readonly Stroke[] {
    return this.ordered;
  }

  get pointTotal(): number {
    return this.points;
  }

  /** Whether `undo()` has one of my own strokes to take back. */
  get canUndo(): boolean {
    return this.ordered.some((stroke) => stroke.author === this.me);
  }

  get isFull(): boolean {
    return this.ordered.length >= MAX_BOARD_STROKES || this.points >= MAX_BOARD_POINTS;
  }

  // -----------------------------------------------------------------------------------------------
  // The local member's actions
  // -----------------------------------------------------------------------------------------------

  /** Starts a stroke at `x, y`; undefined when the board is full (nothing is drawn or sent). */
  begin(style: StrokeStyle, x: number, y: number): StrokeAction | undefined {
    if (this.isFull) return undefined;
    this.clock += 1;
    const stroke: Stroke = {
      id: this.newId(),
      author: this.me,
      clock: this.clock,
      tool: style.tool,
      colour: style.colour,
      width: clampWidth(style.width),
      points: [],
    };
    const messages = strokeChunks(stroke, 0, [boardX(x), boardY(y)]);
    return { id: stroke.id, messages, change: this.applyAll(messages) };
  }

  /** More points (flattened x, y) of my stroke `id`, as far as the board has room. */
  extend(id: string, points: readonly number[]): StrokeAction {
    const stroke = this.byId.get(id);
    if (!stroke || stroke.author !== this.me) return { id, messages: [], change: NONE };
    const quantised = quantise(points);
    const room = Math.min(MAX_STROKE_POINTS - pointCount(stroke), MAX_BOARD_POINTS - this.points);
    const fitting = quantised.slice(0, Math.max(0, room) * 2);
    const messages = strokeChunks(stroke, pointCount(stroke), fitting);
    const change = this.applyAll(messages);
    const rest = quantised.slice(fitting.length);
    if (rest.length === 0 || pointCount(stroke) < MAX_STROKE_POINTS) return { id, messages, change };

    // The stroke is as long as a stroke may be: the line goes on as a new one from where it stopped.
    const last = stroke.points.slice(-2);
    const next = this.begin(stroke, last[0] ?? 0, last[1] ?? 0);
    if (!next) return { id, messages, change };
    const more = this.extend(next.id, rest);
    return {
      id: more.id,
      messages: [...messages, ...next.messages, ...more.messages],
      change: combine(combine(change, next.change), more.change),
    };
  }

  /** Takes back my own last stroke still on the board; undefined when there is none. */
  undo(): LocalAction | undefined {
    const mine = this.ordered.findLast((stroke) => stroke.author === this.me);
    if (!mine) return undefined;
    const messages = removalMessages([mine.id]);
    return { messages, change: this.applyAll(messages) };
  }

  /** Clears the board for both members: everything drawn so far, by either. */
  clear(): LocalAction {
    this.clock += 1;
    const message: ClearBoard = { v: BOARD_PROTOCOL_VERSION, type: 'clear', clock: this.clock, author: this.me };
    return { messages: [message], change: this.apply(message) };
  }

  /** The whole board as messages, ending with `synced`: sent to the other member when a channel opens. */
  snapshot(): BoardMessage[] {
    const messages: BoardMessage[] = [];
    if (this.cleared) messages.push({ v: BOARD_PROTOCOL_VERSION, type: 'clear', ...this.cleared });
    messages.push(...removalMessages([...this.tombstones.keys()]));
    for (const stroke of this.ordered) messages.push(...strokeChunks(stroke, 0, stroke.points));
    messages.push({ v: BOARD_PROTOCOL_VERSION, type: 'synced', strokes: this.ordered.length });
    return messages;
  }

  // -----------------------------------------------------------------------------------------------
  // Messages, from either member
  // -----------------------------------------------------------------------------------------------

  apply(message: BoardMessage): BoardChange {
    switch (message.type) {
      case 'stroke':
        return this.applyChunk(message);
      case 'remove':
        return this.applyRemoval(message);
      case 'clear':
        return this.applyClear(message);
      case 'synced':
        return NONE;
    }
  }

  private applyAll(messages: readonly BoardMessage[]): BoardChange {
    return messages.reduce<BoardChange>((change, message) => combine(change, this.apply(message)), NONE);
  }

  private applyChunk(chunk: StrokeChunk): BoardChange {
    this.clock = Math.max(this.clock, chunk.clock);
    if (this.tombstones.has(chunk.id) || this.isCleared(chunk)) return NONE;
    let stroke = this.byId.get(chunk.id);
    if (!stroke) {
      // A stroke whose start never came is left to the whole board the next channel brings.
      if (chunk.from !== 0 || chunk.points.length === 0 || this.ordered.length >= MAX_BOARD_STROKES) return NONE;
      stroke = {
        id: chunk.id,
        author: chunk.author,
        clock: chunk.clock,
        tool: chunk.tool,
        colour: chunk.colour,
        width: chunk.width,
        points: [],
      };
      this.insert(stroke);
    } else if (stroke.author !== chunk.author || stroke.clock !== chunk.clock) {
      return NONE;
    }

    const known = pointCount(stroke);
    if (chunk.from > known) return NONE;
    const room = Math.max(0, Math.min(MAX_STROKE_POINTS - known, MAX_BOARD_POINTS - this.points));
    const fresh = chunk.points.slice((known - chunk.from) * 2, (known - chunk.from + room) * 2);
    if (fresh.length === 0) return known === 0 ? this.removeEmpty(stroke) : NONE;
    stroke.points.push(...fresh);
    this.points += fresh.length / 2;
    return this.ordered.at(-1) === stroke ? { kind: 'extended', stroke, fromPoint: known } : REDRAW;
  }

  private applyRemoval(message: RemoveStrokes): BoardChange {
    let change = NONE;
    for (const id of message.ids) {
      const stroke = this.byId.get(id);
      this.remember(id, stroke);
      if (stroke) {
        this.delete(stroke);
        change = REDRAW;
      }
    }
    return change;
  }

  private applyClear(message: ClearBoard): BoardChange {
    this.clock = Math.max(this.clock, message.clock);
    const mark: BoardMark = { clock: message.clock, author: message.author };
    if (this.cleared && compareMarks(mark, this.cleared) <= 0) return NONE;
    this.cleared = mark;
    for (const [id, place] of this.tombstones) {
      if (place && this.isCleared(place)) this.tombstones.delete(id);
    }
    const gone = this.ordered.filter((stroke) => this.isCleared(stroke));
    for (const stroke of gone) this.delete(stroke);
    return gone.length > 0 ? REDRAW : NONE;
  }

  private isCleared(place: BoardMark): boolean {
    return this.cleared !== undefined && compareMarks(place, this.cleared) < 0;
  }

  private insert(stroke: Stroke): void {
    this.byId.set(stroke.id, stroke);
    let index = this.ordered.length;
    while (index > 0 && compareStrokes(this.ordered[index - 1]!, stroke) > 0) index -= 1;
    this.ordered.splice(index, 0, stroke);
  }

  private delete(stroke: Stroke): void {
    this.byId.delete(stroke.id);
    this.ordered.splice(this.ordered.indexOf(stroke), 1);
    this.points -= pointCount(stroke);
  }

  private removeEmpty(stroke: Stroke): BoardChange {
    this.delete(stroke);
    return NONE;
  }

  private remember(id: string, stroke: Stroke | undefined): void {
    this.tombstones.delete(id);
    this.tombstones.set(id, stroke ? { clock: stroke.clock, author: stroke.author } : undefined);
    if (this.tombstones.size > MAX_BOARD_TOMBSTONES) {
      const oldest = this.tombstones.keys().next().value;
      if (oldest !== undefined) this.tombstones.delete(oldest);
    }
  }
}

function combine(a: BoardChange, b: BoardChange): BoardChange {
  if (a.kind === 'none') return b;
  if (b.kind === 'none') return a;
  if (a.kind === 'extended' && b.kind === 'extended' && a.stroke === b.stroke) return a;
  return REDRAW;
}

function boardX(x: number): number {
  return Math.min(BOARD_WIDTH, Math.max(0, Math.round(x)));
}

function boardY(y: number): number {
  return Math.min(BOARD_HEIGHT, Math.max(0, Math.round(y)));
}

function quantise(points: readonly number[]): number[] {
  const even = points.length - (points.length % 2);
  const result: number[] = [];
  for (let index = 0; index < even; index += 2) result.push(boardX(points[index] ?? 0), boardY(points[index + 1] ?? 0));
  return result;
}

function clampWidth(width: number): number {
  return Math.min(MAX_STROKE_WIDTH, Math.max(MIN_STROKE_WIDTH, Math.round(width)));
}

/** 16 random characters of `[A-Za-z0-9_-]`: getRandomValues works on plain-http pages too, unlike randomUUID. */
function randomStrokeId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => alphabet[byte % 64]).join('');
}
