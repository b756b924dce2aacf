// Decision boundary heatmaps for 2-D datasets (the toys, and an uploaded file with two feature
// columns): each run's predicted class on a grid (shade = its probability) with the training
// points, refreshed about once a second while the step changes.
import { useEffect, useRef, useState } from 'react';
import type { BoundaryGrid } from '../../src/experiment/boundary';
import { fetchBoundary } from '../actions';
import { engineStep, useLab } from '../store';
import { useThrottledStore } from '../redraw';
import { runLabel } from '../../src/experiment/expand';

const CLASS_COLORS: Array<[number, number, number]> = [
  [0, 114, 178],
  [230, 159, 0],
  [0, 158, 115],
  [204, 121, 167],
  [213, 94, 0],
  [86, 180, 233],
];

/** Paints one run's grid and the points onto a canvas. */
function paint(canvas: HTMLCanvasElement, grid: BoundaryGrid, run: number): void {
  const context = canvas.getContext('2d');
  if (!context) return;
  const { size, extent, predictions, confidence, points } = grid;
  const image = context.createImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    const [r, g, b] = CLASS_COLORS[predictions[run][i] % CLASS_COLORS.length];
    const alpha = Math.round(255 * (0.15 + 0.5 * Math.max(0, (confidence[run][i] - 1 / grid.classes) / (1 - 1 / grid.classes))));
    image.data.set([r, g, b, alpha], 4 * i);
  }
  const scratch = document.createElement('canvas');
  scratch.width = size;
  scratch.height = size;
  scratch.getContext('2d')!.putImageData(image, 0, 0);
  context.clearRect(0, 0, canvas.width, canvas.height);
  context.imageSmoothingEnabled = true;
  context.drawImage(scratch, 0, 0, canvas.width, canvas.height);
  const [x0, x1, y0, y1] = extent;
  for (const [x, y, label] of points) {
    const [r, g, b] = CLASS_COLORS[label % CLASS_COLORS.length];
    context.beginPath();
    context.arc(((x - x0) / (x1 - x0)) * canvas.width, ((y1 - y) / (y1 - y0)) * canvas.height, 2.2, 0, 2 * Math.PI);
    context.fillStyle = `rgb(${r},${g},${b})`;
    context.strokeStyle = label % 2 ? '#000' : '#fff';
    context.lineWidth = 0.8;
    context.fill();
    context.stroke();
  }
}

/** One run's heatmap canvas. */
function RunCanvas({ grid, run, label }: { grid: BoundaryGrid; run: number; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (ref.current) paint(ref.current, grid, run);
  }, [grid, run]);
  return (
    <figure className="boundary-run">
      <canvas ref={ref} width={140} height={140} role="img" aria-label={`Decision boundary of ${label}`} data-testid={`boundary-${run}`} />
      <figcaption>{label}</figcaption>
    </figure>
  );
}

/** The heatmaps of every run (2-D datasets only: the engine answers null for others), refetched as training advances. */
export function Boundary() {
  const summary = useLab((state) => state.summary);
  const step = useThrottledStore(useLab, engineStep, 1500);
  // Toys are 2-D; an upload may be (a CSV of two features): the engine tells.
  const planar = useLab((state) => ['toy', 'upload'].includes(String((state.applied?.dataset as { kind?: string } | undefined)?.kind)));
  const [grid, setGrid] = useState<BoundaryGrid | null>(null);
  useEffect(() => {
    if (!planar || !summary) return;
    let live = true;
    void fetchBoundary(40).then((result) => live && setGrid(result));
    return () => {
      live = false;
    };
  }, [planar, summary, step]);
  if (!planar || !summary || !grid || grid.predictions.length !== summary.runs.length) return null;
  return (
    <section className="panel boundary" aria-labelledby="boundary-title">
      <h2 id="boundary-title">Decision boundaries (step {step})</h2>
      <div className="boundary-grid">
        {summary.runs.map((run, index) => (
          <RunCanvas key={index} grid={grid} run={index} label={runLabel(run.label, run.replicate)} />
        ))}
      </div>
    </section>
  );
}
