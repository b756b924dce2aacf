/** RALR demo page: the spiky rate curve and leaving a poor well (src/demos/ralr-landscape.ts). */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { landscapeLoss } from '../../src/demos/landscape1d';
import { demoSeeds } from '../../src/demos/lrd-saddle';
import { RALR_LANDSCAPE, RALR_TOY_DEFAULTS, ralrToyRates, runRalrToy, summarizeRalrToy, type RalrToyRun } from '../../src/demos/ralr-landscape';
import { LandscapePlot } from './plots';
import { Chart, COLORS, DemoFrame, fmt, PlaygroundLink, ProgressBar, useAnimation, useChunkedTasks } from './ui';

const SEEDS = demoSeeds(20);
const f = (x: number) => landscapeLoss(RALR_LANDSCAPE.landscape, x);

export function RalrDemo() {
  const makeTasks = useCallback(() => [false, true].flatMap((ralr) => SEEDS.map((seed) => () => runRalrToy(ralr, seed))), []);
  const { results, total, running, start } = useChunkedTasks<RalrToyRun>(makeTasks, 8);
  const { frame, replay, playing } = useAnimation(RALR_TOY_DEFAULTS.steps, 5);
  const [shownSeed, setShownSeed] = useState(1);
  useEffect(() => start(), [start]);
  useEffect(() => {
    if (!running && results.length === total && total > 0) replay();
  }, [running, results.length, total, replay]);
  const arms = useMemo(() => [false, true].map((ralr) => results.filter((r) => r.ralr === ralr)), [results]);
  const summaries = arms.map((runs) => (runs.length ? summarizeRalrToy(runs) : null));
  const rateSeries = useMemo(() => {
    const base = ralrToyRates(RALR_TOY_DEFAULTS, null);
    const spiky = ralrToyRates(RALR_TOY_DEFAULTS, shownSeed);
    const steps = Array.from({ length: RALR_TOY_DEFAULTS.steps }, (_, t) => t);
    return [
      { name: `RALR (seed ${shownSeed})`, color: COLORS[1], points: steps.map((t) => ({ x: t, y: spiky(t) })) },
      { name: 'step schedule', color: COLORS[0], points: steps.map((t) => ({ x: t, y: base(t) })), dashed: true },
    ];
  }, [shownSeed]);
  const { poorCurvature, goodCurvature, poor, good, barrier } = RALR_LANDSCAPE;
  return (
    <DemoFrame
      title="RALR: random amplification of the learning rate"
      intro={
        <>
          <p>
            A step schedule only ever lowers the learning rate. RALR (random amplify learning rates) sometimes multiplies it by a random factor
            for one epoch instead: here, in each epoch of 20 steps, with probability 0.2, by a factor drawn between 1 and 10. The chart shows the
            resulting rate: the step schedule with random spikes.
          </p>
          <p>
            The curve has a poor, narrow well on the left (curvature {fmt(poorCurvature)}) where every run starts, and a good, deeper, wide well on
            the right (curvature {fmt(goodCurvature)}). At the plain rate 0.05 SGD is stable in the poor well and stays there. A spike with rate ×
            curvature above 2 makes the narrow well unstable: each step overshoots further and the run is thrown out. The wide well stays stable
            even at 10× the rate, so runs that land there stay. After the first decay (step 300) even a 10× spike is too small to throw anything
            out.
          </p>
          <p className="note">
            One parameter with a noisy gradient (like a minibatch gradient), on the CPU with the engine's own update rule and RALR's own draws
            (src/optim/ralr.ts). RALR's exact rule is not public: this is the project's reconstruction, and p = 0.2, r ∈ [1, 10) are our choice.
          </p>
        </>
      }
      rule="at each epoch: with probability p,  η_t = η_step(t) · r,  r ~ U[1, 10);  otherwise η_t = η_step(t)"
      citation={
        <>
          Deng et al., “RALR: Random Amplify Learning Rates for Training Neural Networks”, Applied Sciences 12(1):268 (2022).
        </>
      }
    >
      <h2>The learning rate</h2>
      <label>
        Seed of the draws{' '}
        <input type="number" min={1} max={1000} value={shownSeed} onChange={(e) => setShownSeed(Math.max(1, Math.min(1000, Number(e.target.value) || 1)))} />
      </label>
      <Chart series={rateSeries} xLabel="step" yLabel="learning rate" log testId="ralr-rate-chart" />
      <h2>Leaving the poor well (20 seeds)</h2>
      <div className="row">
        {[false, true].map((ralr, k) => (
          <div key={String(ralr)}>
            <h3>{ralr ? 'Step schedule + RALR' : 'Step schedule'}</h3>
            <LandscapePlot f={f} range={RALR_LANDSCAPE.range} frame={frame} width={420} walkers={arms[k].map((r) => ({ key: String(r.seed), color: COLORS[k], path: r.path }))} marks={[{ x: poor, label: 'poor' }, { x: good, label: 'good' }, { x: barrier, label: 'barrier' }]} />
          </div>
        ))}
      </div>
      <table className="counters" data-testid="ralr-counters">
        <thead>
          <tr>
            <th></th>
            <th>End in the good well</th>
            <th>Ever reached it</th>
            <th>Amplified epochs</th>
          </tr>
        </thead>
        <tbody>
          {summaries.map((s, k) => (
            <tr key={k} data-testid={`good-${k ? 'ralr' : 'plain'}`}>
              <td>{k ? 'Step schedule + RALR' : 'Step schedule'}</td>
              <td>
                <strong>{s ? `${s.endsGood} / ${s.runs}` : '—'}</strong>
              </td>
              <td>{s ? `${s.left} / ${s.runs}` : '—'}</td>
              <td>{s ? `${(100 * s.amplifiedShare).toFixed(1)} %` : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ProgressBar value={total ? results.length / total : 0} label={running ? `computing ${results.length} / ${total} runs` : `step ${frame} / ${RALR_TOY_DEFAULTS.steps}`} />
      <p>
        <button type="button" onClick={replay} disabled={running || playing}>
          Replay
        </button>
      </p>
      <PlaygroundLink example="ralr.json" note="The playground trains networks, not 1-D curves: this opens the closest experiment, RALR over a step decay on a spiral, 3 seeds." />
    </DemoFrame>
  );
}
