/** AutoDrop demo page: the NQM angle saturation and drops (src/demos/autodrop-nqm.ts), then MNIST (src/demos/autodrop-mnist.ts). */
import * as Comlink from 'comlink';
import { useEffect, useMemo, useState } from 'react';
import { autodropMnistConfig, AUTODROP_MNIST_DEFAULTS, type AutoDropLog } from '../../src/demos/autodrop-mnist';
import type { FixedRateCurve, NqmAutoDropResult } from '../../src/demos/autodrop-nqm';
import { AdapterLine, TrainControls, RecordLog, useAdapter } from './network-ui';
import { Chart, COLORS, DemoFrame, demoWorker, fmt, PlaygroundLink, ProgressBar, type Series } from './ui';

export function AutoDropDemo() {
  const [nqm, setNqm] = useState<{ fixed: FixedRateCurve[]; drop: NqmAutoDropResult } | null>(null);
  const [nqmError, setNqmError] = useState<string | null>(null);
  const simulate = () =>
    demoWorker()
      .nqm()
      .then(setNqm, (e: unknown) => setNqmError(String(e)));
  const runNqm = () => {
    setNqm(null);
    void simulate();
  };
  useEffect(() => void simulate(), []);
  const angleSeries = useMemo<Series[]>(() => {
    if (!nqm) return [];
    return nqm.fixed.flatMap((c, k) => [
      { name: `α = ${c.alpha}`, color: COLORS[k], points: c.curve.map((y, i) => ({ x: (i + 1) * 100, y })) },
      { name: `predicted ${c.predicted.toFixed(1)}°`, color: COLORS[k], dashed: true, points: [{ x: 100, y: c.predicted }, { x: c.curve.length * 100, y: c.predicted }] },
    ]);
  }, [nqm]);
  const dropSeries = useMemo(() => {
    if (!nqm) return null;
    const { alphaCurve, angleCurve, block } = nqm.drop;
    return {
      alpha: [{ name: 'α (AutoDrop)', color: COLORS[2], points: alphaCurve.map((y, i) => ({ x: i * block, y })) }],
      angle: [{ name: 'ω (mean of 50 iterations)', color: COLORS[3], points: angleCurve.map((y, i) => ({ x: (i + 1) * block, y })) }],
    };
  }, [nqm]);

  const { adapter, error } = useAdapter();
  const [log, setLog] = useState(new RecordLog());
  const [decisions, setDecisions] = useState<AutoDropLog | null>(null);
  const [training, setTraining] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const train = async () => {
    setTraining(true);
    setFailure(null);
    let current = new RecordLog();
    setLog(current);
    try {
      await demoWorker().autodropMnist(
        AUTODROP_MNIST_DEFAULTS,
        Comlink.proxy((progress, windows) => {
          setLog((current = current.add(progress)));
          setDecisions(windows);
        }),
      );
    } catch (e) {
      setFailure(e instanceof Error ? e.message : String(e));
    } finally {
      setTraining(false);
    }
  };
  const drops = decisions?.windows.filter((w) => w.dropped) ?? [];
  const finalAccuracy = log.series('testAccuracy').map((s) => s.points.at(-1)?.y);

  return (
    <DemoFrame
      title="AutoDrop: drop the rate when the angular velocity saturates"
      intro={
        <>
          <p>
            Watch the direction in which the weights move. The <em>angular velocity</em> ω is the angle between two consecutive steps. Early on the
            steps point the same way (small ω); as the optimizer reaches the noise floor, consecutive steps start to undo each other and ω rises to a
            plateau. AutoDrop reads that plateau as “this rate has done what it can” and lowers the rate.
          </p>
          <p>
            On the noisy quadratic model of the paper (200 dimensions, curvatures 0.1 … 20, fresh Gaussian noise every step) the plateau is known
            exactly (Theorem 3.2). The first chart runs gradient descent at four fixed rates: each angle levels off at its dashed prediction.
          </p>
          <p className="note">This part is float64 on the CPU (in the demo's Worker): the model has no network to put on a GPU.</p>
        </>
      }
      rule="ω_i = ∠(s_i, s_{i−1}),  s_i = y_i − y_{i−1} (y_i: mean weights of window i);   when the smoothed ω stops changing (ΔC < 0.1°):  α ← max(α_min, ρ·α)"
      citation={
        <>
          J. Wang, Y. Teng, A. Choromanska, “AutoDrop: Training Deep Learning Models with Automatic Learning Rate Drop”, arXiv:2111.15317; UAI 2024
          (PMLR 244:3603–3629).
        </>
      }
    >
      <h2>1. The angle saturates at the predicted value</h2>
      {nqmError && <p role="alert" className="error">{nqmError}</p>}
      {!nqm && !nqmError && <ProgressBar value={0} label="simulating 4 × 20 000 iterations…" />}
      {nqm && (
        <>
          <Chart series={angleSeries} xLabel="iteration" yLabel="ω (degrees)" testId="nqm-angle-chart" yDomain={[70, 125]} />
          <table className="counters" data-testid="nqm-table">
            <thead>
              <tr>
                <th>α</th>
                <th>Predicted ω</th>
                <th>Measured (last 2000 iterations)</th>
                <th>Difference</th>
              </tr>
            </thead>
            <tbody>
              {nqm.fixed.map((c) => (
                <tr key={c.alpha} data-testid={`nqm-${c.alpha}`}>
                  <td>{c.alpha}</td>
                  <td>{c.predicted.toFixed(2)}°</td>
                  <td>{c.measured.toFixed(2)}°</td>
                  <td>{(c.measured - c.predicted).toFixed(2)}°</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>2. AutoDrop drops the rate at each plateau</h2>
          <p>
            Start at α = 0.06 and let AutoDrop watch ω every iteration (as in the paper's NQM demo): a buffer of 50 angles, smoothed; when the
            smoothed value changes by less than 0.01°, α is halved (down to 0.001). Here the test is on the size of the change: right after a
            drop ω <em>falls</em> to its new, lower plateau, and a signed test would drop again while it falls. Each drop happens when ω sits on the
            plateau predicted for the rate in force.
          </p>
          {dropSeries && (
            <div className="row">
              <Chart series={dropSeries.alpha} xLabel="iteration" yLabel="α" log testId="nqm-alpha-chart" />
              <Chart series={dropSeries.angle} xLabel="iteration" yLabel="ω (degrees)" yDomain={[80, 125]} />
            </div>
          )}
          <table className="counters" data-testid="nqm-drops">
            <thead>
              <tr>
                <th>Iteration</th>
                <th>α</th>
                <th>ω before the drop</th>
                <th>Predicted plateau</th>
              </tr>
            </thead>
            <tbody>
              {nqm.drop.drops.map((d) => (
                <tr key={d.iteration}>
                  <td>{d.iteration}</td>
                  <td>
                    {d.from} → {d.to}
                  </td>
                  <td>{d.angleBefore.toFixed(2)}°</td>
                  <td>{d.predictedBefore.toFixed(2)}°</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            <button type="button" onClick={runNqm}>
              Run again
            </button>
          </p>
        </>
      )}

      <h2>3. AutoDrop against a hand-tuned step decay on MNIST</h2>
      <p>
        An MLP (784-64-10) on {AUTODROP_MNIST_DEFAULTS.trainSubset.toLocaleString('en')} MNIST images, momentum SGD at η = {AUTODROP_MNIST_DEFAULTS.lr},{' '}
        {AUTODROP_MNIST_DEFAULTS.steps} steps: a constant rate, a step decay that divides the rate by 10 at 50 % and 75 % of the budget, and AutoDrop
        (windows of {AUTODROP_MNIST_DEFAULTS.window} steps, ρ = {AUTODROP_MNIST_DEFAULTS.rho}) on top of the constant rate. Same initial weights and
        minibatches. Measured with this exact setup (Node, same engine): final test accuracy 0.933 constant, 0.931 step decay, 0.924 AutoDrop. AutoDrop
        dropped 12 times (steps 130, 270, 380, … 1470), almost at every chance it gets (one drop needs 12 fresh windows), so the rate fell to
        0.0034 by the end: on this small, easy problem the angle is on its plateau nearly all the time, and AutoDrop does not beat the
        hand-tuned decay here. The test of this demo runs a smaller version (2000 images, 240 steps) and measured 0.880 constant, 0.876 step
        decay, 0.892 AutoDrop.
      </p>
      <AdapterLine adapter={adapter} error={error} />
      <TrainControls label="Train on MNIST" training={training} ready={!!adapter} failure={failure} onTrain={train} />
      {log.records.length > 0 && (
        <>
          <ProgressBar value={log.step / log.budgetSteps} label={`step ${log.step} / ${log.budgetSteps}`} testId="network-progress" />
          <div className="row">
            <Chart series={log.series('testAccuracy')} xLabel="step" yLabel="test accuracy" />
            <Chart series={log.series('lr')} xLabel="step" yLabel="learning rate" log />
          </div>
          <p data-testid="autodrop-drops">
            AutoDrop drops so far: {drops.length} {drops.length > 0 && `(at steps ${drops.map((d) => d.step).join(', ')})`}. Last test accuracy:{' '}
            {log.labels.map((label, i) => `${label} ${fmt(finalAccuracy[i])}`).join(' · ')}
          </p>
        </>
      )}
      <PlaygroundLink config={autodropMnistConfig()} note="(the MNIST comparison of part 3)" />
    </DemoFrame>
  );
}
