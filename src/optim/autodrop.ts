/**
 * AutoDrop (Wang, Teng, Choromanska; arXiv 2111.15317, UAI 2024), methods.md §3: the CPU controller.
 * The GPU (./autodrop-gpu.ts) reduces each window of k steps to three scalars per run,
 * (sᵢᵀsᵢ₋₁, ‖sᵢ‖², ‖sᵢ₋₁‖²) with sᵢ = yᵢ − yᵢ₋₁ and yᵢ the mean parameter vector of window i
 * (Def. 3.3); this module turns them into the angular velocity ωᵢ and decides the drops.
 *
 * 'uai2024' (default, §3.3 "resolved version"), per window:
 *   ω = ∠(s, s_prev);  B.push(ω)
 *   if |B| ≥ m:  σ = min(std₀(B), m/2);  C = smooth(B, σ);  B.shift()
 *     if C_prev exists and ΔC = C − C_prev < thr (|ΔC| when thresholdMode = 'absolute'):
 *          α ← max(α_min, ρα);  B = [];  C_prev = none          (drop test on fresh C only: fix 2)
 *     else C_prev = C
 * 'v1' (§3.7, arXiv v1 via a third-party summary; labelled "AutoDrop-v1"): with D the last m changes
 *   |ωᵢ − ωᵢ₋₁|, once |D| = m:  mean(D) < θ  ⇒  α ← max(α_min, ρα), θ ← min(θ̄, θ/ρ), D = [].
 *
 * Who owns the rate: AutoDrop does. The controller starts at α₀ (the run's configured initial LR)
 * and returns the current α after every window; α is α₀·ρ^drops floored at lrMin. With a constant
 * base schedule at α₀ this is bit for bit what RunRates gives for
 * `addDrop({ fromStep: effectStep(windowEnd), factor: rho }, lrMin)` per drop (same multiplications
 * in the same order, the floor applied last), so either form can drive the engine.
 *
 * Timing: a decision taken on the window that ends at step t applies from step t + delay on
 * (`effectStep`), a fixed step whatever the readback latency, so results never depend on timing.
 * Everything here is float64, pure and deterministic: the same inputs give the same decisions.
 */
import { z } from 'zod';
import { asStep, type Step } from '../util/ids';
import { ConfigError, parseConfig } from '../util/validate';

/** Defaults: the paper's ρ, m, k and 0.1° threshold (§3.4); lrMin, epsilon, delay, θ, θ̄ are the project's choice. */
export const AUTODROP_DEFAULTS = Object.freeze({
  mode: 'uai2024',
  window: 64,
  buffer: 10,
  rho: 0.95,
  threshold: 0.1,
  thresholdMode: 'signed',
  smoothing: 'value',
  lrMin: 0,
  epsilon: 1e-12,
  delay: 8,
  theta: 0.1,
  thetaMax: 1,
} as const);

export const AUTODROP_MODES = ['uai2024', 'v1'] as const;
export const AUTODROP_SMOOTHING = ['value', 'time'] as const;
export const AUTODROP_THRESHOLD_MODES = ['signed', 'absolute'] as const;

/** Largest window: the GPU counts steps and windows in f32, exact up to 2^24. */
export const MAX_WINDOW = 1 << 24;

const number = (message: string) => z.number({ error: message });
const positiveInteger = (max: number) =>
  number(`must be an integer in [1, ${max}]`).int(`must be an integer in [1, ${max}]`).min(1, `must be an integer in [1, ${max}]`).max(max, `must be an integer in [1, ${max}]`);
const finiteAtLeastZero = number('must be a finite number >= 0').min(0, 'must be a finite number >= 0');
const finitePositive = number('must be a finite number > 0').gt(0, 'must be a finite number > 0');

const UAI2024 = { mode: ['uai2024'] } as const;
const V1 = { mode: ['v1'] } as const;

/** AutoDrop's config (zod; NaN and ±∞ are rejected everywhere, errors name the field). */
export const autodropSchema = z
  .object({
    mode: z.enum(AUTODROP_MODES, { error: 'must be "uai2024" or "v1"' }).default(AUTODROP_DEFAULTS.mode).meta({
      title: 'mode',
      description: "'uai2024': the paper's resolved rule (§3.3: smoothed ω, signed threshold); 'v1': arXiv v1 (§3.7: averaged |Δω|, growing threshold).",
    }),
    window: positiveInteger(MAX_WINDOW)
      .default(AUTODROP_DEFAULTS.window)
      .meta({ title: 'window k', description: 'k: optimizer steps per window (the mean weights of k consecutive steps).', unit: 'steps' }),
    buffer: positiveInteger(10_000)
      .default(AUTODROP_DEFAULTS.buffer)
      .meta({ title: 'buffer m', description: 'm: angles in the smoothing buffer (uai2024) or changes averaged (v1).', unit: 'windows' }),
    rho: number('must be in (0, 1)')
      .gt(0, 'must be in (0, 1)')
      .lt(1, 'must be in (0, 1)')
      .default(AUTODROP_DEFAULTS.rho)
      .meta({ title: 'ρ', description: 'Rate factor at each drop: α ← max(rate floor, ρα).', unit: '× rate' }),
    threshold: finiteAtLeastZero
      .default(AUTODROP_DEFAULTS.threshold)
      .meta({ title: 'threshold', description: 'Drop when the smoothed angle changes by less than this (C − C_prev).', unit: 'degrees', when: UAI2024 }),
    thresholdMode: z.enum(AUTODROP_THRESHOLD_MODES, { error: 'must be "signed" or "absolute"' }).default(AUTODROP_DEFAULTS.thresholdMode).meta({
      title: 'threshold test',
      description: "'signed': C − C_prev < threshold, so a falling angle also drops; 'absolute': |C − C_prev| < threshold.",
      when: UAI2024,
    }),
    smoothing: z.enum(AUTODROP_SMOOTHING, { error: 'must be "value" or "time"' }).default(AUTODROP_DEFAULTS.smoothing).meta({
      title: 'smoothing',
      description: "'value' (§3.3 5a): Gaussian weights on the angle's distance to the newest angle; 'time' (5b): on the distance in the buffer.",
      when: UAI2024,
    }),
    lrMin: finiteAtLeastZero
      .default(AUTODROP_DEFAULTS.lrMin)
      .meta({ title: 'rate floor', description: 'α_min: never drop below this rate (absolute; 0: no floor).', projectChoice: true }),
    epsilon: finitePositive
      .default(AUTODROP_DEFAULTS.epsilon)
      .meta({ title: 'ε', description: 'ε of ∠(a, b) = acos(aᵀb/(‖a‖‖b‖ + ε)); it only prevents 0/0.', projectChoice: true }),
    delay: positiveInteger(1_000_000)
      .default(AUTODROP_DEFAULTS.delay)
      .meta({ title: 'delay', description: 'Steps between the end of a window and the first step that uses its decision.', unit: 'steps', projectChoice: true }),
    theta: finitePositive
      .default(AUTODROP_DEFAULTS.theta)
      .meta({ title: 'θ', description: 'v1: the initial threshold on the averaged |Δω|.', unit: 'degrees', projectChoice: true, when: V1 }),
    thetaMax: finitePositive
      .default(AUTODROP_DEFAULTS.thetaMax)
      .meta({ title: 'θ max', description: 'v1: θ̄, the cap of the growing threshold (≥ θ).', unit: 'degrees', projectChoice: true, when: V1 }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.thetaMax < c.theta) ctx.addIssue({ code: 'custom', path: ['thetaMax'], message: 'must be >= theta' });
  })
  .meta({
    title: 'AutoDrop',
    description: 'AutoDrop: drops the rate by ρ when the angular velocity of the weights saturates (the staircase).',
    // A short window, so that drops happen within the playground's small budgets.
    examples: [{ window: 5 }],
  });

export type AutoDropInput = z.input<typeof autodropSchema>;
export type AutoDropConfig = z.output<typeof autodropSchema>;

/** Validates an AutoDrop config and fills the defaults ("autodrop.rho: must be in (0, 1) (got 1)"). */
export function parseAutoDrop(input: unknown = {}, prefix = 'autodrop'): AutoDropConfig {
  return parseConfig(autodropSchema, input, prefix);
}

/** The three scalars the GPU reduces per run and window. */
export interface WindowDots {
  /** sᵢᵀsᵢ₋₁ */
  dot: number;
  /** ‖sᵢ‖² */
  normSq: number;
  /** ‖sᵢ₋₁‖² */
  prevNormSq: number;
}

/** ∠(s, s_prev) = (180/π)·acos(clamp(sᵀs_prev / (‖s‖‖s_prev‖ + ε), −1, 1)) in degrees, from the dots. */
export function angleFromDots(dots: WindowDots, epsilon: number = AUTODROP_DEFAULTS.epsilon): number {
  const cosine = dots.dot / (Math.sqrt(dots.normSq) * Math.sqrt(dots.prevNormSq) + epsilon);
  return (180 / Math.PI) * Math.acos(Math.min(1, Math.max(-1, cosine)));
}

/** Population standard deviation (ddof = 0): √(Σ(xⱼ − x̄)²/n); 0 for fewer than two values. */
export function std0(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  let mean = 0;
  for (const v of values) mean += v;
  mean /= n;
  let squares = 0;
  for (const v of values) squares += (v - mean) * (v - mean);
  return Math.sqrt(squares / n);
}

/**
 * Causal Gaussian smoothing of B centred on its newest element b = B[n−1] (§3.3 item 5):
 *   C = b + Σⱼ wⱼ(Bⱼ − b) / Σⱼ wⱼ,   'value': wⱼ = exp(−(Bⱼ − b)²/(2σ²)),   'time': wⱼ = exp(−(j − (n−1))²/(2σ²)).
 * Written around b, so it is exactly translation-equivariant: B + c ↦ C + c, bit for bit, when the
 * values stay in one binade (the spec's ramp test gives ΔC = 1 exactly). σ = 0 (a constant buffer,
 * or σ so small that 2σ² underflows) gives the limit of both kernels, C = b.
 */
export function smoothAngles(buffer: readonly number[], sigma: number, mode: AutoDropConfig['smoothing']): number {
  const n = buffer.length;
  if (n === 0) throw new Error('smoothAngles needs at least one angle');
  const newest = buffer[n - 1];
  const twoSigmaSq = 2 * sigma * sigma;
  if (!(twoSigmaSq > 0)) return newest;
  let weighted = 0;
  let total = 0;
  for (let j = 0; j < n; j++) {
    const deviation = buffer[j] - newest;
    const distance = mode === 'value' ? deviation : j - (n - 1);
    const weight = Math.exp(-(distance * distance) / twoSigmaSq);
    weighted += weight * deviation;
    total += weight; // ≥ 1: the newest element has weight exp(0) = 1
  }
  return newest + weighted / total;
}

/** Whether a window of `config.window` steps ends at 1-based step `step` (k | step). */
export function isWindowEnd(config: Pick<AutoDropConfig, 'window'>, step: number): boolean {
  return step > 0 && step % config.window === 0;
}

/** First step that uses a decision taken on the window ending at `windowEndStep`: windowEndStep + delay. */
export function effectStep(config: Pick<AutoDropConfig, 'delay'>, windowEndStep: Step): Step {
  if (!Number.isInteger(windowEndStep) || windowEndStep < 0) throw new RangeError(`window end step must be an integer >= 0 (got ${windowEndStep})`);
  return asStep(windowEndStep + config.delay);
}

/** What the controller concluded about one window. */
export interface AutoDropDecision {
  /** 0-based index of the window (every call of observe counts, available or not). */
  window: number;
  /** ωᵢ in degrees; null while s_prev does not exist yet, or when the dots were not finite (window skipped). */
  angle: number | null;
  /** uai2024: C of this window; v1: the mean |Δω| tested. null when nothing was tested this window. */
  smoothed: number | null;
  /** C − C_prev (uai2024) when tested this window, else null. */
  change: number | null;
  /** Whether the rate was dropped (also true when α was already at lrMin and stays there). */
  dropped: boolean;
  /** α after this window's decision (it applies from effectStep on). */
  lr: number;
  /** Threshold the test used (uai2024: threshold; v1: θ before its growth). */
  threshold: number;
}

/** A snapshot of the controller (plain data; restore with AutoDropController.fromState). */
export interface AutoDropState {
  windows: number;
  lr: number;
  drops: number;
  /** uai2024: B; v1: the recent |Δω|. */
  buffer: number[];
  previousSmoothed: number | null;
  previousAngle: number | null;
  theta: number;
}

/** AutoDrop's per-run state machine: observe() once per window, in window order. */
export class AutoDropController {
  private state: AutoDropState;

  /** α₀ = `initialRate`, the run's configured initial LR (finite, > 0, ≥ lrMin). */
  constructor(
    readonly config: AutoDropConfig,
    readonly initialRate: number,
  ) {
    if (!(Number.isFinite(initialRate) && initialRate > 0)) throw new ConfigError([`autodrop initial rate: must be a finite number > 0 (got ${initialRate})`]);
    if (config.lrMin > initialRate) throw new ConfigError([`autodrop.lrMin: must be <= the initial learning rate ${initialRate} (got ${config.lrMin})`]);
    this.state = AutoDropController.initialState(config, initialRate);
  }

  private static initialState(config: AutoDropConfig, initialRate: number): AutoDropState {
    return { windows: 0, lr: initialRate, drops: 0, buffer: [], previousSmoothed: null, previousAngle: null, theta: config.theta };
  }

  /** A controller continuing from `state` (e.g. a paused experiment). */
  static fromState(config: AutoDropConfig, initialRate: number, state: AutoDropState): AutoDropController {
    const controller = new AutoDropController(config, initialRate);
    controller.state = structuredClone(state);
    return controller;
  }

  /** A copy of the current state. */
  snapshot(): AutoDropState {
    return structuredClone(this.state);
  }

  /** Current α. */
  get lr(): number {
    return this.state.lr;
  }

  /** Drops so far. */
  get drops(): number {
    return this.state.drops;
  }

  /** Windows observed so far. */
  get windows(): number {
    return this.state.windows;
  }

  /** v1's current θ (uai2024: unused, stays at config.theta). */
  get theta(): number {
    return this.state.theta;
  }

  /** Back to α₀ with empty history. */
  reset(): void {
    this.state = AutoDropController.initialState(this.config, this.initialRate);
  }

  /** See the module-level effectStep. */
  effectStep(windowEndStep: Step): Step {
    return effectStep(this.config, windowEndStep);
  }

  /**
   * One window: `dots` from the GPU, or null while not yet available (the first two windows of a
   * run: ω needs y₀, y₁, y₂). Same as observeAngle(angleFromDots(dots, epsilon)).
   */
  observe(dots: WindowDots | null): AutoDropDecision {
    return this.observeAngle(dots === null ? null : angleFromDots(dots, this.config.epsilon));
  }

  /**
   * One window given ω in degrees directly (null: not yet available). A non-finite ω (the dots of
   * a diverged run) is skipped like null: nothing is pushed or tested. α changes only when `dropped`.
   */
  observeAngle(angle: number | null): AutoDropDecision {
    const state = this.state;
    const window = state.windows++;
    const threshold = this.config.mode === 'v1' ? state.theta : this.config.threshold;
    const decision: AutoDropDecision = { window, angle: null, smoothed: null, change: null, dropped: false, lr: state.lr, threshold };
    if (angle === null || !Number.isFinite(angle)) return decision;
    decision.angle = angle;
    if (this.config.mode === 'v1') this.observeV1(angle, decision);
    else this.observeUai(angle, decision);
    decision.lr = state.lr;
    return decision;
  }

  private drop(): void {
    this.state.lr = Math.max(this.config.lrMin, this.config.rho * this.state.lr);
    this.state.drops++;
  }

  /** §3.3 per-window pseudocode, after ω is known. */
  private observeUai(angle: number, decision: AutoDropDecision): void {
    const { config, state } = this;
    state.buffer.push(angle);
    if (state.buffer.length < config.buffer) return;
    const sigma = Math.min(std0(state.buffer), config.buffer / 2);
    const smoothed = smoothAngles(state.buffer, sigma, config.smoothing);
    state.buffer.shift();
    decision.smoothed = smoothed;
    if (state.previousSmoothed !== null) {
      const change = smoothed - state.previousSmoothed;
      decision.change = change;
      const tested = config.thresholdMode === 'absolute' ? Math.abs(change) : change;
      if (tested < config.threshold) {
        this.drop();
        state.buffer = [];
        state.previousSmoothed = null;
        decision.dropped = true;
        return;
      }
    }
    state.previousSmoothed = smoothed;
  }

  /** §3.7: mean of the last m changes |ωᵢ − ωᵢ₋₁| against a threshold θ that grows by 1/ρ per drop up to θ̄. */
  private observeV1(angle: number, decision: AutoDropDecision): void {
    const { config, state } = this;
    const previous = state.previousAngle;
    state.previousAngle = angle;
    if (previous === null) return;
    state.buffer.push(Math.abs(angle - previous));
    if (state.buffer.length > config.buffer) state.buffer.shift();
    if (state.buffer.length < config.buffer) return;
    const meanChange = state.buffer.reduce((a, b) => a + b, 0) / state.buffer.length;
    decision.smoothed = meanChange;
    if (meanChange < state.theta) {
      this.drop();
      state.theta = Math.min(config.thetaMax, state.theta / config.rho);
      state.buffer = [];
      decision.dropped = true;
    }
  }
}

/** Runs a fresh controller over a sequence of windows (replays, tests): one decision per window. */
export function runAutoDrop(config: AutoDropConfig, initialRate: number, windows: ReadonlyArray<WindowDots | null>): AutoDropDecision[] {
  const controller = new AutoDropController(config, initialRate);
  return windows.map((dots) => controller.observe(dots));
}
