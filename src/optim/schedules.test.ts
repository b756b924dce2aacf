/**
 * Base schedules against values computed by hand (Python, float64) from PyTorch's own formulas:
 * the recursive `get_lr` of StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, the `step()`
 * loop of CosineAnnealingWarmRestarts, OneCycleLR's `_schedule_phases`, LinearLR + SequentialLR.
 */
import { describe, expect, it } from 'vitest';
import { compileSchedule, parseSchedule, scheduleRate, type ScheduleInput } from './schedules';

function rates(input: ScheduleInput, steps: number[], stepsPerEpoch?: number): number[] {
  const rate = compileSchedule(parseSchedule(input), stepsPerEpoch);
  return steps.map((t) => rate(t));
}

function expectRates(input: ScheduleInput, expected: Record<number, number>, stepsPerEpoch?: number): void {
  const steps = Object.keys(expected).map(Number);
  expect(rates(input, steps, stepsPerEpoch)).toBeAllClose(Object.values(expected), { rtol: 1e-12, atol: 1e-15 });
}

function errorOf(input: unknown): string {
  try {
    parseSchedule(input);
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

describe('PyTorch schedulers, per optimizer step', () => {
  it('constant', () => expectRates({ kind: 'constant', lr: 0.05 }, { 0: 0.05, 1000: 0.05 }));

  it('StepLR(step_size=30, gamma=0.1)', () =>
    expectRates({ kind: 'step', lr: 0.1, stepSize: 30 }, { 0: 0.1, 29: 0.1, 30: 0.01, 59: 0.01, 60: 0.001, 99: 1e-4 }));

  it('MultiStepLR(milestones=[100, 150], gamma=0.1) (the LRD recipe)', () =>
    expectRates(
      { kind: 'multistep', lr: 0.1, milestones: [100, 150] },
      { 0: 0.1, 99: 0.1, 100: 0.01, 149: 0.01, 150: 0.001, 199: 0.001 },
    ));

  it('ExponentialLR(gamma=0.95)', () =>
    expectRates({ kind: 'exponential', lr: 0.1, gamma: 0.95 }, { 0: 0.1, 1: 0.095, 10: 0.05987369392383786, 49: 0.008099471081759275 }));

  it('CosineAnnealingLR(T_max=10, eta_min=0.001), rising again past T_max as PyTorch does', () =>
    expectRates(
      { kind: 'cosine', lr: 0.1, length: 10, minLr: 0.001 },
      { 0: 0.1, 1: 0.09757729755661011, 5: 0.0505, 9: 0.0034227024433899004, 10: 0.001, 11: 0.0034227024433899004, 15: 0.0505, 20: 0.1 },
    ));

  it('CosineAnnealingWarmRestarts(T_0=5, T_mult=2) and (T_0=4, T_mult=1, eta_min=0.01)', () => {
    expectRates(
      { kind: 'cosine', lr: 0.1, length: 5, restarts: { cycleMult: 2 } },
      { 0: 0.1, 3: 0.03454915028125263, 4: 0.009549150281252633, 5: 0.1, 7: 0.09045084971874738, 14: 0.0024471741852423235, 15: 0.1, 16: 0.0993844170297569, 35: 0.1, 36: 0.0998458666866564 },
    );
    expectRates(
      { kind: 'cosine', lr: 0.1, length: 4, minLr: 0.01, restarts: {} },
      { 0: 0.1, 1: 0.08681980515339464, 3: 0.023180194846605363, 4: 0.1, 6: 0.05500000000000001 },
    );
  });

  it('OneCycleLR(max_lr=0.1, total_steps=100): cos, linear, three_phase; holds the final LR afterwards', () => {
    expectRates(
      { kind: 'onecycle', maxLr: 0.1, totalSteps: 100 },
      { 0: 0.004, 14: 0.04940133238789996, 29: 0.1, 30: 0.09994965352845243, 64: 0.0500002, 99: 4e-7, 100: 4e-7, 5000: 4e-7 },
    );
    expectRates(
      { kind: 'onecycle', maxLr: 0.1, totalSteps: 100, anneal: 'linear' },
      { 0: 0.004, 14: 0.0503448275862069, 29: 0.1, 30: 0.09857143428571429, 64: 0.0500002, 99: 3.999999999976245e-7 },
    );
    expectRates(
      { kind: 'onecycle', maxLr: 0.1, totalSteps: 100, threePhase: true },
      { 0: 0.004, 29: 0.1, 45: 0.044234464165467294, 58: 0.004, 80: 0.0017708560858882788, 99: 4e-7 },
    );
  });

  it('linear warm-up in front of any schedule (LinearLR(start_factor=0.1, total_iters=5) then StepLR)', () =>
    expectRates(
      { kind: 'step', lr: 0.2, stepSize: 10, gamma: 0.5, warmup: { length: 5, startFactor: 0.1 } },
      { 0: 0.02, 1: 0.056, 2: 0.092, 3: 0.128, 4: 0.164, 5: 0.2, 14: 0.2, 15: 0.1 },
    ));
});

describe('epochs', () => {
  it("unit 'epoch' steps the scheduler once per epoch: constant within an epoch", () => {
    // StepLR(step_size=3 epochs) with 10 steps per epoch: the drop is at step 30.
    expectRates({ kind: 'step', lr: 0.1, stepSize: 3, unit: 'epoch' }, { 0: 0.1, 29: 0.1, 30: 0.01, 59: 0.01, 60: 0.001 }, 10);
    const cosine = rates({ kind: 'cosine', lr: 0.1, length: 10, minLr: 0.001, unit: 'epoch' }, [0, 9, 10, 19, 50], 10);
    expect(cosine).toBeAllClose([0.1, 0.1, 0.09757729755661011, 0.09757729755661011, 0.0505], { rtol: 1e-12 });
  });

  it('the warm-up may count steps while the schedule counts epochs, and vice versa', () => {
    // 3 warm-up steps, then ExponentialLR per epoch (4 steps each) starting at step 3.
    const input: ScheduleInput = { kind: 'exponential', lr: 1, gamma: 0.5, unit: 'epoch', warmup: { length: 3, startFactor: 0.25, unit: 'step' } };
    expect(rates(input, [0, 1, 2, 3, 6, 7, 11], 4)).toBeAllClose([0.25, 0.5, 0.75, 1, 1, 0.5, 0.25], { rtol: 1e-15 });
    // 2 warm-up epochs of 4 steps, then per-step constant.
    const perStep: ScheduleInput = { kind: 'constant', lr: 1, warmup: { length: 2, startFactor: 0.5, unit: 'epoch' } };
    expect(rates(perStep, [0, 3, 4, 7, 8], 4)).toBeAllClose([0.5, 0.5, 0.75, 0.75, 1], { rtol: 1e-15 });
  });

  it('stepsPerEpoch is required when anything counts epochs, and must be a positive integer', () => {
    const config = parseSchedule({ kind: 'step', lr: 0.1, stepSize: 3, unit: 'epoch' });
    expect(() => scheduleRate(config, 0)).toThrow('stepsPerEpoch is required when schedule.unit');
    expect(() => compileSchedule(config, 0)).toThrow('stepsPerEpoch: must be an integer >= 1 (got 0)');
    expect(() => compileSchedule(parseSchedule({ kind: 'constant', lr: 1, warmup: { length: 1, unit: 'epoch' } }))).toThrow('stepsPerEpoch is required');
    expect(scheduleRate(parseSchedule({ kind: 'constant', lr: 1 }), 5)).toBe(1);
  });

  it('a step must be an integer >= 0', () => {
    const rate = compileSchedule(parseSchedule({ kind: 'constant', lr: 1 }));
    expect(() => rate(-1)).toThrow('step must be an integer >= 0 (got -1)');
    expect(() => rate(1.5)).toThrow('step must be an integer >= 0');
    expect(() => rate(NaN)).toThrow('step must be an integer >= 0');
  });
});

describe('validation names the field', () => {
  it('range and type errors, NaN included', () => {
    expect(errorOf({ kind: 'step', lr: 0.1, stepSize: 3, gamma: 2 })).toBe('schedule.gamma: must be in (0, 1] (got 2)');
    expect(errorOf({ kind: 'step', lr: 0.1, stepSize: 3, gamma: NaN })).toBe('schedule.gamma: must be in (0, 1] (got NaN)');
    expect(errorOf({ kind: 'exponential', lr: 0.1, gamma: 0 })).toBe('schedule.gamma: must be a number > 0 (got 0)');
    expect(errorOf({ kind: 'constant', lr: Infinity })).toContain('schedule.lr: must be a number > 0');
    expect(errorOf({ kind: 'constant', lr: -1 })).toBe('schedule.lr: must be a number > 0 (got -1)');
    expect(errorOf({ kind: 'constant' })).toBe('schedule.lr: must be a number > 0');
    expect(errorOf({ kind: 'step', lr: 0.1, stepSize: 2.5 })).toBe('schedule.stepSize: must be an integer >= 1 (got 2.5)');
    expect(errorOf({ kind: 'constant', lr: 1, warmup: { length: 3, startFactor: 0 } })).toBe(
      'schedule.warmup.startFactor: must be in (0, 1] (got 0)',
    );
    expect(errorOf({ kind: 'constant', lr: 1, unit: 'batch' })).toBe('schedule.unit: must be "step" or "epoch" (got "batch")');
  });

  it('kinds, unknown keys and cross-field rules', () => {
    expect(errorOf({ kind: 'linear', lr: 1 })).toBe(
      'schedule.kind: must be one of constant, step, multistep, exponential, cosine, onecycle (got "linear")',
    );
    expect(errorOf({ kind: 'constant', lr: 1, gama: 0.1 })).toContain('Unrecognized key: "gama"');
    expect(errorOf({ kind: 'multistep', lr: 0.1, milestones: [150, 100] })).toBe('schedule.milestones: must be strictly increasing (got [150,100])');
    expect(errorOf({ kind: 'multistep', lr: 0.1, milestones: [10, 0] })).toContain('schedule.milestones.1: must be an integer >= 1 (got 0)');
    expect(errorOf({ kind: 'cosine', lr: 0.1, length: 10, minLr: 0.2 })).toBe('schedule.minLr: must be <= lr (got 0.2)');
    expect(errorOf({ kind: 'cosine', lr: 0.1, length: 10, restarts: { cycleMult: 1.5 } })).toBe(
      'schedule.restarts.cycleMult: must be an integer >= 1 (got 1.5)',
    );
    expect(errorOf({ kind: 'onecycle', maxLr: 0.1, totalSteps: 3, pctStart: 0.3 })).toContain('schedule.pctStart: pctStart·totalSteps must be > 1');
    expect(errorOf({ kind: 'onecycle', maxLr: 0.1, totalSteps: 100, pctStart: 0.6, threePhase: true })).toContain('schedule.pctStart: with threePhase');
  });

  it('defaults follow PyTorch', () => {
    expect(parseSchedule({ kind: 'step', lr: 0.1, stepSize: 1 })).toMatchObject({ gamma: 0.1, unit: 'step' });
    expect(parseSchedule({ kind: 'onecycle', maxLr: 1, totalSteps: 10 })).toMatchObject({
      pctStart: 0.3,
      anneal: 'cos',
      divFactor: 25,
      finalDivFactor: 1e4,
      threePhase: false,
    });
    expect(parseSchedule({ kind: 'constant', lr: 1, warmup: { length: 5 } }).warmup).toEqual({ length: 5, startFactor: 1 / 3 });
  });
});
