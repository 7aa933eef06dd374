/**
 * The board on screen: a canvas kept at the board's 16:10 shape and the screen's pixel density,
 * redrawn from the model (a whole replay at most once a frame; new points of the topmost stroke
 * drawn at once), and the pointer (mouse, pen, finger) turned into stroke points in board units.
 */
import { BOARD_HEIGHT, BOARD_WIDTH } from '../../../shared/board-protocol';
import { h } from '../ui/dom';
import type { BoardChange } from './board-model';
import { drawBoard, drawStroke } from './board-renderer';
import type { Stroke } from './stroke';

export interface BoardPointer {
  /** A stroke starts at this board point. */
  down(x: number, y: number): void;
  /** More board points of it (flattened x, y), a frame's worth at a time. */
  move(points: number[]): void;
  up(): void;
}

export class BoardCanvas {
  readonly element: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  private scale = 1;
  private redrawFrame: number | undefined;
  private pendingPoints: number[] = [];
  private pointerFrame: number | undefined;
  private activePointer: number | undefined;
  private readonly resizeObserver: ResizeObserver;

  constructor(
    private readonly strokes: () => readonly Stroke[],
    private readonly pointer: BoardPointer,
    label: string,
  ) {
    this.element = h('canvas', {
      class: 'board-canvas',
      'data-testid': 'board-canvas',
      role: 'img',
      'aria-label': label,
      width: BOARD_WIDTH,
      height: BOARD_HEIGHT,
    });
    const context = this.element.getContext('2d');
    if (!context) throw new Error('This browser cannot draw on a canvas');
    this.context = context;
    this.element.addEventListener('pointerdown', (event) => this.pointerDown(event));
    this.element.addEventListener('pointermove', (event) => this.pointerMove(event));
    this.element.addEventListener('pointerup', (event) => this.pointerUp(event));
    this.element.addEventListener('pointercancel', (event) => this.pointerUp(event));
    this.resizeObserver = new ResizeObserver(() => this.fit());
    this.resizeObserver.observe(this.element);
  }

  /** Shows what a model change did. */
  show(change: BoardChange): void {
    if (change.kind === 'none') return;
    if (change.kind === 'extended' && this.redrawFrame === undefined) {
      drawStroke(this.context, change.stroke, this.scale, change.fromPoint);
      return;
    }
    this.redrawFrame ??= requestAnimationFrame(() => {
      this.redrawFrame = undefined;
      this.redraw();
    });
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    if (this.redrawFrame !== undefined) cancelAnimationFrame(this.redrawFrame);
    if (this.pointerFrame !== undefined) cancelAnimationFrame(this.pointerFrame);
  }

  private redraw(): void {
    drawBoard(this.context, this.strokes(), this.scale, this.element.width, this.element.height);
  }

  /** Canvas pixels follow its size on screen (times the pixel density), so lines stay sharp. */
  private fit(): void {
    const cssWidth = this.element.clientWidth;
    if (cssWidth === 0) return;
    const width = Math.round(cssWidth * (window.devicePixelRatio || 1));
    const height = Math.round((width * BOARD_HEIGHT) / BOARD_WIDTH);
    if (width === this.element.width && height === this.element.height) return;
    this.element.width = width;
    this.element.height = height;
    this.scale = width / BOARD_WIDTH;
    this.redraw();
  }

  private boardPoint(event: PointerEvent): [number, number] {
    const box = this.element.getBoundingClientRect();
    return [((event.clientX - box.left) / box.width) * BOARD_WIDTH, ((event.clientY - box.top) / box.height) * BOARD_HEIGHT];
  }

  private pointerDown(event: PointerEvent): void {
    if (this.activePointer !== undefined || (event.pointerType === 'mouse' && event.button !== 0)) return;
    event.preventDefault();
    this.activePointer = event.pointerId;
    this.element.setPointerCapture(event.pointerId);
    const [x, y] = this.boardPoint(event);
    this.pointer.down(x, y);
  }

  private pointerMove(event: PointerEvent): void {
    if (event.pointerId !== this.activePointer) return;
    // Every sample the browser merged into this event, for smooth lines at any frame rate.
    const samples = event.getCoalescedEvents?.() ?? [];
    for (const sample of samples.length > 0 ? samples : [event]) this.pendingPoints.push(...this.boardPoint(sample));
    this.pointerFrame ??= requestAnimationFrame(() => this.flushPoints());
  }

  private pointerUp(event: PointerEvent): void {
    if (event.pointerId !== this.activePointer) return;
    this.flushPoints();
    this.activePointer = undefined;
    this.pointer.up();
  }

  private flushPoints(): void {
    if (this.pointerFrame !== undefined) cancelAnimationFrame(this.pointerFrame);
    this.pointerFrame = undefined;
    if (this.pendingPoints.length === 0) return;
    const points = this.pendingPoints;
    this.pendingPoints = [];
    this.pointer.move(points);
  }
}
