/**
 * A view loaded apart from the page's first script (its module fetched on demand), for the large
 * views nobody sees when the page opens. Loading starts at once, so the view is in by the time
 * anyone needs it; until then a hidden placeholder holds its place in the page. A failed load is
 * tried again by the next `load()`.
 */
import { h } from './dom';

export class DeferredView<View extends { readonly element: HTMLElement }> {
  /** Where the view goes: replaced by the view's own element once loaded. */
  readonly element = h('div', { hidden: true });
  private view: View | undefined;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly create: () => Promise<View>,
    /** Told once, when the view is in the page: it catches up on what happened meanwhile. */
    private readonly onLoaded: (view: View) => void,
  ) {
    this.load();
  }

  /** The view, once loaded. */
  get loaded(): View | undefined {
    return this.view;
  }

  load(): void {
    this.loading ??= this.create().then(
      (view) => {
        this.element.replaceWith(view.element);
        this.view = view;
        this.onLoaded(view);
      },
      (error: unknown) => {
        this.loading = undefined;
        console.error('a part of the page did not load', error);
      },
    );
  }
}
