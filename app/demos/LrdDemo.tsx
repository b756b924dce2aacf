/** LRD demo page: escaping the rotated saddle (src/demos/lrd-saddle.ts). */
import { useCallback, useEffect, useMemo } from 'react';
import { demoSeeds, runSaddle, saddleLoss, summarizeSaddle, SADDLE_DEFAULTS, SADDLE_METHODS, type SaddleRun } from '../../src/demos/lrd-saddle';
import { ContourPlot } from './plots';
import { COLORS, DemoFrame, fmt, PlaygroundLink, ProgressBar, useAnimation, useChunkedTasks } from './ui';

const SEEDS = demoSeeds(20);
const BOX = { x: [-1.8, 1.8] as [number, number], y: [-1.8, 1.8] as [number, number] };
const LEVELS = [-0.45, -0.35, -0.25, -0.1, 0, 0.25, 0.75, 1.5, 3, 5];

export function LrdDemo() {
  const makeTasks = useCallback(() => SADDLE_METHODS.flatMap((method) => SEEDS.map((seed) => () => runSaddle(method, seed))), []);
  const { results, total, running, start } = useChunkedTasks<SaddleRun>(makeTasks, 8);
  const { frame, replay, playing } = useAnimation(SADDLE_DEFAULTS.steps, 2);
  useEffect(() => start(), [start]);
  useEffect(() => {
    if (!running && results.length === total && total > 0) replay();
  }, [running, results.length, total, replay]);
  const summaries = useMemo(
    () => SADDLE_METHODS.map((method) => summarizeSaddle(method, results.filter((r) => r.method === method.id))),
    [results],
  );
  const trajectories = results.map((r) => {
    const index = SADDLE_METHODS.findIndex((m) => m.id === r.method);
    return { key: `${r.method}-${r.seed}`, color: COLORS[index], path: r.path, dashed: SADDLE_METHODS[index].keepProb === null };
  });
  return (
    <DemoFrame
      title="Learning Rate Dropout: escaping a saddle"
      intro={
        <>
          <p>
            The surface f(x, y) = x·y + (x⁴ + y⁴)/4 has a saddle at the origin and two minima, at (1, −1) and (−1, 1). Starting at (1, 1), the
            gradient points exactly along the diagonal, so gradient descent (GD) and SGD with momentum slide down the diagonal straight into the
            saddle and stop there: the numbers x and y stay exactly equal.
          </p>
          <p>
            Learning Rate Dropout (LRD) gives each coordinate its learning rate only with probability 0.5 at every step. A step that moves x but
            not y leaves the diagonal, and the saddle pushes the iterate away along its downhill direction until it reaches a minimum. Below,
            20 seeds per method (seeds only change the LRD masks); a run counts as <em>escaped</em> at the first step with f &lt; −¼ (that region is
            two separate basins around the minima, away from the saddle).
          </p>
          <p className="note">
            This is a 2-parameter problem, so it runs on the CPU here, but with the engine's own update rule and the very same random masks as the
            GPU kernel (src/reference/optim.ts, Philox draws keyed by seed and step).
          </p>
        </>
      }
      rule="θ_i ← θ_i − η · m_i · u_i,   m_i ~ Bernoulli(p_keep = 0.5), redrawn every step; u = gradient (GD) or momentum buffer (never masked)"
      citation={
        <>
          H. Lin, W. Zeng, X. Ding, Y. Huang, C. Huang, J. Paisley, “Learning Rate Dropout”, arXiv:1912.00144 (2019). Demo settings from the
          project's spec (methods.md §1.6): η = 0.1, momentum 0.9.
        </>
      }
    >
      <div className="row">
        <ContourPlot f={saddleLoss} box={BOX} levels={LEVELS} trajectories={trajectories} frame={frame} marks={[{ x: 0, y: 0, label: 'saddle' }, { x: 1, y: -1, label: 'minimum' }, { x: -1, y: 1, label: 'minimum' }, { x: 1, y: 1, label: 'start' }]} />
        <div>
          <table className="counters" data-testid="lrd-counters">
            <thead>
              <tr>
                <th>Method</th>
                <th>Escaped</th>
                <th>Median escape step</th>
                <th>Ends at saddle</th>
              </tr>
            </thead>
            <tbody>
              {summaries.map((s, i) => (
                <tr key={s.method} data-testid={`escaped-${s.method}`}>
                  <td>
                    <span style={{ color: COLORS[i] }}>■</span> {s.label}
                  </td>
                  <td>
                    {s.escaped} / {s.runs}
                  </td>
                  <td>{fmt(s.medianEscapeStep)}</td>
                  <td>{s.atSaddle}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ProgressBar value={total ? results.length / total : 0} label={running ? `computing ${results.length} / ${total} runs` : `step ${frame} / ${SADDLE_DEFAULTS.steps}`} />
          <p>
            <button type="button" onClick={replay} disabled={running || playing} data-testid="replay">
              Replay
            </button>{' '}
            <button type="button" onClick={start} disabled={running} data-testid="run">
              Run again
            </button>
          </p>
          <p className="note">Dashed: without LRD (all on the diagonal, on top of each other). Solid: with LRD, one line per seed.</p>
        </div>
      </div>
      <PlaygroundLink
        example="lrd.json"
        note="The playground trains networks, not 2-D surfaces: this opens the closest experiment, LRD on momentum SGD and Adam on a spiral, 3 seeds."
      />
    </DemoFrame>
  );
}
