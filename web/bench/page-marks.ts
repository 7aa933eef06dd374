/**
 * What each bench page records about itself, on the epoch clock every page and the bench process
 * share (`performance.timeOrigin + performance.now()`, sub-millisecond): the clicks on test-id'd
 * elements (the click event's own timestamp, i.e. when the input was dispatched), when the incoming
 * call screen entered the DOM, each change of the call screen's `data-state`, and the browser's own
 * peer connection events. It reads only the UI's test ids and the standard RTCPeerConnection API,
 * never the client's code, so a change to how the client signals changes the figures, not the bench.
 */

export interface PageMarks {
  clicks: { testId: string; at: number }[];
  incomingShownAt: number[];
  statuses: { state: string; at: number }[];
  /** When a remote description (the offer on the callee, the answer on the caller) was applied. */
  remoteDescriptionAt: number[];
  /** When a peer connection reached `connectionState` "connected" (ICE and DTLS both done). */
  peerConnectedAt: number[];
}

declare global {
  interface Window {
    __setupMarks: PageMarks;
  }
}

/** Runs in every bench page before the app (playwright's `addInitScript`): self-contained. */
export function installPageMarks(): void {
  const epochNow = (): number => performance.timeOrigin + performance.now();
  const marks: PageMarks = { clicks: [], incomingShownAt: [], statuses: [], remoteDescriptionAt: [], peerConnectedAt: [] };
  Object.defineProperty(window, '__setupMarks', { value: marks });

  document.addEventListener(
    'click',
    (event) => {
      const target = event.target instanceof Element ? event.target.closest('[data-testid]') : null;
      const testId = target?.getAttribute('data-testid');
      if (testId) marks.clicks.push({ testId, at: performance.timeOrigin + event.timeStamp });
    },
    { capture: true },
  );

  let incomingShown = false;
  let lastState: string | null = null;
  new MutationObserver(() => {
    const at = epochNow();
    const incoming = document.querySelector('[data-testid="incoming-call"]') !== null;
    if (incoming && !incomingShown) marks.incomingShownAt.push(at);
    incomingShown = incoming;
    const state = document.querySelector('[data-testid="call-status"]')?.getAttribute('data-state') ?? null;
    if (state !== lastState && state !== null) marks.statuses.push({ state, at });
    lastState = state;
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });

  const prototype = RTCPeerConnection.prototype;
  const applyRemote: (this: RTCPeerConnection, description: RTCSessionDescriptionInit) => Promise<void> = prototype.setRemoteDescription;
  const watched = new WeakSet<RTCPeerConnection>();
  Object.defineProperty(prototype, 'setRemoteDescription', {
    configurable: true,
    writable: true,
    value: function setRemoteDescription(this: RTCPeerConnection, description: RTCSessionDescriptionInit): Promise<void> {
      if (!watched.has(this)) {
        watched.add(this);
        this.addEventListener('connectionstatechange', () => {
          if (this.connectionState === 'connected') marks.peerConnectedAt.push(epochNow());
        });
      }
      const applied = applyRemote.call(this, description);
      applied.then(
        () => marks.remoteDescriptionAt.push(epochNow()),
        () => undefined,
      );
      return applied;
    },
  });
}

/**
 * `installPageMarks` as an init script's source. Under tsx, the transform wraps named functions in
 * a `__name` helper that exists in this process only; the page gets a no-op one.
 */
export const PAGE_MARKS_SCRIPT = `var __name = (fn) => fn;\n(${installPageMarks.toString()})();`;

/** Empties a page's marks before the next call. */
export function clearPageMarks(): void {
  const marks = window.__setupMarks;
  for (const list of [marks.clicks, marks.incomingShownAt, marks.statuses, marks.remoteDescriptionAt, marks.peerConnectedAt]) {
    list.length = 0;
  }
}

export function readPageMarks(): PageMarks {
  return JSON.parse(JSON.stringify(window.__setupMarks)) as PageMarks;
}
