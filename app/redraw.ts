/**
 * Redraws while training, a few times a second and one view at a time. Each view that follows the
 * records (every chart, the summary, the sweep plots, the decision boundary) asks for its redraw
 * here; the queue starts one per animation frame, and the next only once that one is on screen.
 * A redraw renders as a React transition: React renders it in slices of a few milliseconds and
 * yields to the page in between, so that no redraw is one long task. (When the live charts were
 * drawn by recharts, one chart's redraw took 40–60 ms on SwiftShader, most of it recharts' store
 * updates, which render synchronously: the page soak's long tasks, scripts/page-soak.mjs and
 * scripts/trace-page.mjs. They are now our own SVG, components/LinePlot.tsx.) A view
 * whose redraw is slow (a sweep's charts: about a second for 96 lines on SwiftShader) redraws less
 * often, so that the page stays free for input. A view scrolled out of sight does not redraw at all
 * until it comes back (then at once, with the latest value).
 */
import { startTransition, useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';

/** Redraws waiting for their turn, by view (a view queued again before its turn is drawn once, with its latest value). */
const queue = new Map<object, () => void>();
let pumping = false;
/** The redraw started and not yet on screen: its view, when it started, and the wait after which the queue goes on anyway. */
let inFlight: { view: object; started: number; timer: ReturnType<typeof setTimeout> } | null = null;
/** How long each view's last redraw took, from its start to its commit (ms). */
const lastCost = new WeakMap<object, number>();
/** A view redraws at most once per this many times its last redraw's cost: a heavy view (96 lines of a sweep) keeps the page at least 95 % free. */
const COST_FACTOR = 20;
/** The longest a view waits, once its value stops changing, before it shows the latest (ms; see followStore). */
const QUIET_MAX_MS = 2000;
/** A redraw that shows nothing new never commits: the queue goes on after this long (ms). */
const GIVE_UP_MS = 2000;

function pump(): void {
  const next = queue.entries().next();
  if (next.done) {
    pumping = false;
    return;
  }
  const [view, redraw] = next.value;
  queue.delete(view);
  inFlight = { view, started: performance.now(), timer: setTimeout(() => drawn(view), GIVE_UP_MS) };
  startTransition(redraw); // rendered in slices; the view calls drawn() when it commits
}

/** `view`'s redraw is on screen (or will not be): the next view's turn, in the next frame. */
export function drawn(view: object): void {
  if (inFlight?.view !== view) return;
  clearTimeout(inFlight.timer);
  lastCost.set(view, performance.now() - inFlight.started);
  inFlight = null;
  requestAnimationFrame(pump);
}

/** Queues `redraw` of `view` for a frame of its own. */
export function queueRedraw(view: object, redraw: () => void): void {
  queue.set(view, redraw);
  if (!pumping) {
    pumping = true;
    requestAnimationFrame(pump);
  }
}

/** Forgets a view's queued redraw (it unmounted, or has a newer value coming). */
export function cancelRedraw(view: object): void {
  queue.delete(view);
}

/**
 * Whether `element` is in or near the viewport (IntersectionObserver, with a margin of half a
 * screen, so a view scrolled to is drawn by the time it shows); true where there is no observer.
 */
export function useOnScreen(element: RefObject<Element | null>): boolean {
  const [onScreen, setOnScreen] = useState(true);
  useEffect(() => {
    const target = element.current;
    if (!target || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => setOnScreen(entries.some((entry) => entry.isIntersecting)), { rootMargin: '50% 0px' });
    observer.observe(target);
    return () => observer.disconnect();
  }, [element]);
  return onScreen;
}

/** A store the views follow (the playground's zustand store): its state now, and a listener on every change. */
export interface FollowedStore<S> {
  getState(): S;
  subscribe(listener: (state: S) => void): () => void;
}

/**
 * Follows `select(store's state)` for `view` until the returned function is called: each change is
 * noted, and `show(value)` is queued (queueRedraw) at most every `ms`, or every COST_FACTOR times
 * the view's last redraw if longer; `shown()` is the value on screen (a redraw with nothing new
 * commits nothing). Once the changes stop (no change for three of their recent intervals, at least
 * `ms` and at most QUIET_MAX_MS: training paused or ended, a single edit), the latest value is
 * queued at once, whatever the view's cost: the last numbers never wait behind a heavy view's long
 * interval. (A summary whose first redraw took 400 ms on a busy page waited 8 s for its next, and
 * showed a run's loss as "–" for seconds after a pause.)
 */
export function followStore<S, T>(store: FollowedStore<S>, select: () => (state: S) => T, view: object, ms: number, shown: () => T, show: (value: T) => void): () => void {
  let latest = select()(store.getState());
  let timer: ReturnType<typeof setTimeout> | null = null;
  let quiet: ReturnType<typeof setTimeout> | null = null;
  let last = Number.NEGATIVE_INFINITY;
  /** When the last change came, and the recent interval between changes (an exponential mean; 0: none yet). */
  let changed = Number.NEGATIVE_INFINITY;
  let gap = 0;
  const redraw = () => {
    if (timer !== null) clearTimeout(timer);
    if (quiet !== null) clearTimeout(quiet);
    timer = quiet = null;
    queueRedraw(view, () => {
      last = performance.now();
      if (Object.is(shown(), latest)) drawn(view); // nothing new to show: no commit will come
      else show(latest);
    });
  };
  /** One redraw at a time, after the wait; it shows the latest value when its turn comes. */
  const schedule = () => {
    const now = performance.now();
    if (now - changed < QUIET_MAX_MS) gap = gap ? 0.8 * gap + 0.2 * (now - changed) : now - changed;
    changed = now;
    if (quiet !== null) clearTimeout(quiet);
    quiet = setTimeout(redraw, Math.min(QUIET_MAX_MS, Math.max(ms, 3 * gap)));
    if (timer !== null) return;
    const every = Math.max(ms, COST_FACTOR * (lastCost.get(view) ?? 0));
    timer = setTimeout(redraw, Math.max(0, every - (performance.now() - last)));
  };
  if (!Object.is(latest, shown())) schedule(); // changed while out of sight
  const unsubscribe = store.subscribe((state) => {
    const value = select()(state);
    if (Object.is(value, latest)) return;
    latest = value;
    schedule();
  });
  return () => {
    unsubscribe();
    if (timer !== null) clearTimeout(timer);
    if (quiet !== null) clearTimeout(quiet);
    cancelRedraw(view);
  };
}

/**
 * `select(store's state)`, updated as followStore says, one view at a time (see queueRedraw); not
 * while `visible` is false (a view out of sight), and at once with the latest value when it turns
 * true. The view does not render on every change of the store: the subscription only notes the
 * latest value, and the view renders when its redraw's turn comes (a transition). (Views that
 * subscribed with useLab and throttled the value rendered synchronously with every batch of
 * events: a 576-run summary table took most of a frame, several times a second.)
 */
export function useThrottledStore<S, T>(store: FollowedStore<S>, select: (state: S) => T, ms: number, visible = true): T {
  const [shown, setShown] = useState(() => select(store.getState()));
  const [view] = useState<object>(() => ({}));
  const current = useRef(shown);
  const selector = useRef(select);
  useLayoutEffect(() => {
    selector.current = select;
  }, [select]);
  useLayoutEffect(() => {
    current.current = shown;
    drawn(view);
  }, [shown, view]);
  useEffect(() => () => drawn(view), [view]); // unmounted with its redraw in flight
  useEffect(() => {
    if (!visible) return;
    return followStore(store, () => selector.current, view, ms, () => current.current, setShown);
  }, [store, ms, view, visible]);
  return shown;
}
