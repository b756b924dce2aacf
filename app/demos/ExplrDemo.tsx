/** Exp-LR demo page: step decay + WD ≡ exponentially growing rate without WD (src/demos/explr-equivalence.ts). */
import * as Comlink from 'comlink';
import { useState } from 'react';
import { explrConfig, EXPLR_BN_EPS, EXPLR_DEFAULTS, type ExplrPoint } from '../../src/demos/explr-equivalence';
import { AdapterLine, TrainControls, RecordLog, useAdapter } from './network-ui';
import { Chart, COLORS, DemoFrame, demoWorker, PlaygroundLink, ProgressBar } from './ui';

export function ExplrDemo() {
  const { adapter, error } = useAdapter();
  const [log, setLog] = useState(new RecordLog());
  const [points, setPoints] = useState<ExplrPoint[]>([]);
  const [training, setTraining] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const train = async () => {
    setTraining(true);
    setFailure(null);
    let current = new RecordLog();
    let probes: ExplrPoint[] = [];
    setLog(current);
    setPoints([]);
    try {
      await demoWorker().explr(
        EXPLR_DEFAULTS,
        Comlink.proxy((progress, point) => {
          setLog((current = current.add(progress)));
          setPoints((probes = [...probes, point]));
        }),
      );
    } catch (e) {
      setFailure(e instanceof Error ? e.message : String(e));
    } finally {
      setTraining(false);
    }
  };
  const labels = log.labels.length ? log.labels : explrConfig().runs.map((r) => r.label);
  const normSeries = labels.map((name, r) => ({ name, color: COLORS[r], points: points.map((p) => ({ x: p.step, y: p.norms[r] })) }));
  const cosineSeries = labels.slice(1).map((name, k) => ({ name: `${name} vs step decay`, color: COLORS[k + 1], points: points.map((p) => ({ x: p.step, y: p.cosines[k + 1] })) }));
  const rateSeries = labels.map((name, r) => ({ name, color: COLORS[r], points: points.map((p) => ({ x: p.step, y: p.rates[r] })) }));
  const last = points.at(-1);
  return (
    <DemoFrame
      title="Exponential learning rate: the same training, a growing rate"
      intro={
        <>
          <p>
            In a network whose layers feed BatchNorm, scaling those weights by any positive number does not change what the network computes. Li
            and Arora showed what follows: momentum SGD with weight decay and a step schedule trains exactly the same network function as momentum
            SGD with <em>no</em> weight decay and a learning rate that <em>grows exponentially</em>. Only the size of the weights differs: weight decay
            keeps it in check, the growing rate lets it grow.
          </p>
          <p>
            Three runs, same initial weights and minibatches, on the GPU: step decay + weight decay (η {EXPLR_DEFAULTS.lr} → {EXPLR_DEFAULTS.lr / 10} at step{' '}
            {EXPLR_DEFAULTS.stepSize}, λ = {EXPLR_DEFAULTS.weightDecay}, momentum 0.9); the exact exponential rate without weight decay; and TEXP, the
            paper's tapered exponential schedule, which equals the exact one up to a constant factor. Watch the test accuracy (identical curves), the
            weight norm (growing in the exp-LR runs only) and the cosine between the weight vectors (1 for the exact form). Where two accuracy curves are identical, one line hides the other.
          </p>
          <p className="note">
            Finding: BatchNorm's ε breaks the invariance a little, since it is added to variances that differ by the squared scale ratio of the two
            runs. With PyTorch's default ε = 1e-5 (the playground's default too) the exact twin drifts to a cosine of about 0.95 at these settings;
            this demo sets ε = {EXPLR_BN_EPS} (and BatchNorm statistics from the last batch) in the model, where the cosine stays at 1 to 4 decimals.
            The playground link opens exactly this experiment; set the model's BatchNorm ε back to 1e-5 there to see the drift.
          </p>
        </>
      }
      rule="η̃_t = η_t / (c_t c_{t+1}),  c_{t+1} = (1 + γ r_t − η_t λ) c_t − γ r_t c_{t−1},  r_t = η_t/η_{t−1};   then θ_t = c_t · θ̃_t   (≈ η·α^(−2t−1), α the larger root of x² − (1+γ−λη)x + γ)"
      citation={<>Z. Li, S. Arora, “An Exponential Learning Rate Schedule for Deep Learning”, ICLR 2020, arXiv:1910.07454.</>}
    >
      <AdapterLine adapter={adapter} error={error} />
      <TrainControls label="Train" training={training} ready={!!adapter} failure={failure} onTrain={train} />
      {last && (
        <>
          <ProgressBar value={log.step / log.budgetSteps} label={`step ${log.step} / ${log.budgetSteps}`} testId="network-progress" />
          <p className="headline" data-testid="explr-cosine">
            Cosine between the weights: exact exp-LR {last.cosines[1].toFixed(6)}, TEXP {last.cosines[2].toFixed(4)} · weight norm: {labels.map((l, r) => `${l} ${last.norms[r].toFixed(2)}`).join(', ')}
          </p>
          <div className="row">
            <Chart series={log.series('testAccuracy')} xLabel="step" yLabel="test accuracy" />
            {/* the exact twin's accuracy equals the baseline's at every evaluation: its line hides the other */}
            <Chart series={cosineSeries} xLabel="step" yLabel="cosine" yDomain={[0.9, 1]} />
          </div>
          <div className="row">
            <Chart series={normSeries} xLabel="step" yLabel="‖θ‖" />
            <Chart series={rateSeries} xLabel="step" yLabel="learning rate" log />
          </div>
        </>
      )}
      <PlaygroundLink config={explrConfig()} note="(the same three runs, the same network: BatchNorm ε = 1e-7)" />
    </DemoFrame>
  );
}
