// The Python interpreter of the PyTorch tests and exports: LRLAB_PYTHON when set, else the first of
// /usr/bin/python3 and python3 (on PATH) that imports torch, numpy and pytest. (The first python3 on
// PATH may be another interpreter without torch, e.g. a pyenv shim.) Shared by scripts/test-all.mjs
// and the agreement tests (src/export/pytorch-agreement.test.ts).
import { spawnSync } from 'node:child_process';

/** What to do when no interpreter qualifies. */
export const PYTHON_HINT =
  'install them with `apt-get install python3-torch python3-numpy python3-pytest` (Debian), or set LRLAB_PYTHON to an interpreter that has torch, numpy and pytest';

/** Checks one interpreter: its torch version, or why it does not qualify. */
function probe(python) {
  const done = spawnSync(python, ['-c', 'import torch, numpy, pytest; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
  if (done.error) return { python, error: done.error.code === 'ENOENT' ? 'not found' : done.error.message };
  if (done.status !== 0) return { python, error: (done.stderr.trim().split('\n').pop() ?? `exit ${done.status}`).trim() };
  return { python, torch: done.stdout.trim() };
}

/**
 * The interpreter to use: { python, torch } or { error } (a message naming what was tried and what to install).
 */
export function findPython() {
  const candidates = process.env.LRLAB_PYTHON ? [process.env.LRLAB_PYTHON] : ['/usr/bin/python3', 'python3'];
  const tried = [];
  for (const candidate of candidates) {
    const found = probe(candidate);
    if (found.torch) return found;
    tried.push(`${candidate}: ${found.error}`);
  }
  return { error: `no Python with torch, numpy and pytest (${tried.join('; ')}): ${PYTHON_HINT}` };
}
