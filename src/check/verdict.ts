/**
 * GPU checks: a GPU unit test's computation as a plain function that records the numbers it read
 * back and its verdict against the float64 reference, without a test framework. The vitest files
 * run each check and assert that its verdict has no failure (src/test/expect-check.ts); the GPU
 * check (src/cli/gpu-check.ts, also bundled) runs each one three times and compares the recorded
 * numbers bit for bit, so a data race shows as a difference between repeats.
 */
import type { GpuContext } from '../gpu/device';
import { allClose, type AllCloseOptions } from '../test/allclose';

/** One GPU check: a name, the kernel family it covers, and the computation with its verdict. */
export interface GpuCheck {
  name: string;
  /** Kernel family, for reports: matmul, small-mlp, conv, pool, batchnorm, gather, loss, update, angle, rng, … */
  family: string;
  /** Runs the computation on `gpu`, recording numbers and comparisons in `verdict`. */
  run: (gpu: GpuContext, verdict: Verdict) => Promise<void>;
}

/** Numbers recorded under a label, as float64 (every GPU value read back fits exactly). */
export interface CheckRecord {
  label: string;
  values: Float64Array;
}

/** Structural equality with Object.is on leaves (as vitest's toEqual on arrays, typed arrays and plain objects). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const isList = (x: object) => Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
  if (isList(a) !== isList(b)) return false;
  if (isList(a)) {
    const [x, y] = [a as ArrayLike<unknown>, b as ArrayLike<unknown>];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!deepEqual(x[i], y[i])) return false;
    return true;
  }
  const [ka, kb] = [Object.keys(a), Object.keys(b)];
  return ka.length === kb.length && ka.every((key) => deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

const show = (x: unknown): string => {
  const text = JSON.stringify(ArrayBuffer.isView(x) ? Array.from(x as unknown as ArrayLike<number>) : x, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
  return text === undefined ? String(x) : text.length > 200 ? `${text.slice(0, 200)}…` : text;
};

/** The verdict of one run of a check: the numbers it recorded and the comparisons that failed. */
export class Verdict {
  readonly failures: string[] = [];
  readonly records: CheckRecord[] = [];
  /** Comparisons made (a check that compares nothing proves nothing). */
  comparisons = 0;

  /** Records `values` for the repeat comparison (numbers read back from the GPU). */
  record(label: string, values: ArrayLike<number> | number): void {
    this.records.push({ label, values: Float64Array.from(typeof values === 'number' ? [values] : values) });
  }

  private judge(label: string, pass: boolean, message: () => string): boolean {
    this.comparisons++;
    if (!pass) this.failures.push(`${label}: ${message()}`);
    return pass;
  }

  /** actual ≈ expected elementwise, |a − e| ≤ atol + rtol·|e| (as toBeAllClose); records actual. */
  allClose(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>, options: AllCloseOptions): boolean {
    this.record(label, actual);
    const report = allClose(actual, expected, options);
    return this.judge(label, report.pass, () => report.message);
  }

  /** Not all close (as not.toBeAllClose); records actual. */
  notAllClose(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>, options: AllCloseOptions): boolean {
    this.record(label, actual);
    return this.judge(label, !allClose(actual, expected, options).pass, () => `expected arrays not to be all close (${JSON.stringify(options)})`);
  }

  /** Deep equality (as toEqual/toBe on numbers, strings, arrays); numbers and number arrays are recorded. */
  equal(label: string, actual: unknown, expected: unknown): boolean {
    if (typeof actual === 'number') this.record(label, actual);
    else if (ArrayBuffer.isView(actual) || (Array.isArray(actual) && actual.every((x) => typeof x === 'number'))) this.record(label, actual as ArrayLike<number>);
    return this.judge(label, deepEqual(actual, expected), () => `expected ${show(expected)}, got ${show(actual)}`);
  }

  /** Not deeply equal (as not.toEqual). */
  notEqual(label: string, actual: unknown, expected: unknown): boolean {
    return this.judge(label, !deepEqual(actual, expected), () => `expected a value other than ${show(expected)}`);
  }

  /** |actual − expected| < 10^−digits / 2 (as toBeCloseTo); records actual. */
  closeTo(label: string, actual: number, expected: number, digits = 2): boolean {
    this.record(label, actual);
    const pass = actual === expected || Math.abs(expected - actual) < 10 ** -digits / 2;
    return this.judge(label, pass, () => `expected ${actual} to be close to ${expected} (${digits} digits)`);
  }

  /** actual < bound (as toBeLessThan); records actual. */
  less(label: string, actual: number, bound: number): boolean {
    this.record(label, actual);
    return this.judge(label, actual < bound, () => `expected ${actual} < ${bound}`);
  }

  /** actual > bound (as toBeGreaterThan); records actual. */
  greater(label: string, actual: number, bound: number): boolean {
    this.record(label, actual);
    return this.judge(label, actual > bound, () => `expected ${actual} > ${bound}`);
  }

  /** actual ≥ bound (as toBeGreaterThanOrEqual); records actual. */
  atLeast(label: string, actual: number, bound: number): boolean {
    this.record(label, actual);
    return this.judge(label, actual >= bound, () => `expected ${actual} ≥ ${bound}`);
  }

  /** A condition that must hold, with a description of what was seen when it does not. */
  isTrue(label: string, condition: boolean, seen = ''): boolean {
    return this.judge(label, condition, () => `expected true${seen ? `; ${seen}` : ''}`);
  }

  /** That `action` throws an error whose message matches `pattern` (as toThrow). */
  throws(label: string, action: () => unknown, pattern: RegExp): boolean {
    try {
      action();
    } catch (error) {
      const message = (error as Error).message;
      return this.judge(label, pattern.test(message), () => `threw "${message}", expected ${pattern}`);
    }
    return this.judge(label, false, () => `did not throw (expected ${pattern})`);
  }

  /** No WebGPU validation or out-of-memory error was reported on `gpu` since `seenErrors` of them. */
  noGpuErrors(gpu: GpuContext, seenErrors = 0): boolean {
    const fresh = gpu.errors.slice(seenErrors);
    return this.judge('WebGPU errors', fresh.length === 0, () => fresh.join(' | '));
  }
}

/** Where two runs of a check recorded different numbers: the first differing label and index, or null. */
export function firstDifference(a: readonly CheckRecord[], b: readonly CheckRecord[]): string | null {
  if (a.length !== b.length) return `${a.length} records, then ${b.length}`;
  for (let r = 0; r < a.length; r++) {
    const [x, y] = [a[r], b[r]];
    if (x.label !== y.label) return `record ${r}: "${x.label}", then "${y.label}"`;
    if (x.values.length !== y.values.length) return `${x.label}: ${x.values.length} values, then ${y.values.length}`;
    const [bx, by] = [new Uint32Array(x.values.buffer), new Uint32Array(y.values.buffer)];
    for (let i = 0; i < bx.length; i++) {
      if (bx[i] !== by[i]) {
        const at = i >> 1;
        const show = (n: number) => (Object.is(n, -0) ? '-0' : String(n));
        return `${x.label}[${at}]: ${show(x.values[at])}, then ${show(y.values[at])}`;
      }
    }
  }
  return null;
}
