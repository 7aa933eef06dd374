/**
 * One member's whiteboard for the life of the session page: the model, the canvas, the tools in
 * hand, and whichever data channel the call has now. Each new channel (a new generation of the
 * session call's peer connection) gets the whole board as it opens; the other member's messages
 * are merged as they come; drawing goes on while no channel is open and reaches the other member
 * with the next handover.
 */
import type { BoardAuthor, BoardMessage, BoardTool } from '../../../shared/board-protocol';
import { Emitter } from '../client';
import { BoardCanvas } from './board-canvas';
import type { BoardChannel } from './board-channel';
import { BoardModel, type BoardChange, type LocalAction } from './board-model';
import type { StrokeStyle } from './stroke';

/** Pointer samples closer than this (board units) to the last point kept add nothing visible. */
const MIN_POINT_DISTANCE = 1.5;

export interface SharedBoardEvents {
  /** The strokes, the tools or what may be undone changed. */
  changed: undefined;
  /** The board came from the other member whole (`synced`), after a channel opened. */
  synced: { strokes: number };
  /** A stroke was refused: the board holds all it may. */
  full: undefined;
}

export class SharedBoard extends Emitter<SharedBoardEvents> {
  readonly model: BoardModel;
  readonly canvas: BoardCanvas;
  private style: StrokeStyle;
  private penColour: string;
  private drawing: string | undefined;
  private lastPoint: [number, number] | undefined;
  private channel: BoardChannel | undefined;
  private detachChannel: (() => void) | undefined;

  constructor(me: BoardAuthor, colour: string, width: number) {
    super();
    this.model = new BoardModel(me);
    this.penColour = colour;
    this.style = { tool: 'pen', colour, width };
    this.canvas = new BoardCanvas(
      () => this.model.strokes,
      { down: (x, y) => this.down(x, y), move: (points) => this.move(points), up: () => this.up() },
      'Shared whiteboard',
    );
  }

  get tool(): BoardTool {
    return this.style.tool;
  }

  get colour(): string {
    return this.penColour;
  }

  /** Uses the next channel; the board is handed over as soon as it opens. */
  attach(channel: BoardChannel): void {
    this.detachChannel?.();
    this.channel = channel;
    const offOpen = channel.on('open', () => channel.send(this.model.snapshot()));
    const offMessage = channel.on('message', (message) => this.received(message));
    if (channel.isOpen) channel.send(this.model.snapshot());
    this.detachChannel = () => {
      offOpen();
      offMessage();
      if (this.channel === channel) this.channel = undefined;
    };
  }

  detach(): void {
    this.detachChannel?.();
    this.detachChannel = undefined;
  }

  usePen(colour = this.penColour): void {
    this.penColour = colour;
    this.style = { ...this.style, tool: 'pen', colour };
    this.emit('changed', undefined);
  }

  useEraser(): void {
    this.style = { ...this.style, tool: 'eraser', colour: '#000000' };
    this.emit('changed', undefined);
  }

  setWidth(width: number): void {
    this.style = { ...this.style, width };
    this.emit('changed', undefined);
  }

  undo(): void {
    this.local(this.model.undo());
  }

  clear(): void {
    this.local(this.model.clear());
  }

  destroy(): void {
    this.detach();
    this.canvas.destroy();
    this.removeAllListeners();
  }

  private received(message: BoardMessage): void {
    this.show(this.model.apply(message));
    if (message.type === 'synced') this.emit('synced', { strokes: message.strokes });
  }

  private down(x: number, y: number): void {
    // The eraser is wider than the pen in hand, so it is quick to rub out with.
    const style = this.style.tool === 'eraser' ? { ...this.style, width: this.style.width * 4 } : this.style;
    const begun = this.model.begin(style, x, y);
    if (!begun) {
      this.emit('full', undefined);
      return;
    }
    this.drawing = begun.id;
    this.lastPoint = [x, y];
    this.local(begun);
  }

  private move(points: number[]): void {
    if (this.drawing === undefined) return;
    const kept: number[] = [];
    for (let index = 0; index + 1 < points.length; index += 2) {
      const x = points[index] ?? 0;
      const y = points[index + 1] ?? 0;
      const last = this.lastPoint;
      if (last && Math.hypot(x - last[0], y - last[1]) < MIN_POINT_DISTANCE) continue;
      kept.push(x, y);
      this.lastPoint = [x, y];
    }
    if (kept.length === 0) return;
    const extended = this.model.extend(this.drawing, kept);
    this.drawing = extended.id;
    this.local(extended);
  }

  private up(): void {
    this.drawing = undefined;
    this.lastPoint = undefined;
  }

  private local(action: LocalAction | undefined): void {
    if (!action) return;
    this.channel?.send(action.messages);
    this.show(action.change);
  }

  private show(change: BoardChange): void {
    this.canvas.show(change);
    if (change.kind !== 'none') this.emit('changed', undefined);
  }
}
