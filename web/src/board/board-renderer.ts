/**
 * Replays strokes onto a 2D canvas, in board coordinates (`scale` maps them to canvas pixels). Pens
 * paint their colour; erasers take away what lies under them, down to the paper behind the canvas.
 */
import type { Stroke } from './stroke';

/** The part of CanvasRenderingContext2D the board draws with. */
export type BoardSurface = Pick<
  CanvasRenderingContext2D,
  'setTransform' | 'clearRect' | 'beginPath' | 'moveTo' | 'lineTo' | 'arc' | 'stroke' | 'fill'
> & {
  lineWidth: number;
  strokeStyle: CanvasRenderingContext2D['strokeStyle'];
  fillStyle: CanvasRenderingContext2D['fillStyle'];
  lineCap: CanvasLineCap;
  lineJoin: CanvasLineJoin;
  globalCompositeOperation: GlobalCompositeOperation;
};

/** Clears `width` × `height` canvas pixels and draws every stroke, bottom to top. */
export function drawBoard(surface: BoardSurface, strokes: readonly Stroke[], scale: number, width: number, height: number): void {
  surface.setTransform(1, 0, 0, 1, 0, 0);
  surface.globalCompositeOperation = 'source-over';
  surface.clearRect(0, 0, width, height);
  for (const stroke of strokes) drawStroke(surface, stroke, scale, 0);
}

/** Draws `stroke` from its point `fromPoint` on (joined to the point before, so segments meet). */
export function drawStroke(surface: BoardSurface, stroke: Stroke, scale: number, fromPoint: number): void {
  const points = stroke.points;
  const count = points.length / 2;
  if (count === 0 || fromPoint >= count) return;
  surface.setTransform(scale, 0, 0, scale, 0, 0);
  surface.globalCompositeOperation = stroke.tool === 'eraser' ? 'destination-out' : 'source-over';
  surface.strokeStyle = stroke.colour;
  surface.fillStyle = stroke.colour;
  surface.lineWidth = stroke.width;
  surface.lineCap = 'round';
  surface.lineJoin = 'round';
  surface.beginPath();
  if (count === 1) {
    // A tap: a dot as wide as the pen.
    surface.arc(points[0] ?? 0, points[1] ?? 0, stroke.width / 2, 0, Math.PI * 2);
    surface.fill();
    return;
  }
  const start = Math.max(0, fromPoint - 1);
  surface.moveTo(points[start * 2] ?? 0, points[start * 2 + 1] ?? 0);
  for (let index = start + 1; index < count; index += 1) surface.lineTo(points[index * 2] ?? 0, points[index * 2 + 1] ?? 0);
  surface.stroke();
}
