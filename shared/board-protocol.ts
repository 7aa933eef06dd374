/**
 * The session call's shared whiteboard, peer to peer (PROTOCOL.md, "The whiteboard channel (session calls)"): what
 * the two browsers of a session call send each other over a data channel of their own, never
 * through the server.
 *
 * The board is a set of strokes, each made by one member and ordered by a Lamport clock (then by
 * author, then by id), so both browsers replay the same strokes in the same order whatever order
 * their messages crossed in. Every message is safe to receive twice and in any order relative to
 * the other member's: a stroke chunk adds the points it carries beyond those already known, a
 * `remove` deletes strokes for good, a `clear` removes every stroke ordered before it. So the whole
 * board handed to a member who rejoins is nothing but these same messages, sent again.
 */
import * as v from 'valibot';
import { MAX_BOARD_POINTS_PER_MESSAGE, MAX_BOARD_REMOVALS_PER_MESSAGE, MAX_BOARD_STROKES, MAX_PEER_MESSAGE_CHARS } from './limits';
import { SESSION_ROLES, type SessionRole } from './session-protocol';

/**
 * A negotiated channel of its own (the call's `callsignal` channel has id 0): a board handed over
 * whole, or a long stroke, never holds up the small in-call messages behind it, and the board's
 * messages can change version without touching the call's.
 */
export const BOARD_CHANNEL = { label: 'whiteboard', id: 1 } as const;
export const BOARD_PROTOCOL_VERSION = 1;

/** Board coordinates: integers on a fixed 16:10 surface, whatever the size of either screen. */
export const BOARD_WIDTH = 1_600;
export const BOARD_HEIGHT = 1_000;
export const MIN_STROKE_WIDTH = 1;
export const MAX_STROKE_WIDTH = 80;

/** Strokes are the session members', by role. */
export const BOARD_AUTHORS = SESSION_ROLES;
export type BoardAuthor = SessionRole;

/** `eraser` strokes take away what was drawn before them (in board order), down to the paper. */
export const BOARD_TOOLS = ['pen', 'eraser'] as const;
export type BoardTool = (typeof BOARD_TOOLS)[number];

const StrokeIdSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,32}$/));
const ClockSchema = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const CoordinateSchema = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(BOARD_WIDTH));

/**
 * Part of a stroke: its header (repeated in every chunk, so each stands alone) and points `from`
 * onwards, flattened as `[x0, y0, x1, y1, …]`. The first chunk has `from: 0`.
 */
export const StrokeChunkSchema = v.object({
  v: v.literal(BOARD_PROTOCOL_VERSION),
  type: v.literal('stroke'),
  id: StrokeIdSchema,
  author: v.picklist(BOARD_AUTHORS),
  clock: ClockSchema,
  tool: v.picklist(BOARD_TOOLS),
  colour: v.pipe(v.string(), v.regex(/^#[0-9a-f]{6}$/)),
  width: v.pipe(v.number(), v.integer(), v.minValue(MIN_STROKE_WIDTH), v.maxValue(MAX_STROKE_WIDTH)),
  from: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  points: v.pipe(
    v.array(CoordinateSchema),
    v.maxLength(MAX_BOARD_POINTS_PER_MESSAGE * 2),
    v.check((points) => points.length % 2 === 0, 'points come in x, y pairs'),
    v.check((points) => points.every((value, index) => index % 2 === 0 || value <= BOARD_HEIGHT), 'y lies on the board'),
  ),
});

/** Strokes undone (by their author); they never come back, whatever chunk of theirs arrives later. */
export const RemoveStrokesSchema = v.object({
  v: v.literal(BOARD_PROTOCOL_VERSION),
  type: v.literal('remove'),
  ids: v.pipe(v.array(StrokeIdSchema), v.minLength(1), v.maxLength(MAX_BOARD_REMOVALS_PER_MESSAGE)),
});

/** The board cleared: every stroke ordered before (`clock`, `author`) is gone, on both sides. */
export const ClearBoardSchema = v.object({
  v: v.literal(BOARD_PROTOCOL_VERSION),
  type: v.literal('clear'),
  clock: ClockSchema,
  author: v.picklist(BOARD_AUTHORS),
});

/** The end of a whole board sent when the channel opened: what the receiver now has matches the sender's. */
export const BoardSyncedSchema = v.object({
  v: v.literal(BOARD_PROTOCOL_VERSION),
  type: v.literal('synced'),
  strokes: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(MAX_BOARD_STROKES)),
});

export const BoardMessageSchema = v.variant('type', [StrokeChunkSchema, RemoveStrokesSchema, ClearBoardSchema, BoardSyncedSchema]);
export type BoardMessage = v.InferOutput<typeof BoardMessageSchema>;
export type StrokeChunk = v.InferOutput<typeof StrokeChunkSchema>;
export type RemoveStrokes = v.InferOutput<typeof RemoveStrokesSchema>;
export type ClearBoard = v.InferOutput<typeof ClearBoardSchema>;

/** A received message, or undefined for anything to ignore (too long, not JSON, another version, malformed). */
export function parseBoardMessage(data: string): BoardMessage | undefined {
  if (data.length > MAX_PEER_MESSAGE_CHARS) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  const message = v.safeParse(BoardMessageSchema, parsed);
  return message.success ? message.output : undefined;
}

export function serializeBoardMessage(message: BoardMessage): string {
  return JSON.stringify(message);
}
