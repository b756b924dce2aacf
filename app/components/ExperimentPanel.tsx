// The experiment panel: dataset (toys, MNIST, Fashion-MNIST, the user's CSV / IDX upload), model,
// batch, budget, seed and replicates. These edits restart training, so they wait for Apply.
import { useState, type ChangeEvent } from 'react';
import { TOY_NAMES } from '../../src/data/toys';
import { IMAGE_DATASETS, MODEL_KINDS } from '../../src/experiment/config';
import { applyDraft, discardDraft, editField, uploadDataset } from '../actions';
import { classifyEdit, useLab } from '../store';
import { CheckField, NumberField, SelectField } from './fields';

const DATASETS = [...TOY_NAMES.map((name) => `toy:${name}`), ...IMAGE_DATASETS.map((name) => `image:${name}`)];

/** The dataset document a picker value stands for (toys keep their count and noise). */
function datasetOf(value: string, old: Record<string, unknown>): Record<string, unknown> {
  const [kind, name] = value.split(':');
  if (kind === 'toy') return { kind, name, count: old.kind === 'toy' ? old.count : 600, noise: old.kind === 'toy' ? old.noise : 0.1, testFraction: 0.2 };
  return { kind, name, trainSubset: 6000, testSubset: 1000 };
}

/** The model document of a kind (image datasets get a CNN's defaults, toys an MLP's). */
function modelOf(kind: string): Record<string, unknown> {
  return kind.includes('cnn') ? { kind } : { kind, hidden: [32, 32] };
}

/** The experiment-level fields, the upload, and Apply / Discard for edits that restart. */
export function ExperimentPanel() {
  const draft = useLab((state) => state.draft);
  const applied = useLab((state) => state.applied);
  const issues = useLab((state) => state.issues);
  const busy = useLab((state) => state.busy);
  const [uploadError, setUploadError] = useState<string | null>(null);
  if (!draft) return null;
  const dataset = (draft.dataset ?? {}) as Record<string, unknown>;
  const model = (draft.model ?? {}) as Record<string, unknown>;
  const datasetValue = dataset.kind === 'upload' ? `upload:${String(dataset.id)}` : `${String(dataset.kind)}:${String(dataset.name)}`;
  const pending = applied !== null && issues.length === 0 && classifyEdit(applied, draft).kind === 'restart';
  const onUpload = async (event: ChangeEvent<HTMLInputElement>) => {
    const files = [...(event.target.files ?? [])];
    event.target.value = '';
    setUploadError(await uploadDataset(files));
  };
  return (
    <section className="panel experiment" aria-labelledby="experiment-title">
      <h2 id="experiment-title">Experiment</h2>
      <div className="field-grid">
        <label className="field">
          <span className="field-label" title="What to train on: a generated 2-D toy, a prepared image dataset, or your upload.">dataset</span>
          <select value={datasetValue} onChange={(event) => void editField('dataset', datasetOf(event.target.value, dataset))} data-testid="field-dataset">
            {DATASETS.map((value) => (
              <option key={value} value={value}>
                {value.replace(':', ': ')}
              </option>
            ))}
            {dataset.kind === 'upload' && <option value={datasetValue}>upload: {String(dataset.id)}</option>}
          </select>
        </label>
        {dataset.kind === 'toy' && (
          <>
            <NumberField path="dataset.count" label="points" tooltip="Rows generated in all, train + test." />
            <NumberField path="dataset.noise" label="noise" tooltip="Noise level, 0 to 1." />
          </>
        )}
        {dataset.kind === 'image' && (
          <>
            <NumberField path="dataset.trainSubset" label="train images" optional tooltip="Train on the first N images (empty: all 60 000)." />
            <NumberField path="dataset.testSubset" label="test images" optional tooltip="Evaluate on the first N test images (empty: all 10 000)." />
          </>
        )}
        <SelectField path="model.kind" label="model" tooltip="The network; scale-invariant variants are where exp-LR is exact." options={MODEL_KINDS} onCommit={(kind) => void editField('model', modelOf(String(kind)))} />
        {'hidden' in model && <NumberField path="model.hidden" label="hidden widths" list tooltip="Widths of the hidden layers, comma separated." />}
        {model.kind === 'mlp' && <CheckField path="model.batchNorm" label="BatchNorm" tooltip="BatchNorm (with affine parameters) after every hidden layer." />}
        {(String(model.kind).startsWith('scale-invariant') || model.batchNorm === true) && (
          <>
            <NumberField path="model.bnEps" label="BN ε" tooltip="BatchNorm ε added to the batch variance (PyTorch default 1e-5). Exp-LR is exact only as ε → 0: use 1e-7 to see the equivalence hold." />
            <NumberField path="model.bnMomentum" label="BN momentum" tooltip="Momentum of the running statistics used at evaluation (0.1 as in PyTorch; 1: the last batch only, which keeps evaluation scale-invariant too)." />
          </>
        )}
        <NumberField path="batch" label="batch" tooltip="Minibatch size (1 to 4096)." />
        <SelectField path="budget.unit" label="budget in" tooltip="Count the budget in optimizer steps or epochs." options={['steps', 'epochs']} />
        <NumberField path="budget.amount" label="budget" tooltip="How many steps (or epochs) to train; training stops there." />
        <NumberField path="evalEvery" label="eval every" unit="steps" tooltip="Steps between test evaluations." />
        <NumberField path="seed" label="seed" tooltip="Seed of data, init, batch order and the methods' draws." />
        <NumberField path="replicates" label="replicates" tooltip="Repeat each run with N seeds (1 to 16): charts show mean ± std." />
      </div>
      <label className="field upload">
        <span className="field-label">your data: one CSV (features…, label) or four IDX files</span>
        <input type="file" multiple accept=".csv,.tsv,.txt,.idx,.ubyte,application/octet-stream,text/csv" onChange={(event) => void onUpload(event)} data-testid="upload" disabled={busy} />
      </label>
      {uploadError && (
        <p role="alert" className="issue" data-testid="upload-error">
          {uploadError}
        </p>
      )}
      {pending && (
        <p className="pending" role="status">
          These changes restart training from step 0.{' '}
          <button type="button" className="primary" onClick={() => void applyDraft()} disabled={busy} data-testid="apply">
            Apply and restart
          </button>{' '}
          <button type="button" onClick={discardDraft} data-testid="discard">
            Discard
          </button>
        </p>
      )}
    </section>
  );
}
