// Exports (CSV of every curve, JSON results), opening a config or results file, the share link and
// the saved experiment.
import { useState, type ChangeEvent } from 'react';
import { exportCsv, exportJson, forgetSaved, openFile, shareLink } from '../actions';
import { downloadPytorchScript } from '../pytorch-export';
import { useLab } from '../store';

/** Export, open, share and forget buttons. */
export function Files() {
  const busy = useLab((state) => state.busy);
  const ready = useLab((state) => state.summary !== null && !state.busy);
  const trained = useLab((state) => state.recordsVersion >= 0 && state.records.length > 0);
  const [link, setLink] = useState('');
  const [notice, setNotice] = useState('');
  // The CSV holds logged steps: before the first one there is nothing to export, and the page says so.
  const onExportCsv = () => {
    setNotice(trained ? '' : 'Nothing to export yet: the CSV holds every logged step, and no step has been trained. Press Train first (Export JSON saves the config now).');
    if (trained) void exportCsv();
  };
  const onFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (file) void openFile(file);
  };
  const share = () => {
    const url = shareLink();
    setLink(url);
    void navigator.clipboard?.writeText(url).catch(() => undefined);
  };
  return (
    <section className="panel files" aria-labelledby="files-title">
      <h2 id="files-title">Files and sharing</h2>
      <div className="button-row">
        <button type="button" data-testid="export" disabled={!ready} onClick={onExportCsv}>
          Export CSV
        </button>
        <button type="button" data-testid="export-json" disabled={!ready} onClick={() => void exportJson()}>
          Export JSON
        </button>
        <button type="button" data-testid="export-pytorch" disabled={!ready} onClick={() => void downloadPytorchScript()} title="The experiment as one runnable Python file (needs torch and numpy): same init, batches and draws">
          PyTorch script
        </button>
        <label className="file-button">
          Open config or results (JSON) <input type="file" accept=".json,application/json" onChange={onFile} data-testid="config-file" disabled={busy} />
        </label>
        <button type="button" data-testid="share" disabled={!ready} onClick={share}>
          Share link
        </button>
        <button type="button" data-testid="forget" onClick={() => void forgetSaved()} disabled={busy} title="Forget the experiment this browser keeps and open the default">
          Forget saved
        </button>
      </div>
      {notice && !trained && (
        <p role="status" className="hint" data-testid="export-notice">
          {notice}
        </p>
      )}
      {link && (
        <label className="share">
          Link (copied): <input type="text" readOnly value={link} data-testid="share-url" onFocus={(event) => event.target.select()} />
        </label>
      )}
      <p className="hint">The experiment and its results are kept in this browser (IndexedDB) and restored on reload.</p>
    </section>
  );
}
