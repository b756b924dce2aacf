/**
 * A sweep too big for one stacked Trainer (its buffers past the device's storage-buffer or buffer
 * size limit, or past the config's sweep.chunkRuns) trains as consecutive chunks of stacked runs:
 * one ExperimentRunner per chunk, advanced block by block (every chunk to the same step before the
 * next block), so pausing, single steps, run edits, budget changes, checkpoints and restores act on the whole
 * sweep, and there is one progress. A run's numbers do not depend on its chunk: its init and data
 * order come from (seed, replicate), its draws from (seed, runKey), and every kernel computes each
 * run on its own; so the records equal those of one big chunk, bit for bit (chunked-runner.test.ts).
 * Records are indexed by the stacked run of the whole sweep.
 */
import { BufferLimitError } from '../gpu/device';
import { asRun, type RunIndex, type Step } from '../util/ids';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, formatIssue, isChunked, type ChunkedCheckpoint, type RunnerCheckpoint, type TrainingCheckpoint } from './checkpoint';
import { RecordTable } from './record-table';
import type { MetricRecord, RunnerEvent } from './records';
import type { ExperimentRunner, RunnerOptions, RunnerRun } from './runner';
import type { TrainingRunner } from './training-runner';

/** One chunk: its runner and the index of its first run in the whole sweep. */
interface Chunk {
  runner: ExperimentRunner;
  offset: number;
}

export class ChunkedRunner implements TrainingRunner {
  readonly options: RunnerOptions;
  private listeners: Array<(event: RunnerEvent) => void> = [];
  /** Records of the block in progress, emitted (renumbered) once every chunk has trained it. */
  private pending: MetricRecord[] = [];
  /** The pending records by run and step (key run·2³² + step), for angles that arrive after them. */
  private pendingAt = new Map<number, MetricRecord>();
  /** Every chunk's records, renumbered into the whole sweep, as each block completes. */
  readonly records = new RecordTable();

  constructor(
    readonly runs: RunnerRun[],
    readonly chunks: readonly Chunk[],
  ) {
    if (chunks.length === 0) throw new Error('a chunked runner needs at least one chunk');
    this.options = { ...chunks[0].runner.options };
    for (const { runner, offset } of chunks) {
      runner.subscribe((event) => this.forward(event, offset));
    }
  }

  /** A chunk's event in the numbering of the whole sweep: metrics wait for the block's end; progress is the sweep's own. */
  private forward(event: RunnerEvent, offset: number): void {
    if (event.kind === 'progress') return;
    if (event.kind === 'metrics') {
      for (const record of event.records) {
        const renumbered = { ...record, run: asRun(record.run + offset) };
        this.pending.push(renumbered);
        this.pendingAt.set(renumbered.run * 2 ** 32 + renumbered.step, renumbered);
      }
      return;
    }
    if (event.kind === 'autodrop' && event.decision.angle !== null) this.noteAngle(asRun(event.run + offset), event.step, event.decision.angle);
    this.emit({ ...event, run: asRun(event.run + offset) });
  }

  /** A window's angle, set on its record as the chunk's runner does (a record not yet collected carries it itself). */
  private noteAngle(run: RunIndex, step: Step, angle: number): void {
    const row = this.records.rowOf(run, step);
    if (row >= 0) this.records.set(row, { angle });
    const pending = this.pendingAt.get(run * 2 ** 32 + step);
    if (pending) pending.angle = angle;
  }

  private emit(event: RunnerEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private flushPending(): void {
    if (this.pending.length === 0) return;
    const records = this.pending;
    this.pending = [];
    this.pendingAt = new Map();
    this.records.pushAll(records);
    this.emit({ kind: 'metrics', records });
  }

  subscribe(listener: (event: RunnerEvent) => void): () => void {
    this.listeners.push(listener);
    return () => (this.listeners = this.listeners.filter((l) => l !== listener));
  }

  private get first(): ExperimentRunner {
    return this.chunks[0].runner;
  }

  get gpu() {
    return this.first.gpu;
  }

  get dataset() {
    return this.first.dataset;
  }

  get step(): Step {
    return this.first.step;
  }

  get done(): boolean {
    return this.step >= this.options.budgetSteps;
  }

  get stepsPerEpoch(): number {
    return this.first.stepsPerEpoch;
  }

  get diverged(): ReadonlyArray<Step | null> {
    return this.chunks.flatMap((chunk) => [...chunk.runner.diverged]);
  }


  isEvaluationStep(step: Step): boolean {
    return this.first.isEvaluationStep(step);
  }

  /**
   * Trains up to `steps` more steps, one block (to the next multiple of logEvery) at a time: the
   * first chunk until the block's end or a pause (`shouldStop`, asked after every step), then every
   * other chunk to the step the first reached.
   */
  async advance(steps: number, shouldStop: () => boolean = () => false): Promise<void> {
    const { logEvery } = this.options;
    const target = Math.min(this.options.budgetSteps, this.step + steps);
    while (this.step < target) {
      const blockEnd = Math.min(target, (Math.floor(this.step / logEvery) + 1) * logEvery);
      await this.first.advance(blockEnd - this.step, shouldStop);
      const reached = this.step;
      for (const { runner } of this.chunks.slice(1)) await runner.advance(reached - runner.step);
      this.flushPending();
      this.emit({ kind: 'progress', step: reached, budgetSteps: this.options.budgetSteps });
      if (reached < blockEnd) break; // paused
    }
  }

  async settle(): Promise<void> {
    for (const { runner } of this.chunks) await runner.settle();
  }

  setBudget(budgetSteps: number): void {
    for (const { runner } of this.chunks) runner.setBudget(budgetSteps);
    this.options.budgetSteps = budgetSteps;
  }

  /** The chunk of stacked run `index` and the run's index within it. */
  private locate(index: number): { runner: ExperimentRunner; local: number } | null {
    if (!(Number.isInteger(index) && index >= 0 && index < this.runs.length)) return null;
    const chunk = [...this.chunks].reverse().find((c) => c.offset <= index)!;
    return { runner: chunk.runner, local: index - chunk.offset };
  }

  runUpdateIssue(index: RunIndex | number, run: Pick<RunnerRun, 'autodrop'>): string | null {
    const at = this.locate(index);
    if (!at) return `index: no stacked run ${index} (the experiment has ${this.runs.length})`;
    return at.runner.runUpdateIssue(at.local, run);
  }

  updateRun(index: RunIndex | number, run: RunnerRun): void {
    const at = this.locate(index);
    if (!at) throw new Error(`run ${index}: no stacked run ${index} (the experiment has ${this.runs.length})`);
    at.runner.updateRun(at.local, run);
    this.runs[index] = run;
  }

  restoreRecords(records: readonly MetricRecord[]): void {
    this.records.clear();
    this.records.pushAll(records);
    for (const [position, { runner, offset }] of this.chunks.entries()) {
      const end = this.chunks[position + 1]?.offset ?? this.runs.length;
      runner.restoreRecords(records.filter((r) => r.run >= offset && r.run < end).map((r) => ({ ...r, run: asRun(r.run - offset) })));
    }
  }

  /**
   * The sweep's training state (./checkpoint.ts): every chunk's, all at the same step (taken between
   * blocks, when no chunk is advancing), so that a reload replays from it, not from step 0.
   */
  async checkpoint(): Promise<ChunkedCheckpoint> {
    const chunks: RunnerCheckpoint[] = [];
    for (const { runner } of this.chunks) chunks.push(await runner.checkpoint());
    return { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, step: this.step, activeMs: Math.max(...chunks.map((c) => c.activeMs)), chunks };
  }

  /** Why `checkpoint` cannot continue this sweep, or null when it can: it must be a checkpoint of the same chunks, each of which must fit its chunk. */
  restoreIssue(checkpoint: TrainingCheckpoint): string | null {
    if (this.step !== 0 || this.records.length > 0) return 'restore it into a fresh runner (this one has trained)';
    const wrong = formatIssue(checkpoint);
    if (wrong) return wrong;
    if (!isChunked(checkpoint)) return `one stack's checkpoint (${checkpoint.runs.length} runs); this sweep trains in ${this.chunks.length} chunks`;
    if (checkpoint.chunks.length !== this.chunks.length) return `a sweep's checkpoint in ${checkpoint.chunks.length} chunks; this sweep trains in ${this.chunks.length}`;
    for (const [index, { runner }] of this.chunks.entries()) {
      const issue = runner.restoreIssue(checkpoint.chunks[index]);
      if (issue) return `chunk ${index + 1} of ${this.chunks.length}: ${issue}`;
    }
    return null;
  }

  /** Continues from a checkpoint of this sweep (a fresh runner); one that does not fit is refused with the reason, nothing changed. */
  restoreCheckpoint(checkpoint: TrainingCheckpoint): void {
    const issue = this.restoreIssue(checkpoint);
    if (issue) throw new Error(`checkpoint: ${issue}`);
    (checkpoint as ChunkedCheckpoint).chunks.forEach((saved, index) => this.chunks[index].runner.restoreCheckpoint(saved));
  }

  async reset(): Promise<void> {
    for (const { runner } of this.chunks) await runner.reset();
    this.pending = [];
    this.pendingAt = new Map();
    this.records.clear();
  }

  destroy(): void {
    for (const { runner } of this.chunks) runner.destroy();
  }
}

/**
 * The runner of `runs`: one ExperimentRunner when they fit in one chunk of at most `chunkRuns`,
 * else a ChunkedRunner of consecutive chunks. Chunks shrink when a buffer would pass a device limit
 * (by the ratio of the limit to the size asked, then by half); the limit's error is thrown only
 * when a single run does not fit.
 */
export function stackedRunner(runs: RunnerRun[], chunkRuns: number, build: (runs: RunnerRun[]) => ExperimentRunner, shrink = true): TrainingRunner {
  let size = Math.max(1, Math.min(chunkRuns, runs.length));
  for (;;) {
    const built: Chunk[] = [];
    try {
      for (let offset = 0; offset < runs.length; offset += size) built.push({ runner: build(runs.slice(offset, offset + size)), offset });
      return built.length === 1 ? built[0].runner : new ChunkedRunner(runs, built);
    } catch (error) {
      for (const { runner } of built) runner.destroy();
      if (!shrink || !(error instanceof BufferLimitError) || size === 1) throw error;
      size = Math.max(1, Math.min(size - 1, Math.floor((size * error.limit) / error.bytes), Math.ceil(size / 2)));
    }
  }
}
