/**
 * Redraws while training, a few times a second and one view per animation frame. Each view that
 * follows the records (every chart, the summary, the sweep plots, the decision boundary) asks for
 * its redraw here; the queue runs one per frame, rendered synchronously in that frame, so that the
 * page never does them all in one task: six charts redrawn together took 100–250 ms on SwiftShader
 * (the page soak's long tasks, scripts/page-soak.mjs), one at a time each takes 15–30 ms. A view
 * whose redraw is slow (a sweep's charts: about a second for 96 lines on SwiftShader) redraws less
 * often, so that the page stays free for input. A view scrolled out of sight does not redraw at all
 * until it comes back (then at once, with the latest value).
 */
import { useEffect, useRef, useState, type RefObject } from 'react';
import { flushSync } from 'react-dom';

/** Redraws waiting for a frame, by view (a view queued again before its turn is drawn once, with its latest value). */
const queue = new Map<object, () => void>();
let pumping = false;
/** How long each view's last redraw took (ms). */
const lastCost = new WeakMap<object, number>();
/** A view redraws at most once per this many times its last redraw's cost: a heavy view (96 lines of a sweep) keeps the page at least 95 % free. */
const COST_FACTOR = 20;

function pump(): void {
  const next = queue.entries().next();
  if (next.done) {
    pumping = false;
    return;
  }
  const [view, redraw] = next.value;
  queue.delete(view);
  const started = performance.now();
  flushSync(redraw); // this view's render and commit, in this frame's task
  lastCost.set(view, performance.now() - started);
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

/**
 * `value`, updated at most every `ms` (or every COST_FACTOR times the view's last redraw, if longer),
 * in a frame of its own (see queueRedraw); not while `visible` is false (a view out of sight), and
 * at once with the latest value when it turns true.
 */
export function useThrottled<T>(value: T, ms: number, visible = true): T {
  const [shown, setShown] = useState(value);
  const [view] = useState<object>(() => ({}));
  const last = useRef(0);
  useEffect(() => {
    if (!visible) return;
    const every = Math.max(ms, COST_FACTOR * (lastCost.get(view) ?? 0));
    const wait = Math.max(0, every - (performance.now() - last.current));
    const timer = setTimeout(() => {
      queueRedraw(view, () => {
        last.current = performance.now();
        setShown(value);
      });
    }, wait);
    return () => {
      clearTimeout(timer);
      cancelRedraw(view);
    };
  }, [value, ms, view, visible]);
  return shown;
}
