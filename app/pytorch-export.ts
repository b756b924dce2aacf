/**
 * The playground's "PyTorch script" download: the applied experiment as one runnable Python file
 * (src/export/pytorch.ts, loaded on first use so that the page's bundle does not carry the embedded
 * package). An experiment that cannot be exported (an uploaded dataset) shows why in `error`.
 */
import { parseExperiment } from '../src/experiment/config';
import { ConfigError } from '../src/util/validate';
import { download } from './actions';
import { useLab } from './store';

/** Offers the applied experiment as `<name>.py`; a failure lands in the store's `error`. */
export async function downloadPytorchScript(): Promise<void> {
  const { applied } = useLab.getState();
  if (!applied) return;
  try {
    const { pytorchScript } = await import('../src/export/pytorch');
    download(pytorchScript(parseExperiment(applied)), 'text/x-python', 'py');
  } catch (error) {
    const message = error instanceof ConfigError ? error.issues.join('; ') : (error as Error).message;
    useLab.setState({ error: `PyTorch script: ${message}` });
  }
}
