/**
 * The form's presentation choices, and nothing about the fields themselves (labels, ranges,
 * options, defaults and explanations come from the schemas: ./model.ts reads them): which config
 * paths each panel shows and in what order, which fields have a control of their own, and which
 * fields the form leaves out and why. Paths are dotted; `*` stands for any run.
 */

/** The experiment panel, in order: an object or a union expands into its fields (a union's kind first). */
export const EXPERIMENT_PANEL = ['dataset', 'model', 'batch', 'budget', 'evalEvery', 'logEvery', 'seed', 'replicates', 'divergence'] as const;

/** The head of a run card (the colour picker sits beside it). */
export const RUN_HEAD = ['label'] as const;

/** The row of a run card, under its head; the run's other optional objects (the LR methods) follow as toggled sections. */
export const RUN_ROW = ['optimizer', 'schedule'] as const;

/** Fields edited by a control of their own instead of a generic field: path → the control. */
export const OWN_CONTROLS: Readonly<Record<string, string>> = {
  'dataset.kind': 'the dataset picker (data-testid field-dataset) lists toys and image datasets',
  'dataset.name': 'the dataset picker (data-testid field-dataset)',
  'dataset.id': 'the upload control (data-testid upload) sets the id of the uploaded file',
  'dataset.format': 'the upload control (data-testid upload) reads the format from the files',
  'runs.*.color': 'the colour picker in the run card head (data-testid color-N)',
  // The sweep panel (app/components/SweepEditor.tsx) edits its axes as a list: add, remove, and per axis these fields.
  'sweep.axes.*.kind': 'the sweep panel: each axis is a list of values or a range (data-testid sweep-kind-N)',
  'sweep.axes.*.field': 'the sweep panel: a picker of the sweepable run fields (data-testid sweep-field-N)',
  'sweep.axes.*.values': 'the sweep panel: the values, comma separated (data-testid sweep-values-N)',
  'sweep.axes.*.from': 'the sweep panel: the first value of a range (data-testid sweep-from-N)',
  'sweep.axes.*.to': 'the sweep panel: the last value of a range (data-testid sweep-to-N)',
  'sweep.axes.*.count': 'the sweep panel: how many values the range has (data-testid sweep-count-N)',
  'sweep.axes.*.spacing': 'the sweep panel: log or linear spacing of the range (data-testid sweep-spacing-N)',
  'sweep.chunkRuns': 'the sweep panel: most stacked runs per chunk (data-testid sweep-chunk)',
};

/** Fields the form does not edit, each with the reason. */
export const LEFT_OUT: Readonly<Record<string, string>> = {
  version: 'not a choice: the page writes the current version and migrates older files on load',
  name: 'the title of the document loaded (example, file or share link); the header shows it, and an edit here would restart training',
  description: 'the text of the document loaded; an edit here would restart training',
  'runs.*.runKey': 'kept by the run edits (add, duplicate, remove) so that each run keeps its draws; the default is the run index',
};

/** Run-card fields under the card's "more" disclosure instead of up front: rarely changed, their defaults suit most runs. */
export const MORE: readonly string[] = [
  ...['dampening', 'beta1', 'beta2', 'rmsAlpha', 'eps', 'adamEps', 'rmspropForm', 'weightDecayMode'].map((key) => `runs.*.optimizer.${key}`),
  ...['unit', 'warmup', 'restarts', 'pctStart', 'anneal', 'divFactor', 'finalDivFactor', 'threePhase'].map((key) => `runs.*.schedule.${key}`),
  ...['boundsMode', 'rateLow', 'rateHigh'].map((key) => `runs.*.ralr.${key}`),
  ...['mode', 'thresholdMode', 'smoothing', 'epsilon', 'theta', 'thetaMax'].map((key) => `runs.*.autodrop.${key}`),
  'runs.*.expLr.renormMaxRate',
];
