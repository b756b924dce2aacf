// The experiment panel: dataset (toys, MNIST, Fashion-MNIST, the user's CSV / IDX upload), model,
// batch, budget, seed and replicates. These edits restart training, so they wait for Apply. A
// dataset switch renames the experiment after the new data and applies the dataset's starting
// point (model, rate, batch: src/experiment/starting-points.ts), which one click takes back.
import { useState, type ChangeEvent } from 'react';
import { applyDraft, discardDraft, editDraft } from '../actions';
import { uploadDataset } from '../upload';
import { EntryList } from '../form/controls';
import { experimentEntries, specAt, switchVariant } from '../form/model';
import { classifyEdit, useLab, type ConfigDoc } from '../store';
import { datasetTitle, describeStartingPoint, hasStartingPoint, startingPointOf, switchDataset, withStartingPoint } from '../../src/experiment/starting-points';

const datasetSpec = specAt('dataset', {});

/** The picker's choices: "kind:name" for every dataset kind that names its data from a fixed list (toys, image datasets). */
const DATASETS = Object.values(datasetSpec?.variants ?? {}).flatMap((variant) => {
  const name = variant.fields?.find((field) => field.key === 'name');
  return name?.type === 'enum' ? (name.options ?? []).map((option) => `${variant.key}:${String(option)}`) : [];
});

/** The dataset document a picker value stands for: the kind's starting value and the fields the old dataset shares with it. */
function datasetOf(value: string, old: Record<string, unknown>): Record<string, unknown> {
  const [kind, name] = value.split(':');
  return datasetSpec ? { ...switchVariant(datasetSpec, old, kind), name } : { kind, name };
}

/** What the dataset switch did: the starting point applied (one click takes it back: `plain`), or on offer. */
function StartingPointNote({ draft, plain, onKeep }: { draft: ConfigDoc; plain: ConfigDoc | null; onKeep: () => void }) {
  const point = startingPointOf(draft.dataset);
  if (!point) return null;
  const title = datasetTitle(draft.dataset);
  const what = `${describeStartingPoint(point)} (the baseline reaches ${(100 * point.accuracy).toFixed(1)} % test accuracy in 600 steps)`;
  if (hasStartingPoint(draft, point)) {
    return (
      <p className="hint" data-testid="starting-point">
        Starting point for {title} applied: {what}.{' '}
        {plain && (
          <button type="button" onClick={onKeep} data-testid="keep-settings">
            Keep my model, batch and rates
          </button>
        )}
      </p>
    );
  }
  return (
    <p className="hint" data-testid="starting-point">
      Starting point for {title}: {what}.{' '}
      <button type="button" onClick={() => editDraft(withStartingPoint(draft, point))} data-testid="use-starting-point">
        Use it
      </button>
    </p>
  );
}

/** The experiment-level fields, the upload, and Apply / Discard for edits that restart. */
export function ExperimentPanel() {
  const draft = useLab((state) => state.draft);
  const applied = useLab((state) => state.applied);
  const issues = useLab((state) => state.issues);
  const busy = useLab((state) => state.busy);
  const [uploadError, setUploadError] = useState<string | null>(null);
  /** The draft as the last dataset switch left it without the starting point ("keep my settings"). */
  const [plain, setPlain] = useState<ConfigDoc | null>(null);
  if (!draft) return null;
  const dataset = (draft.dataset ?? {}) as Record<string, unknown>;
  const datasetValue = dataset.kind === 'upload' ? `upload:${String(dataset.id)}` : `${String(dataset.kind)}:${String(dataset.name)}`;
  const pending = applied !== null && issues.length === 0 && classifyEdit(applied, draft).kind === 'restart';
  const switching = applied !== null && JSON.stringify(applied.dataset) !== JSON.stringify(draft.dataset);
  const onSwitch = (value: string) => {
    const next = datasetOf(value, dataset);
    const without = switchDataset(draft, next, false);
    setPlain(without);
    editDraft(switchDataset(draft, next, true));
  };
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
          <span className="field-label" title={datasetSpec?.help}>
            {datasetSpec?.label}
          </span>
          <select value={datasetValue} onChange={(event) => onSwitch(event.target.value)} data-testid="field-dataset" title={datasetSpec?.help}>
            {DATASETS.map((value) => (
              <option key={value} value={value}>
                {value.replace(':', ': ')}
              </option>
            ))}
            {dataset.kind === 'upload' && <option value={datasetValue}>upload: {String(dataset.id)}</option>}
          </select>
        </label>
        <EntryList entries={experimentEntries(draft)} showRange={false} />
      </div>
      {switching && (
        <StartingPointNote
          draft={draft}
          plain={plain}
          onKeep={() => {
            if (plain) editDraft(plain);
            setPlain(null);
          }}
        />
      )}
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
