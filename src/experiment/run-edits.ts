/**
 * Edits to the runs of a config document as the user wrote it (the other fields stay as written):
 * replace, append or remove one method. They return a new document for parseExperiment to
 * validate whole; they keep each run's draws and colour stable across edits, which the defaults
 * (both the run's position) would not after a removal.
 */
import { isRecord } from '../util/json';
import { RUN_COLORS, type ExperimentConfig } from './config';

/** The document's `runs` (empty when absent or not an array: parseExperiment names that error). */
export function documentRuns(input: Record<string, unknown>): unknown[] {
  return Array.isArray(input.runs) ? input.runs : [];
}

function checkIndex(runs: unknown[], index: number): void {
  if (!(Number.isInteger(index) && index >= 0 && index < runs.length)) {
    throw new Error(`runs.${index}: no such run (the experiment has ${runs.length})`);
  }
}

/** The document with run `index` replaced by `run`. */
export function replaceRun(input: Record<string, unknown>, index: number, run: unknown): Record<string, unknown> {
  const runs = documentRuns(input);
  checkIndex(runs, index);
  return { ...input, runs: runs.map((old, i) => (i === index ? run : old)) };
}

/**
 * The document with `run` appended; without its own, it gets a fresh run key (so it shares no
 * draws with a run kept after a removal) and the first colour no run of `config` uses.
 */
export function appendRun(input: Record<string, unknown>, config: ExperimentConfig, run: unknown): Record<string, unknown> {
  if (!isRecord(run)) return { ...input, runs: [...documentRuns(input), run] };
  const added = { ...run };
  if (added.runKey === undefined) added.runKey = Math.max(-1, ...config.runs.map((r) => r.runKey)) + 1;
  if (added.color === undefined) {
    added.color = RUN_COLORS.find((color) => !config.runs.some((r) => r.color.toLowerCase() === color)) ?? RUN_COLORS[config.runs.length % RUN_COLORS.length];
  }
  return { ...input, runs: [...documentRuns(input), added] };
}

/** The document without run `index`; the runs kept are pinned to the colour and run key `config` gave them. */
export function removeRun(input: Record<string, unknown>, config: ExperimentConfig, index: number): Record<string, unknown> {
  const runs = documentRuns(input);
  checkIndex(runs, index);
  const kept = runs.flatMap((run, i) => (i === index ? [] : [isRecord(run) ? { ...run, color: config.runs[i].color, runKey: config.runs[i].runKey } : run]));
  return { ...input, runs: kept };
}

/** The document with run `index` moved to `to` (the others shift); every run keeps the colour and run key `config` gave it. */
export function moveRun(input: Record<string, unknown>, config: ExperimentConfig, index: number, to: number): Record<string, unknown> {
  const runs = documentRuns(input);
  checkIndex(runs, index);
  checkIndex(runs, to);
  const pinned = runs.map((run, i) => (isRecord(run) ? { ...run, color: config.runs[i].color, runKey: config.runs[i].runKey } : run));
  const [moved] = pinned.splice(index, 1);
  pinned.splice(to, 0, moved);
  return { ...input, runs: pinned };
}
