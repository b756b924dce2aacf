/**
 * numpy-style allclose for number arrays and typed arrays:
 * close(a, e) ⇔ |a − e| ≤ atol + rtol·|e|, element-wise; NaN is never close (not even to NaN),
 * ±Infinity is close only to the same infinity; a length mismatch is never close.
 */

export interface AllCloseOptions {
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-6). */
  atol?: number;
}

/** Anything indexable by number with a length: number[], Float32Array, Float64Array, Int32Array, ... */
export type NumericArray = ArrayLike<number>;

export interface AllCloseReport {
  pass: boolean;
  message: string;
}

function isNumericArray(value: unknown): value is NumericArray {
  if (Array.isArray(value)) return value.every((x) => typeof x === 'number');
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array);
}

/** Compares `actual` with `expected`; the message describes the mismatches (or the match). */
export function allClose(actual: unknown, expected: unknown, options: AllCloseOptions = {}): AllCloseReport {
  const { rtol = 1e-5, atol = 1e-6 } = options;
  const tol = `rtol=${rtol}, atol=${atol}`;
  if (!isNumericArray(actual)) return { pass: false, message: `actual is not a number array or typed array` };
  if (!isNumericArray(expected)) return { pass: false, message: `expected is not a number array or typed array` };
  if (actual.length !== expected.length) {
    return { pass: false, message: `length mismatch: actual has ${actual.length} elements, expected ${expected.length}` };
  }
  let mismatches = 0;
  let worst = -1;
  let worstRatio = -1; // worst = largest error / allowed error (NaN and ∞ rank first)
  let maxAbs = 0;
  let maxRel = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const finite = Number.isFinite(a) && Number.isFinite(e);
    const abs = a === e ? 0 : Math.abs(a - e); // a === e: also equal infinities (∞ − ∞ is NaN)
    const allowed = atol + rtol * Math.abs(e);
    // Non-finite values are close only when identical (numpy): ∞ ≉ 1e30, ∞ ≉ −∞, NaN ≉ anything.
    const close = finite ? abs <= allowed : a === e;
    if (finite || a === e) {
      maxAbs = Math.max(maxAbs, abs);
      maxRel = Math.max(maxRel, abs === 0 ? 0 : abs / Math.abs(e)); // e = 0, abs > 0 gives ∞
    } else {
      const err = Number.isNaN(a) || Number.isNaN(e) ? NaN : Infinity;
      maxAbs = Math.max(maxAbs, err); // Math.max keeps a NaN once seen
      maxRel = Math.max(maxRel, err);
    }
    if (!close) {
      mismatches++;
      const ratio = finite ? abs / allowed : Infinity; // allowed = 0 with abs > 0 also gives ∞
      if (ratio > worstRatio) {
        worst = i;
        worstRatio = ratio;
      }
    }
  }
  if (mismatches === 0) {
    return { pass: true, message: `all ${actual.length} elements are close (${tol}); max abs err ${maxAbs}, max rel err ${maxRel}` };
  }
  return {
    pass: false,
    message:
      `${mismatches} of ${actual.length} elements not close (${tol}); ` +
      `worst at index ${worst}: actual ${actual[worst]}, expected ${expected[worst]}; ` +
      `max abs err ${maxAbs}, max rel err ${maxRel}`,
  };
}
