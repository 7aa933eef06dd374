/**
 * The call settings dialog (with the device choices for the next call), loaded apart from the
 * page's first script: nobody sees it until they open it. The newest settings, a failed read and an
 * open asked for before it is in are passed on once it arrives.
 */
import type { CallSettings } from '../client';
import { DeferredView } from './deferred-view';
import type { SettingsPanel, SettingsPanelProps } from './views/settings-panel';

export class DeferredSettingsPanel {
  private readonly deferred: DeferredView<SettingsPanel>;
  private settings: CallSettings | undefined;
  private loadFailed = false;
  /** Asked to open before the panel was in: what gets the focus back when it closes. */
  private openAsked: { returnFocusTo: HTMLElement | undefined } | undefined;

  constructor(props: SettingsPanelProps) {
    this.deferred = new DeferredView(
      async () => new (await import('./views/settings-panel')).SettingsPanel(props),
      (panel) => {
        if (this.settings) panel.setSettings(this.settings);
        if (this.loadFailed) panel.setLoadFailed();
        if (this.openAsked) panel.open(this.openAsked.returnFocusTo);
        this.openAsked = undefined;
      },
    );
  }

  get element(): HTMLElement {
    return this.deferred.element;
  }

  get isOpen(): boolean {
    return this.deferred.loaded?.isOpen ?? this.openAsked !== undefined;
  }

  open(returnFocusTo?: HTMLElement): void {
    const panel = this.deferred.loaded;
    if (panel) {
      panel.open(returnFocusTo);
      return;
    }
    this.openAsked = { returnFocusTo };
    this.deferred.load();
  }

  close(): void {
    this.openAsked = undefined;
    this.deferred.loaded?.close();
  }

  setSettings(settings: CallSettings): void {
    this.settings = settings;
    this.loadFailed = false;
    this.deferred.loaded?.setSettings(settings);
  }

  setLoadFailed(): void {
    this.loadFailed = true;
    this.deferred.loaded?.setLoadFailed();
  }
}
