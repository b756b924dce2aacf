/**
 * The results document: one versioned JSON file with the full experiment config (as validated),
 * the identity of every stacked run, every metric record, the divergence steps and the step
 * reached. Importing it restores the experiment exactly: its config re-creates the same runner
 * (createRunner), and training that runner for `step` steps reproduces the same numbers.
 *
 * JSON has no NaN or ±Infinity, and a diverged run's loss is exactly that: in `records` a
 * non-finite number is written as the string "NaN", "Infinity" or "-Infinity" (and −0 as `-0`),
 * and read back as the number, so every record survives the round trip bit for bit.
 */
import { z } from 'zod';
import { isRecord, parseJsonText } from '../util/json';
import { ConfigError, expected, parseConfig } from '../util/validate';
import { parseExperiment, type ExperimentConfig } from './config';
import { expandRuns, runnerRun } from './expand';
import { RecordTable } from './record-table';
import type { MetricRecord } from './records';
import { columnRecords, type RecordColumns } from './record-columns';
import { integer, memoryColumnsIssues, memoryRecordList, RECORD_FIELDS, recordsJsonChunks, recordsOf, recordsSchemaOf } from './results-records';
import { asMethod, asStep, type MethodIndex, type Step } from '../util/ids';

/** The `format` field of every results document. */
export const RESULTS_FORMAT = 'lr-lab-results';
/** The results version this code reads and writes. */
export const RESULTS_VERSION = 2;
/** At most this many issues are listed in a ConfigError (the rest are counted). */
const MAX_ISSUES = 20;

/** Who a stacked run is: the identity fields of a RunnerRun (see ./expand.ts runnerRun). */
export interface RunIdentity {
  label: string;
  method: MethodIndex;
  replicate: number;
  seed: number;
  runKey: number;
}

/** What a results document is written from: an ExperimentRunner, or a parsed ResultsDocument. */
export interface ResultsSource {
  runs: readonly RunIdentity[];
  records: RecordTable | readonly MetricRecord[];
  /** Step at which each run diverged (null: healthy). */
  diverged: ReadonlyArray<Step | null>;
  /** Optimizer steps taken. */
  step: Step;
}

/** A parsed results document. */
export interface ResultsDocument {
  format: typeof RESULTS_FORMAT;
  version: typeof RESULTS_VERSION;
  /** ISO 8601 time of the export. */
  savedAt: string;
  config: ExperimentConfig;
  runs: RunIdentity[];
  records: MetricRecord[];
  diverged: Array<Step | null>;
  step: Step;
}

// ------------------------------------------------------------------------------------ the schema

const runSchema = z.strictObject(
  {
    label: z.string(expected('must be a text')),
    method: integer(0),
    replicate: integer(0),
    seed: integer(0, 0xffffffff, 'must be an integer in [0, 2^32)'),
    runKey: integer(0, 0xffffffff, 'must be an integer in [0, 2^32)'),
  } satisfies Record<keyof RunIdentity, z.ZodType>,
  expected('must be an object { label, method, replicate, seed, runKey }'),
);
const RUN_FIELDS = Object.keys(runSchema.shape) as Array<keyof RunIdentity>;

/** The document without its config (parsed by parseExperiment) and header (checked first). */
const bodySchema = z.object({
  savedAt: z.iso.datetime({ offset: true, error: (issue) => (issue.input === undefined ? 'is required' : 'must be an ISO 8601 date-time') }),
  runs: z.array(runSchema, expected('must be a list of runs')),
  records: z.unknown().refine((records) => records !== undefined, 'is required'), // (its own schema below: a list or columns)
  diverged: z.array(integer(0).nullable(), expected('must be a list of steps or null')),
  step: integer(0),
});

const TOP_FIELDS = ['format', 'version', 'savedAt', 'config', 'runs', 'records', 'diverged', 'step'];

// -------------------------------------------------------------------------------------- checks

/** Consistency of the parts: the runs are the config's stacked runs, and the steps fit. */
function consistencyIssues(config: ExperimentConfig, source: ResultsSource): string[] {
  const issues: string[] = [];
  const expectedRuns = expandRuns(config).map(runnerRun);
  if (source.runs.length !== expectedRuns.length) {
    issues.push(`runs: must list the ${expectedRuns.length} stacked runs of the config (runs × replicates), not ${source.runs.length}`);
  } else {
    source.runs.forEach((run, index) => {
      for (const field of RUN_FIELDS) {
        if (run[field] !== expectedRuns[index][field]) {
          issues.push(`runs.${index}.${field}: must be ${JSON.stringify(expectedRuns[index][field])} as the config gives (got ${JSON.stringify(run[field])})`);
        }
      }
    });
  }
  if (source.diverged.length !== source.runs.length) {
    issues.push(`diverged: must have one entry per run (${source.runs.length}), not ${source.diverged.length}`);
  }
  source.diverged.forEach((step, index) => {
    if (step !== null && step > source.step) issues.push(`diverged.${index}: must be <= step ${source.step} (got ${step})`);
  });
  const table = tableOf(source.records);
  for (let row = 0; row < table.length && issues.length <= MAX_ISSUES; row++) {
    const [run, step] = [table.runAt(row), table.stepAt(row)];
    if (run >= source.runs.length) issues.push(`records.${row}.run: must be < ${source.runs.length}, the number of runs (got ${run})`);
    if (step > source.step) issues.push(`records.${row}.step: must be <= step ${source.step} (got ${step})`);
  }
  return issues;
}

function capped(issues: string[]): string[] {
  return issues.length <= MAX_ISSUES ? issues : [...issues.slice(0, MAX_ISSUES), `… and ${issues.length - MAX_ISSUES} more`];
}

function describeValue(value: unknown): string {
  return Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : (JSON.stringify(value) ?? String(value));
}

/** The format and version, checked before anything else (a wrong file gets one clear message). */
function headerIssue(json: unknown): string | null {
  if (!isRecord(json)) return `results: must be a JSON object (got ${describeValue(json)})`;
  if (json.format !== RESULTS_FORMAT) {
    if (json.format === undefined && 'runs' in json && 'dataset' in json) {
      return `format: is required; this looks like an experiment config, not an LR Lab results file ("format": "${RESULTS_FORMAT}")`;
    }
    return json.format === undefined ? 'format: is required (an LR Lab results file has "format": "lr-lab-results")' : `format: must be "${RESULTS_FORMAT}" (got ${describeValue(json.format)})`;
  }
  const version = json.version;
  if (version === undefined) return `version: is required (this app reads results of versions 1 to ${RESULTS_VERSION})`;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return `version: must be an integer >= 1 (got ${describeValue(version)})`;
  if (version > RESULTS_VERSION) return `version: ${version} is newer than this app understands (it reads version ${RESULTS_VERSION}); update LR Lab`;
  return null;
}

// ------------------------------------------------------------------------------------- reading

/**
 * Validates a results document (already JSON-parsed): the header, every field of every run and
 * record, the config through parseExperiment (defaults and migrations apply), and that the runs are
 * the config's. Throws ConfigError naming each bad field ("records.12.trainLoss: …").
 * `recordsInMemory`: the records were not read from JSON (a saved log): typed columns
 * (src/experiment/record-columns.ts), or a list of objects, whose non-finite metrics are numbers
 * rather than their JSON strings.
 */
export function parseResults(json: unknown, { recordsInMemory = false }: { recordsInMemory?: boolean } = {}): ResultsDocument {
  const header = headerIssue(json);
  if (header) throw new ConfigError([header]);
  const input = json as Record<string, unknown>;
  const issues = Object.keys(input)
    .filter((key) => !TOP_FIELDS.includes(key))
    .map((key) => `${key}: is not a field of a results document`);
  let config: ExperimentConfig | undefined;
  if (input.config === undefined) issues.push('config: is required');
  else {
    try {
      config = parseExperiment(input.config);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues.push(...error.issues.map((issue) => (issue.startsWith('experiment:') ? `config${issue.slice('experiment'.length)}` : `config.${issue}`)));
    }
  }
  const attempt = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues.push(...error.issues);
      return undefined;
    }
  };
  const records = input.records === undefined ? undefined : recordsInMemory && !Array.isArray(input.records) ? memoryColumns(input.records, issues) : attempt(() => recordsOf(parseConfig(recordsInMemory ? memoryRecordList : recordsSchemaOf(input.records), input.records, 'records')));
  const body = attempt(() => parseConfig(bodySchema, input, ''));
  const source = body && records && typed(body, records);
  if (config && source) issues.push(...consistencyIssues(config, source));
  if (issues.length > 0 || !config || !body || !source) throw new ConfigError(capped(issues));
  return { format: RESULTS_FORMAT, version: RESULTS_VERSION, savedAt: body.savedAt, config, ...source };
}

/**
 * Records held in memory as typed columns (the page's saved log), made into record objects once:
 * no schema copies them record by record (a 300,000-record log went through three lists of objects).
 */
function memoryColumns(columns: unknown, issues: string[]): MetricRecord[] | undefined {
  const found = memoryColumnsIssues(columns);
  issues.push(...found);
  return found.length === 0 ? columnRecords(columns as RecordColumns) : undefined;
}

/** The parsed body with its indices and steps typed (src/util/ids.ts; the schema checked each), with its records. */
function typed(body: z.output<typeof bodySchema>, records: MetricRecord[]): { runs: RunIdentity[]; records: MetricRecord[]; diverged: Array<Step | null>; step: Step } {
  const runs = body.runs.map((run) => ({ ...run, method: asMethod(run.method) }));
  const diverged = body.diverged.map((at) => (at === null ? null : asStep(at)));
  return { runs, records, diverged, step: asStep(body.step) };
}

/** parseResults of a JSON text; a syntax error is a ConfigError with its line and column. */
export function parseResultsJson(text: string): ResultsDocument {
  return parseResults(parseJsonText(text, 'results'));
}

// ------------------------------------------------------------------------------------- writing

/**
 * `source` cut at the last step its records reach: what a runner had read back when its device was
 * lost (steps submitted after that never came back), with the divergences up to there.
 */
export function upToLastRecord(source: ResultsSource): ResultsSource {
  let last = 0;
  for (const record of source.records) last = Math.max(last, record.step);
  const step = asStep(last);
  return { ...source, step, diverged: source.diverged.map((at) => (at !== null && at <= step ? at : null)) };
}

export interface ResultsJsonOptions {
  /** Time of the export (default: now). */
  savedAt?: Date | string;
}

/**
 * The results document of an experiment as JSON text in chunks: `config` (validated again, so the
 * file holds the canonical form with defaults filled), the stacked runs' identity, the divergence
 * steps, the step reached, and the records as columns (./results-records.ts). `source` is the
 * ExperimentRunner of `config` (or a ResultsDocument: its records are written in the new form).
 * Throws if the runs are not the config's, so that what is written always reads back.
 */
export function* resultsJsonChunks(config: ExperimentConfig, source: ResultsSource, options: ResultsJsonOptions = {}): Generator<string> {
  const validated = parseExperiment(config);
  const issues = consistencyIssues(validated, source);
  if (issues.length > 0) throw new Error(`results do not match the config: ${capped(issues).join('; ')}`);
  const savedAt = options.savedAt === undefined ? new Date().toISOString() : typeof options.savedAt === 'string' ? options.savedAt : options.savedAt.toISOString();
  const runs = source.runs.map((run) => JSON.stringify(Object.fromEntries(RUN_FIELDS.map((field) => [field, run[field]]))));
  const configJson = JSON.stringify(validated, null, 2).replace(/\n/g, '\n  ');
  yield [
    '{',
    `  "format": ${JSON.stringify(RESULTS_FORMAT)},`,
    `  "version": ${RESULTS_VERSION},`,
    `  "savedAt": ${JSON.stringify(savedAt)},`,
    `  "config": ${configJson},`,
    `  "runs": ${runs.length === 0 ? '[]' : `[\n${runs.map((run) => `    ${run}`).join(',\n')}\n  ]`},`,
    `  "diverged": ${JSON.stringify([...source.diverged])},`,
    `  "step": ${source.step},`,
    '  "records": ',
  ].join('\n');
  yield* recordsJsonChunks(tableOf(source.records));
  yield '\n}\n';
}

/** The results document as one text (see resultsJsonChunks; the CLI and the page write the chunks). */
export function toResultsJson(config: ExperimentConfig, source: ResultsSource, options: ResultsJsonOptions = {}): string {
  return [...resultsJsonChunks(config, source, options)].join('');
}

const tableOf = (records: RecordTable | readonly MetricRecord[]): RecordTable => (records instanceof RecordTable ? records : RecordTable.of(records));

// ------------------------------------------------------------------------------------ comparing

/** How a replay's records differ from a results file's (wall time aside). */
export interface RecordDifference {
  /** Numbers compared (every metric field of every (run, step) present in both). */
  compared: number;
  /** Of them, how many differ at all (NaN equals NaN). */
  differing: number;
  /** Largest |a − b| / max(|b|, 1e-12) over finite pairs. */
  maxRelative: number;
  /** (run, step) pairs in one list and not the other. */
  missing: number;
  /** The first difference found, in words (null when none). */
  first: string | null;
}

/** Compares `actual` (e.g. a replay) with `expected` (a results file) record by record, by (run, step); wallMs is ignored. */
export function recordDifferences(expected: readonly MetricRecord[], actual: Iterable<MetricRecord>): RecordDifference {
  const key = (record: MetricRecord) => `${record.run}:${record.step}`;
  const byKey = new Map<string, MetricRecord>();
  for (const record of actual) byKey.set(key(record), record);
  const result: RecordDifference = { compared: 0, differing: 0, maxRelative: 0, missing: Math.abs(byKey.size - expected.length), first: null };
  for (const want of expected) {
    const got = byKey.get(key(want));
    if (!got) {
      result.first ??= `run ${want.run} step ${want.step}: no such record in the replay`;
      continue;
    }
    for (const field of RECORD_FIELDS) {
      if (field === 'wallMs' || field === 'run' || field === 'step') continue;
      const a = want[field];
      const b = got[field];
      if (a === undefined && b === undefined) continue;
      result.compared++;
      if (Object.is(a, b) || (typeof a === 'number' && typeof b === 'number' && a === b)) continue;
      result.differing++;
      if (typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b)) {
        result.maxRelative = Math.max(result.maxRelative, Math.abs(a - b) / Math.max(Math.abs(a), 1e-12));
      } else result.maxRelative = Infinity;
      result.first ??= `run ${want.run} step ${want.step} ${field}: ${String(a)} in the file, ${String(b)} replayed`;
    }
  }
  return result;
}
