/**
 * The user's own dataset: one CSV (features…, label in the last column) or the four IDX files of an
 * MNIST-style set. The Worker parses it; a malformed file is refused with its parser's message and
 * nothing else changes. On success the experiment switches to it (renamed after it; training restarts).
 */
import { switchDataset } from '../src/experiment/starting-points';
import { currentEngine, note } from './actions';
import type { UploadPayload } from './engine-protocol';
import { saveUpload } from './persist';
import { setPath, useLab, validate } from './store';

const get = useLab.getState;
const set = useLab.setState;

/** IDX files are told apart by name: train/t10k|test and images/labels (idx3/idx1). */
function idxRole(name: string): 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels' | null {
  const lower = name.toLowerCase();
  const test = /t10k|test/.test(lower);
  const labels = /label|idx1/.test(lower);
  const images = /image|idx3/.test(lower);
  if (!labels && !images) return null;
  return `${test ? 'test' : 'train'}${labels ? 'Labels' : 'Images'}`;
}

/**
 * Uploads the user's dataset: one CSV (label in the last column) or the four IDX files. The
 * Worker parses it; a malformed file throws its message (shown, nothing else changes). On success
 * the experiment switches to it (training restarts). Returns the error message, if any.
 */
export async function uploadDataset(files: File[]): Promise<string | null> {
  const { applied } = get();
  const engine = currentEngine();
  if (!engine || !applied || files.length === 0) return null;
  try {
    const id = files.map((f) => f.name).join('+').slice(0, 100);
    let format: 'csv' | 'idx';
    let shape: { inputShape: number[] };
    let payload: UploadPayload;
    if (files.length === 1 && /\.(csv|tsv|txt)$/i.test(files[0].name)) {
      format = 'csv';
      payload = { format, text: await files[0].text() };
      shape = await engine.addUpload(id, payload);
    } else {
      format = 'idx';
      const parts: Record<string, Uint8Array> = {};
      for (const file of files) {
        const role = idxRole(file.name);
        if (role) parts[role] = new Uint8Array(await file.arrayBuffer());
      }
      const missing = ['trainImages', 'trainLabels', 'testImages', 'testLabels'].filter((role) => !parts[role]);
      if (files.length !== 4 || missing.length > 0) {
        throw new Error(`An upload is one CSV file (features…, label) or four IDX files (train/test × images/labels, named like train-images-idx3-ubyte); missing: ${missing.join(', ') || 'a recognisable name'}`);
      }
      payload = { format, trainImages: parts.trainImages, trainLabels: parts.trainLabels, testImages: parts.testImages, testLabels: parts.testLabels };
      shape = await engine.addUpload(id, payload);
    }
    // The experiment's name follows the data ("All methods on a spiral" → "All methods on data.csv").
    let doc = switchDataset(applied, { kind: 'upload', id, format }, false);
    const model = doc.model as { kind?: string };
    if (shape.inputShape.length !== 3 && model.kind?.includes('cnn')) doc = setPath(doc, 'model', { kind: 'mlp', hidden: [32, 32] });
    const issues = validate(doc);
    if (issues.length > 0) throw new Error(issues.join('; '));
    await engine.load(doc);
    set({ hidden: {} });
    await saveUpload({ id, payload });
    note(`trained on your upload "${id}": training restarted from step 0`);
    return null;
  } catch (error) {
    const message = `Upload refused: ${(error as Error).message}`;
    set({ error: message });
    return message;
  }
}

