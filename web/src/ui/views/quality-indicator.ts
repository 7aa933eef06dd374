/**
 * The call's connection quality on the call screen: "Good/Fair/Poor connection" with a bars icon
 * (never colour alone), and its figures (round trip, loss, bitrates, route) on hover, focus or tap.
 */
import type { Call, QualitySample, Unsubscribe } from '../../client';
import { h } from '../dom';
import { icon } from '../icons';
import { RATING_ICONS, RATING_WORDS, sampleFigures } from '../quality-words';

let nextId = 0;

export class QualityIndicator {
  readonly element: HTMLElement;
  private readonly button: HTMLButtonElement;
  private readonly label = h('span', { class: 'quality-label' });
  private readonly figures: HTMLElement;
  private readonly subscription: Unsubscribe;
  /** Opened by a click or tap (stays until the next); hover and focus show it only meanwhile. */
  private pinned = false;

  constructor(call: Call) {
    const figuresId = `quality-figures-${++nextId}`;
    this.figures = h('dl', { class: 'quality-figures', id: figuresId, 'data-testid': 'quality-figures', hidden: true });
    this.button = h(
      'button',
      {
        class: 'quality-button',
        type: 'button',
        'data-testid': 'quality-indicator',
        'aria-expanded': 'false',
        'aria-controls': figuresId,
        onclick: () => {
          this.pinned = !this.pinned;
          this.setOpen(this.pinned);
        },
        onfocus: () => this.setOpen(true),
        onblur: () => this.setOpen(this.pinned),
      },
      this.label,
    );
    this.element = h(
      'div',
      {
        class: 'quality',
        hidden: true,
        onmouseenter: () => this.setOpen(true),
        onmouseleave: () => this.setOpen(this.pinned || this.button === document.activeElement),
      },
      this.button,
      this.figures,
    );
    this.subscription = call.on('quality', (sample) => this.render(sample));
    if (call.quality) this.render(call.quality);
  }

  dispose(): void {
    this.subscription();
  }

  private setOpen(open: boolean): void {
    this.figures.hidden = !open;
    this.button.setAttribute('aria-expanded', String(open));
  }

  private render(sample: QualitySample): void {
    this.element.hidden = false;
    this.element.dataset.rating = sample.rating;
    const words = RATING_WORDS[sample.rating];
    this.button.replaceChildren(icon(RATING_ICONS[sample.rating], 'icon icon-sm'), this.label);
    this.label.textContent = words;
    this.button.setAttribute('aria-label', `${words}: show figures`);
    this.figures.replaceChildren(
      ...sampleFigures(sample).flatMap(([label, value]) => [h('dt', {}, label), h('dd', { 'data-figure': label }, value)]),
    );
  }
}
