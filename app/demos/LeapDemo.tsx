/** LEAP demo page: flat versus sharp minimum (src/demos/leap-flat-sharp.ts) and a network's sharpness (src/demos/leap-network.ts). */
import * as Comlink from 'comlink';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { landscapeLoss } from '../../src/demos/landscape1d';
import { LEAP_LANDSCAPE, LEAP_TOY_DEFAULTS, runLeapToy, summarizeLeapToy, type LeapToyRun } from '../../src/demos/leap-flat-sharp';
import { leapNetworkConfig, LEAP_NETWORK_DEFAULTS, type LeapSharpness } from '../../src/demos/leap-network';
import { demoSeeds } from '../../src/demos/lrd-saddle';
import { AdapterLine, TrainControls, RecordLog, useAdapter } from './network-ui';
import { LandscapePlot } from './plots';
import { Chart, COLORS, DemoFrame, demoWorker, fmt, PlaygroundLink, ProgressBar, useAnimation, useChunkedTasks } from './ui';

const SEEDS = demoSeeds(100);
const f = (x: number) => landscapeLoss(LEAP_LANDSCAPE.landscape, x);
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

export function LeapDemo() {
  const makeTasks = useCallback(() => [false, true].flatMap((leap) => SEEDS.map((seed) => () => runLeapToy(leap, seed))), []);
  const { results, total, running, start } = useChunkedTasks<LeapToyRun>(makeTasks, 10);
  const { frame, replay, playing } = useAnimation(LEAP_TOY_DEFAULTS.steps, 12);
  useEffect(() => start(), [start]);
  useEffect(() => {
    if (!running && results.length === total && total > 0) replay();
  }, [running, results.length, total, replay]);
  const arms = useMemo(() => [false, true].map((leap) => results.filter((r) => r.leap === leap)), [results]);
  const summaries = arms.map((runs) => (runs.length ? summarizeLeapToy(runs) : null));
  const { flatCurvature, sharpCurvature, sharp, flat, barrier } = LEAP_LANDSCAPE;

  const { adapter, error } = useAdapter();
  const [log, setLog] = useState(new RecordLog());
  const [sharpness, setSharpness] = useState<LeapSharpness | null>(null);
  const [training, setTraining] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const train = async () => {
    setTraining(true);
    setSharpness(null);
    setFailure(null);
    let current = new RecordLog();
    setLog(current);
    try {
      const result = await demoWorker().leapNetwork(LEAP_NETWORK_DEFAULTS, Comlink.proxy((progress) => setLog((current = current.add(progress)))));
      setSharpness(result);
    } catch (e) {
      setFailure(e instanceof Error ? e.message : String(e));
    } finally {
      setTraining(false);
    }
  };

  return (
    <DemoFrame
      title="LEAP: flat versus sharp minima"
      intro={
        <>
          <p>
            The curve below has two minima of exactly the same depth: a narrow, <em>sharp</em> one on the left (curvature {fmt(sharpCurvature)}) and a
            wide, <em>flat</em> one on the right (curvature {fmt(flatCurvature)}). Each of 100 seeds starts somewhere at random and runs stochastic
            gradient descent (the gradient carries noise, as a minibatch gradient does), once without and once with LEAP, with the same start and
            the same gradient noise.
          </p>
          <p>
            LEAP adds Gaussian noise to every parameter's learning rate. The extra kick is the noise times the gradient, and near a minimum the
            gradient grows with the curvature: a sharp minimum gets shaken much harder than a flat one. Runs leave the sharp minimum and settle
            in the flat one. Without LEAP they mostly stay where they started.
          </p>
          <p className="note">
            One parameter, so this runs on the CPU, with the engine's own update rule and random draws (src/reference/optim.ts). Without gradient
            noise nothing would happen: at a minimum the gradient is zero and so is LEAP's kick. LEAP's exact rule is not public; this is the
            project's reconstruction (additive, per element, σ = 0.5·η).
          </p>
        </>
      }
      rule="η_i,t = η_t + σ·z_i,t,  z ~ N(0, 1) per element and step;   θ_i ← θ_i − η_i,t · g_i   (σ = 0.025, η = 0.05)"
      citation={
        <>
          H. Liu, X. Fu, L. Du, D. Zhang, J. Yu, S. Han, D. Zhang, “Learning Rate Perturbation: A Generic Plugin of Learning Rate Schedule towards
          Flatter Local Minima”, arXiv:2208.11873, CIKM 2022.
        </>
      }
    >
      <h2>1. A landscape with one sharp and one flat minimum</h2>
      <div className="row">
        {[false, true].map((leap, k) => (
          <div key={String(leap)}>
            <h3>{leap ? 'With LEAP' : 'Without LEAP'}</h3>
            <LandscapePlot f={f} range={LEAP_LANDSCAPE.range} frame={frame} width={420} walkers={arms[k].map((r) => ({ key: String(r.seed), color: COLORS[k], path: r.path }))} marks={[{ x: sharp, label: 'sharp' }, { x: flat, label: 'flat' }, { x: barrier, label: 'barrier' }]} />
          </div>
        ))}
      </div>
      <table className="counters" data-testid="leap-counters">
        <thead>
          <tr>
            <th></th>
            <th>Start in the flat basin</th>
            <th>End in the flat minimum</th>
            <th>Sharp → flat</th>
            <th>Flat → sharp</th>
          </tr>
        </thead>
        <tbody>
          {summaries.map((s, k) => (
            <tr key={k} data-testid={`flat-share-${k ? 'leap' : 'plain'}`}>
              <td>{k ? 'With LEAP' : 'Without LEAP'}</td>
              <td>{s ? `${s.startsFlat} / ${s.runs}` : '—'}</td>
              <td>
                <strong>{s ? `${s.endsFlat} / ${s.runs}` : '—'}</strong>
              </td>
              <td>{s?.sharpToFlat ?? '—'}</td>
              <td>{s?.flatToSharp ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ProgressBar value={total ? results.length / total : 0} label={running ? `computing ${results.length} / ${total} runs` : `step ${frame} / ${LEAP_TOY_DEFAULTS.steps}`} />
      <p>
        <button type="button" onClick={replay} disabled={running || playing}>
          Replay
        </button>
      </p>

      <h2>2. A small network: how sharp is the solution?</h2>
      <p>
        An MLP (2-32-32-3) on the spiral toy, momentum SGD at η = 0.1 with and without LEAP, {LEAP_NETWORK_DEFAULTS.replicates} seeds,{' '}
        {LEAP_NETWORK_DEFAULTS.steps} steps on the GPU. Sharpness = how much the training loss rises, on average, when every weight tensor is
        pushed in a random direction by 20 % of its norm (8 directions). Smaller is flatter. This part is measured, not promised: at this scale
        the difference varies from seed to seed (the test of this demo, 600 steps and 2 seeds, measured 0.240 without and 0.110 with LEAP; a
        1500-step run with 4 seeds gave 0.270 and 0.216). Read the sharpness next to the training loss: a run that has not gone as far down
        (a higher train loss) sits in a wider, higher region, and looks flatter for that reason alone. In the 1500-step run one LEAP seed ended
        at a train loss of 0.61 against ≈ 0.03–0.11 for the others.
      </p>
      <AdapterLine adapter={adapter} error={error} />
      <TrainControls label="Train the network" training={training} ready={!!adapter} failure={failure} onTrain={train} />
      {log.records.length > 0 && <ProgressBar value={log.step / log.budgetSteps} label={`step ${log.step} / ${log.budgetSteps}`} testId="network-progress" />}
      {log.records.length > 0 && <Chart series={log.series('trainLoss', 5)} xLabel="step" yLabel="train loss" log />}
      {sharpness && (
        <table className="counters" data-testid="sharpness">
          <thead>
            <tr>
              <th>Method</th>
              <th>Sharpness per seed</th>
              <th>Mean sharpness</th>
              <th>Mean train loss</th>
              <th>Mean test accuracy</th>
            </tr>
          </thead>
          <tbody>
            {sharpness.byMethod.map((values, m) => (
              <tr key={m}>
                <td>{m ? 'With LEAP' : 'Without LEAP'}</td>
                <td>{values.map((v) => fmt(v)).join(', ')}</td>
                <td>
                  <strong>{fmt(mean(values))}</strong>
                </td>
                <td>{fmt(mean(sharpness.baseLoss[m]))}</td>
                <td>{fmt(mean(sharpness.testAccuracy[m]))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <PlaygroundLink config={leapNetworkConfig()} note="(the network of part 2; the playground trains networks, not 1-D curves)" />
    </DemoFrame>
  );
}
