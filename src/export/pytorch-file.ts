/** Node side of the PyTorch export (the CLI's --pytorch): writes the script, executable. */
import { chmodSync, writeFileSync } from 'node:fs';
import type { ExperimentConfig } from '../experiment/config';
import { pytorchScript } from './pytorch';

/** Writes the PyTorch script of `config` to `path` (mode 755) and says so on stderr; returns true. */
export function writePytorchScript(config: ExperimentConfig, path: string): boolean {
  writeFileSync(path, pytorchScript(config));
  chmodSync(path, 0o755);
  console.error(`wrote ${path} (PyTorch script: python3 ${path} --help)`);
  return true;
}
