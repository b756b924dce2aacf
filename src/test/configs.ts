/** Experiment configs shared by tests. */

/** A small valid config, as a user would write it. */
export function minimalConfig(): Record<string, unknown> {
  return {
    version: 1,
    dataset: { kind: 'toy', name: 'moons' },
    model: { kind: 'mlp' },
    budget: { amount: 200 },
    runs: [
      { label: 'Baseline', schedule: { kind: 'constant', lr: 0.1 } },
      { label: 'LRD', schedule: { kind: 'constant', lr: 0.1 }, lrd: {} },
    ],
  };
}
