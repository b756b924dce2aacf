/**
 * Redraws while training, a few times a second and one view per animation frame. Each view that
 * follows the records (every chart, the summary, the sweep plots, the decision boundary) asks for
 * its redraw here; the queue runs one per frame, rendered synchronously in that frame, so that the
 * page never does them all in one task: six charts redrawn together took 100–250 ms on SwiftShader
 * (the page soak's long tasks, scripts/page-soak.mjs), one at a time each stays well under 50 ms.
 */
import { useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';

/** Redraws waiting for a frame, by view (a view queued again before its turn is drawn once, with its latest value). */
const queue = new Map<object, () => void>();
let pumping = false;

function pump(): void {
  const next = queue.entries().next();
  if (next.done) {
    pumping = false;
    return;
  }
  const [view, redraw] = next.value;
  queue.delete(view);
  flushSync(redraw); // this view's render and commit, in this frame's task
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

/** `value`, updated at most every `ms`, in a frame of its own (see queueRedraw). */
export function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const [view] = useState<object>(() => ({}));
  const last = useRef(0);
  useEffect(() => {
    const wait = Math.max(0, ms - (performance.now() - last.current));
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
  }, [value, ms, view]);
  return shown;
}
