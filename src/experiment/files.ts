/**
 * Experiment files as a user opens them: an experiment config or a results document, told apart the
 * same way everywhere (the page, the CLI) — by parsing the JSON and reading its `format` field.
 */
import { isRecord, parseJsonText } from '../util/json';
import { parseExperiment, type ExperimentConfig } from './config';
import { parseResults, RESULTS_FORMAT, type ResultsDocument } from './results';
import type { ConfigDocument } from './session-events';

export type ExperimentFile =
  /** An experiment config: the document as written and its validated form. */
  | { kind: 'config'; document: ConfigDocument; config: ExperimentConfig }
  /** A results document (`"format": "lr-lab-results"`): the config, every record and the step reached. */
  | { kind: 'results'; results: ResultsDocument };

/** Whether a parsed JSON value claims to be a results document (its `format` field). */
export function isResultsJson(json: unknown): boolean {
  return isRecord(json) && json.format === RESULTS_FORMAT;
}

/**
 * Reads an experiment file's text: a results document when its `format` says so, else an
 * experiment config. Throws a ConfigError naming every bad field (a syntax error with its line and column).
 */
export function readExperimentFile(text: string): ExperimentFile {
  const json = parseJsonText(text, 'experiment');
  if (isResultsJson(json)) return { kind: 'results', results: parseResults(json) };
  const config = parseExperiment(json); // (a value that is no object is refused here, in words)
  return { kind: 'config', document: json as ConfigDocument, config };
}
