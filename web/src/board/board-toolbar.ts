/**
 * The board's tools: pen and eraser, the colours, the line size, undo (my own last stroke) and
 * clear (for both members, after asking). Plain buttons, so each is reached by Tab and pressed with
 * Enter or Space; the pressed tool and colour say so (`aria-pressed`). Ctrl+Z (⌘Z) anywhere on the
 * board undoes too.
 */
import { h } from '../ui/dom';
import type { SharedBoard } from './shared-board';

/** Pen colours, each 4.5:1 or more against the white board. */
export const BOARD_COLOURS = [
  { name: 'black', label: 'Black', value: '#0f172a' },
  { name: 'blue', label: 'Blue', value: '#1d4ed8' },
  { name: 'red', label: 'Red', value: '#b91c1c' },
  { name: 'green', label: 'Green', value: '#15803d' },
  { name: 'orange', label: 'Orange', value: '#c2410c' },
  { name: 'purple', label: 'Purple', value: '#7e22ce' },
] as const;

export const BOARD_SIZES = [
  { label: 'Fine', value: 3 },
  { label: 'Medium', value: 6 },
  { label: 'Bold', value: 12 },
] as const;
export const DEFAULT_BOARD_SIZE = 6;

export interface BoardToolbarProps {
  board: SharedBoard;
  /** Asks before the board is cleared for both members. */
  confirmClear: (clear: () => void, asker: HTMLElement) => void;
}

export class BoardToolbar {
  readonly element: HTMLElement;
  private readonly pen: HTMLButtonElement;
  private readonly eraser: HTMLButtonElement;
  private readonly swatches: HTMLButtonElement[];
  private readonly undoButton: HTMLButtonElement;

  constructor(private readonly props: BoardToolbarProps) {
    const { board } = props;
    this.pen = h('button', { type: 'button', class: 'tool', 'data-testid': 'board-pen', onclick: () => board.usePen() }, 'Pen');
    this.eraser = h('button', { type: 'button', class: 'tool', 'data-testid': 'board-eraser', onclick: () => board.useEraser() }, 'Eraser');
    this.swatches = BOARD_COLOURS.map((colour) =>
      h('button', {
        type: 'button',
        class: 'swatch',
        style: `--swatch: ${colour.value}`,
        'aria-label': colour.label,
        title: colour.label,
        'data-testid': `board-colour-${colour.name}`,
        'data-colour': colour.value,
        onclick: () => board.usePen(colour.value),
      }),
    );
    const size = h(
      'select',
      { id: 'board-size', 'data-testid': 'board-size' },
      ...BOARD_SIZES.map((option) => h('option', { value: option.value, selected: option.value === DEFAULT_BOARD_SIZE }, option.label)),
    );
    size.addEventListener('change', () => board.setWidth(Number(size.value)));
    this.undoButton = h(
      'button',
      { type: 'button', class: 'tool', 'data-testid': 'board-undo', title: 'Undo my last stroke (Ctrl+Z)', onclick: () => board.undo() },
      'Undo',
    );
    const clear = h(
      'button',
      {
        type: 'button',
        class: 'tool tool-danger',
        'data-testid': 'board-clear',
        onclick: () => props.confirmClear(() => board.clear(), clear),
      },
      'Clear',
    );

    this.element = h(
      'div',
      { class: 'board-toolbar', role: 'toolbar', 'aria-label': 'Whiteboard tools' },
      h('div', { class: 'tool-group', role: 'group', 'aria-label': 'Tool' }, this.pen, this.eraser),
      h('div', { class: 'tool-group swatches', role: 'group', 'aria-label': 'Pen colour' }, ...this.swatches),
      h('label', { class: 'tool-size' }, h('span', {}, 'Size'), size),
      h('div', { class: 'tool-group', role: 'group', 'aria-label': 'Edit' }, this.undoButton, clear),
    );
    board.on('changed', () => this.update());
    this.update();
  }

  /** Ctrl+Z / ⌘Z on `region` undoes my last stroke. */
  listenForUndo(region: HTMLElement): void {
    region.addEventListener('keydown', (event) => {
      if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === 'z') {
        event.preventDefault();
        this.props.board.undo();
      }
    });
  }

  private update(): void {
    const { board } = this.props;
    this.pen.setAttribute('aria-pressed', String(board.tool === 'pen'));
    this.eraser.setAttribute('aria-pressed', String(board.tool === 'eraser'));
    for (const swatch of this.swatches)
      swatch.setAttribute('aria-pressed', String(board.tool === 'pen' && swatch.dataset.colour === board.colour));
    this.undoButton.disabled = !board.model.canUndo;
  }
}
