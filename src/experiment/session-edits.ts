/**
 * The session's run edits (./session.ts): changing a method mid-training and moving the budget
 * (both at the loop's next block boundary, without a reset), and adding, removing or reordering
 * runs, which rebuild the stacked runner on the same dataset (training restarts from step 0).
 * Each edit makes a new config document (./run-edits.ts) that parseExperiment validates whole
 * before anything changes.
 */
import type { Dataset } from '../data/types';
import { nextStep, type MethodIndex, type Step } from '../util/ids';
import { jsonDocument } from '../util/json';
import { parseExperiment, type ExperimentConfig } from './config';
import { budgetSteps, expandRuns, runnerRun } from './expand';
import { appendRun, documentRuns, moveRun, removeRun, replaceRun } from './run-edits';
import type { AppliedExperiment, ConfigDocument, RebuildResult, SessionEvent } from './session-events';
import type { TrainingRunner } from './training-runner';

/** The experiment loaded, as the edits see it: its document and config are replaced in place. */
export interface EditedExperiment {
  document: ConfigDocument;
  config: ExperimentConfig;
  readonly dataset: Dataset;
  readonly runner: TrainingRunner;
}

/** What the edits need of their session. */
export interface EditHost {
  /** The experiment, for work on the GPU (throws when none is loaded, or the device is lost). */
  need(): EditedExperiment;
  /** Whether `exp` is still the experiment loaded (a load may replace it before a block boundary). */
  isCurrent(exp: EditedExperiment): boolean;
  /** Runs `work` with no step in flight: at the loop's next block boundary while training, else now. */
  atBoundary<T>(work: () => Promise<T> | T): Promise<T>;
  /** Replaces the experiment with `document` (validated as `config`) on `dataset` (TrainingSession.install). */
  install(document: ConfigDocument, config: ExperimentConfig, dataset: Dataset): Promise<AppliedExperiment>;
  /** `exp` as a view needs it. */
  applied(exp: EditedExperiment): AppliedExperiment;
  emit(event: SessionEvent): void;
}

export class SessionEdits {
  constructor(private readonly host: EditHost) {}

  /** Method `method` runs `runDocument` from the next block boundary on; resolves with the first step trained with it. */
  async updateRun(method: MethodIndex, runDocument: unknown): Promise<{ fromStep: Step }> {
    const exp = this.host.need();
    const document = replaceRun(exp.document, method, jsonDocument(runDocument, `runs.${method}`));
    const config = parseExperiment(document);
    const changed = expandRuns(config).filter((run) => run.method === method);
    for (const run of changed) {
      const issue = exp.runner.runUpdateIssue(run.index, runnerRun(run));
      if (issue) throw new Error(`runs.${method}.${issue}`);
    }
    return this.host.atBoundary(() => {
      if (!this.host.isCurrent(exp)) throw new Error('the experiment was replaced before the change could apply');
      for (const run of changed) exp.runner.updateRun(run.index, runnerRun(run));
      exp.document = document;
      exp.config = config;
      const fromStep = nextStep(exp.runner.step);
      this.host.emit({ kind: 'run-updated', method, fromStep, applied: this.host.applied(exp) });
      return { fromStep };
    });
  }

  /** The budget becomes `budget` at the next block boundary; one below the step reached is refused. */
  async setBudget(budget: unknown): Promise<AppliedExperiment> {
    const exp = this.host.need();
    const document = { ...exp.document, budget: jsonDocument(budget, 'budget') };
    const config = parseExperiment(document);
    const steps = budgetSteps(config, exp.runner.stepsPerEpoch);
    return this.host.atBoundary(() => {
      if (!this.host.isCurrent(exp)) throw new Error('the experiment was replaced before the change could apply');
      if (steps < exp.runner.step) {
        throw new Error(`budget.amount: ${steps} steps is below the ${exp.runner.step} steps already trained; reset to train a shorter budget`);
      }
      exp.runner.setBudget(steps);
      exp.document = document;
      exp.config = config;
      const applied = this.host.applied(exp);
      this.host.emit({ kind: 'budget-changed', applied });
      return applied;
    });
  }

  /** Appends a run (a fresh run key and an unused colour unless it has its own); rebuilds. */
  addRun(runDocument: unknown): Promise<RebuildResult> {
    return this.rebuild((exp) => appendRun(exp.document, exp.config, jsonDocument(runDocument, `runs.${documentRuns(exp.document).length}`)), 'Adding a run');
  }

  /** Removes method `method`, the others pinned to their colours and run keys; rebuilds. */
  removeRun(method: MethodIndex): Promise<RebuildResult> {
    return this.rebuild((exp) => removeRun(exp.document, exp.config, method), 'Removing a run');
  }

  /** Moves method `method` to place `to`, every run pinned to its colour and run key; rebuilds. */
  moveRun(method: MethodIndex, to: MethodIndex): Promise<RebuildResult> {
    return this.rebuild((exp) => moveRun(exp.document, exp.config, method, to), 'Reordering the runs');
  }

  /** Installs the document `edit` makes of the experiment's, on the same dataset; `what` rebuilt the experiment. */
  private async rebuild(edit: (exp: EditedExperiment) => ConfigDocument, what: string): Promise<RebuildResult> {
    const exp = this.host.need();
    const document = edit(exp);
    const applied = await this.host.install(document, parseExperiment(document), exp.dataset);
    return { applied, message: `${what} rebuilds the experiment: training restarted from step 0.` };
  }
}
