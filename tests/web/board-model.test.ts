/**
 * The shared whiteboard's model: what each member sees after drawing, undoing and clearing, with
 * the other member's messages arriving whenever they do, and what a member who rejoins is handed.
 * Messages travel serialised, as over the data channel.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BOARD_HEIGHT,
  BOARD_WIDTH,
  parseBoardMessage,
  serializeBoardMessage,
  type BoardAuthor,
  type BoardMessage,
} from '../../shared/board-protocol';
import { MAX_BOARD_POINTS_PER_MESSAGE, MAX_BOARD_STROKES, MAX_PEER_MESSAGE_CHARS, MAX_STROKE_POINTS } from '../../shared/limits';
import { BoardModel } from '../../web/src/board/board-model';
import type { StrokeStyle } from '../../web/src/board/stroke';

const PEN: StrokeStyle = { tool: 'pen', colour: '#1d4ed8', width: 6 };
const RED: StrokeStyle = { tool: 'pen', colour: '#b91c1c', width: 4 };
const ERASER: StrokeStyle = { tool: 'eraser', colour: '#000000', width: 30 };

function board(me: BoardAuthor): BoardModel {
  let next = 0;
  return new BoardModel(me, { newId: () => `${me}-${++next}` });
}

/** Over the wire and back, as the data channel carries it. */
function deliver(messages: readonly BoardMessage[], to: BoardModel): void {
  for (const message of messages) {
    const wire = serializeBoardMessage(message);
    expect(wire.length).toBeLessThanOrEqual(MAX_PEER_MESSAGE_CHARS);
    const parsed = parseBoardMessage(wire);
    if (!parsed) throw new Error(`refused: ${wire.slice(0, 200)}`);
    to.apply(parsed);
  }
}

/** What a person sees: the strokes bottom to top, by id, with their points. */
const view = (model: BoardModel) =>
  model.strokes.map((s) => ({ id: s.id, author: s.author, tool: s.tool, colour: s.colour, points: s.points }));

/** Draws a line of `count` points from (x, y) to the right; returns the messages it sent. */
function drawLine(model: BoardModel, style: StrokeStyle, x: number, y: number, count = 3): BoardMessage[] {
  const begun = model.begin(style, x, y);
  if (!begun) throw new Error('the board refused a stroke');
  const points: number[] = [];
  for (let i = 1; i < count; i += 1) points.push(x + i * 10, y);
  return [...begun.messages, ...model.extend(begun.id, points).messages];
}

describe('drawing on one side shows on the other', () => {
  it('gives the other member the same strokes, with their author, pen, colour and points', () => {
    const tutor = board('tutor');
    const student = board('student');
    deliver(drawLine(tutor, PEN, 100, 100), student);
    deliver(drawLine(tutor, RED, 100, 200), student);

    expect(view(student)).toEqual(view(tutor));
    expect(view(student)).toEqual([
      { id: 'tutor-1', author: 'tutor', tool: 'pen', colour: '#1d4ed8', points: [100, 100, 110, 100, 120, 100] },
      { id: 'tutor-2', author: 'tutor', tool: 'pen', colour: '#b91c1c', points: [100, 200, 110, 200, 120, 200] },
    ]);
  });

  it('shows a stroke as it is drawn: each batch of points adds to the same stroke', () => {
    const tutor = board('tutor');
    const student = board('student');
    const begun = tutor.begin(PEN, 10, 10);
    deliver(begun?.messages ?? [], student);
    expect(student.strokes[0]?.points).toEqual([10, 10]);
    deliver(tutor.extend('tutor-1', [20, 20, 30, 30]).messages, student);
    deliver(tutor.extend('tutor-1', [40, 40]).messages, student);
    expect(student.strokes.map((s) => s.points)).toEqual([[10, 10, 20, 20, 30, 30, 40, 40]]);
  });

  it('keeps points on the board: what lies off it lands on its edge, in whole board units', () => {
    const tutor = board('tutor');
    const begun = tutor.begin(PEN, -20, 10.4);
    tutor.extend(begun?.id ?? '', [BOARD_WIDTH + 50, BOARD_HEIGHT + 50, 33.6, 12.5]);
    expect(tutor.strokes[0]?.points).toEqual([0, 10, BOARD_WIDTH, BOARD_HEIGHT, 34, 13]);
  });

  it('replays eraser strokes in the place they were drawn, over what came before them', () => {
    const tutor = board('tutor');
    const student = board('student');
    deliver(drawLine(tutor, PEN, 100, 100), student);
    deliver(drawLine(student, ERASER, 100, 100), tutor);
    deliver(drawLine(tutor, RED, 100, 100), student);
    expect(view(tutor).map((s) => s.tool)).toEqual(['pen', 'eraser', 'pen']);
    expect(view(student)).toEqual(view(tutor));
  });
});

describe('long strokes', () => {
  it('travel in chunks under the data channel message limit and arrive whole', () => {
    const tutor = board('tutor');
    const student = board('student');
    const begun = tutor.begin(PEN, BOARD_WIDTH, BOARD_HEIGHT);
    const points: number[] = [];
    for (let i = 0; i < MAX_BOARD_POINTS_PER_MESSAGE * 2 + 10; i += 1) points.push(BOARD_WIDTH - (i % 600), BOARD_HEIGHT - (i % 400));
    const sent = tutor.extend(begun?.id ?? '', points).messages;
    expect(sent).toHaveLength(3);
    deliver([...(begun?.messages ?? []), ...sent], student);
    expect(student.strokes[0]?.points).toHaveLength((points.length / 2 + 1) * 2);
    expect(view(student)).toEqual(view(tutor));
  });

  it('go on as a new stroke from where the longest stroke stops, so the line is not cut', () => {
    const tutor = board('tutor');
    const begun = tutor.begin(PEN, 0, 0);
    const points: number[] = [];
    for (let i = 1; i < MAX_STROKE_POINTS + 50; i += 1) points.push(i % BOARD_WIDTH, 5);
    const extended = tutor.extend(begun?.id ?? '', points);
    expect(extended.id).not.toBe(begun?.id);
    expect(tutor.strokes.map((s) => s.points.length / 2)).toEqual([MAX_STROKE_POINTS, 51]);
    const [first, second] = tutor.strokes;
    expect(second?.points.slice(0, 2)).toEqual(first?.points.slice(-2));
    expect(second?.colour).toBe(first?.colour);
  });
});

describe('undo', () => {
  it("takes back my own last stroke on both sides, never the other member's", () => {
    const tutor = board('tutor');
    const student = board('student');
    deliver(drawLine(tutor, PEN, 10, 10), student);
    deliver(drawLine(student, RED, 10, 50), tutor);
    deliver(drawLine(tutor, PEN, 10, 90), student);
    deliver(drawLine(student, RED, 10, 130), tutor);

    deliver(tutor.undo()?.messages ?? [], student);
    expect(view(student).map((s) => s.id)).toEqual(['tutor-1', 'student-1', 'student-2']);
    deliver(tutor.undo()?.messages ?? [], student);
    expect(view(student).map((s) => s.id)).toEqual(['student-1', 'student-2']);
    expect(tutor.canUndo).toBe(false);
    expect(tutor.undo()).toBeUndefined();
    expect(view(tutor)).toEqual(view(student));
  });

  it('keeps an undone stroke gone when its last points arrive after the undo', () => {
    const tutor = board('tutor');
    const student = board('student');
    const begun = tutor.begin(PEN, 10, 10);
    const later = tutor.extend(begun?.id ?? '', [20, 20]).messages;
    const undo = tutor.undo()?.messages ?? [];
    deliver(begun?.messages ?? [], student);
    deliver(undo, student);
    deliver(later, student);
    expect(student.strokes).toEqual([]);
  });
});

describe('clear', () => {
  it('wipes what both members drew, for both', () => {
    const tutor = board('tutor');
    const student = board('student');
    deliver(drawLine(tutor, PEN, 10, 10), student);
    deliver(drawLine(student, RED, 10, 50), tutor);
    deliver(student.clear().messages, tutor);
    expect(tutor.strokes).toEqual([]);
    expect(student.strokes).toEqual([]);
    deliver(drawLine(tutor, PEN, 10, 90), student);
    expect(view(student).map((s) => s.id)).toEqual(['tutor-2']);
  });

  it('leaves both boards alike when a stroke and a clear cross on the way', () => {
    const tutor = board('tutor');
    const student = board('student');
    deliver(drawLine(tutor, PEN, 10, 10), student);
    const stroke = drawLine(tutor, RED, 10, 50);
    const clear = student.clear().messages;
    deliver(clear, tutor);
    deliver(stroke, student);
    expect(view(student)).toEqual(view(tutor));
  });
});

describe('the board handed to a member who rejoins', () => {
  it('rebuilds the whole board on a fresh page: strokes, order, undos and clears', () => {
    const tutor = board('tutor');
    const student = board('student');
    deliver(drawLine(student, PEN, 10, 10), tutor);
    deliver(tutor.clear().messages, student);
    deliver(drawLine(tutor, PEN, 10, 50), student);
    deliver(drawLine(student, RED, 10, 90), tutor);
    deliver(drawLine(student, ERASER, 10, 90), tutor);
    deliver(student.undo()?.messages ?? [], tutor);

    const reloaded = board('student');
    deliver(tutor.snapshot(), reloaded);
    expect(view(reloaded)).toEqual(view(tutor));
    expect(view(reloaded).map((s) => s.id)).toEqual(['tutor-1', 'student-2']);
    expect(tutor.snapshot().at(-1)).toEqual({ v: 1, type: 'synced', strokes: 2 });
  });

  it('lets the rejoiner undo its own strokes it drew before the reload', () => {
    const tutor = board('tutor');
    const student = board('student');
    deliver(drawLine(student, RED, 10, 90), tutor);
    const reloaded = new BoardModel('student');
    deliver(tutor.snapshot(), reloaded);
    deliver(reloaded.undo()?.messages ?? [], tutor);
    expect(tutor.strokes).toEqual([]);
  });

  it('loses nothing when both sides hand over their boards at once, each having drawn while apart', () => {
    const tutor = board('tutor');
    const student = board('student');
    deliver(drawLine(tutor, PEN, 10, 10), student);
    // Apart: each draws; the tutor undoes its new stroke and then the one the student still has.
    drawLine(tutor, RED, 10, 50);
    tutor.undo();
    tutor.undo();
    drawLine(student, PEN, 10, 90);
    const fromTutor = tutor.snapshot();
    const fromStudent = student.snapshot();
    deliver(fromTutor, student);
    deliver(fromStudent, tutor);
    expect(view(tutor)).toEqual(view(student));
    expect(view(tutor).map((s) => s.id)).toEqual(['student-1']);
  });
});

it('refuses new strokes once the board holds as many as it may', () => {
  const tutor = board('tutor');
  for (let i = 0; i < MAX_BOARD_STROKES; i += 1) expect(tutor.begin(PEN, i % BOARD_WIDTH, 1)).toBeDefined();
  expect(tutor.isFull).toBe(true);
  expect(tutor.begin(PEN, 1, 1)).toBeUndefined();
  tutor.clear();
  expect(tutor.begin(PEN, 1, 1)).toBeDefined();
});

it('ignores what is not a board message of this version: unknown types, off-board points, odd coordinates, oversize frames', () => {
  const chunk = {
    v: 1,
    type: 'stroke',
    id: 'a',
    author: 'tutor',
    clock: 1,
    tool: 'pen',
    colour: '#000000',
    width: 4,
    from: 0,
    points: [1, 2],
  };
  expect(parseBoardMessage(JSON.stringify(chunk))).toEqual(chunk);
  expect(parseBoardMessage(JSON.stringify({ ...chunk, v: 2 }))).toBeUndefined();
  expect(parseBoardMessage(JSON.stringify({ ...chunk, type: 'laser' }))).toBeUndefined();
  expect(parseBoardMessage(JSON.stringify({ ...chunk, points: [1, 2, 3] }))).toBeUndefined();
  expect(parseBoardMessage(JSON.stringify({ ...chunk, points: [1, BOARD_HEIGHT + 1] }))).toBeUndefined();
  expect(parseBoardMessage(JSON.stringify({ ...chunk, colour: 'red' }))).toBeUndefined();
  expect(parseBoardMessage(JSON.stringify({ ...chunk, author: 'parent' }))).toBeUndefined();
  expect(parseBoardMessage(`{"v":1,"type":"synced","strokes":0,"pad":"${'x'.repeat(MAX_PEER_MESSAGE_CHARS)}"}`)).toBeUndefined();
  expect(parseBoardMessage('not json')).toBeUndefined();
});

/** Each member's actions, and the order in which the two message streams interleave on arrival. */
const actions = fc.array(
  fc.record({
    by: fc.constantFrom<BoardAuthor>('tutor', 'student'),
    what: fc.constantFrom('draw', 'erase', 'undo', 'clear', 'deliver'),
    x: fc.integer({ min: 0, max: BOARD_WIDTH - 100 }),
    count: fc.integer({ min: 1, max: 5 }),
  }),
  { maxLength: 40 },
);

it('always ends with the same board on both sides, whatever each does and however the messages cross', () => {
  fc.assert(
    fc.property(actions, (steps) => {
      const models = { tutor: board('tutor'), student: board('student') };
      // Messages in flight to each side, in channel order (the channel is ordered and reliable).
      const inFlight: Record<BoardAuthor, BoardMessage[]> = { tutor: [], student: [] };
      const other = (by: BoardAuthor): BoardAuthor => (by === 'tutor' ? 'student' : 'tutor');
      for (const step of steps) {
        const model = models[step.by];
        let sent: BoardMessage[] = [];
        if (step.what === 'draw') sent = drawLine(model, PEN, step.x, 100, step.count);
        if (step.what === 'erase') sent = drawLine(model, ERASER, step.x, 100, step.count);
        if (step.what === 'undo') sent = model.undo()?.messages ?? [];
        if (step.what === 'clear') sent = model.clear().messages;
        if (step.what === 'deliver') deliver(inFlight[step.by].splice(0, step.count), model);
        inFlight[other(step.by)].push(...sent);
      }
      deliver(inFlight.tutor.splice(0), models.tutor);
      deliver(inFlight.student.splice(0), models.student);
      expect(view(models.tutor)).toEqual(view(models.student));
      // And a page that joins afterwards, from either side's handover, sees the same.
      const late = board('student');
      deliver(models.tutor.snapshot(), late);
      expect(view(late)).toEqual(view(models.tutor));
    }),
    { numRuns: 300 },
  );
});
