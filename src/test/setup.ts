/** Vitest setup (vitest.config.ts setupFiles): registers the custom matchers. */
import { expect } from 'vitest';
import { allClose, type AllCloseOptions } from './allclose';

expect.extend({
  /** expect(actual).toBeAllClose(expected, { rtol, atol }): numpy allclose, see allclose.ts. */
  toBeAllClose(received: unknown, expected: unknown, options?: AllCloseOptions) {
    const { pass, message } = allClose(received, expected, options);
    return {
      pass,
      message: () => (this.isNot ? `expected arrays not to be all close, but ${message}` : message),
    };
  },
});

declare module 'vitest' {
  // vitest ≥ 3.2: augmenting `Matchers` types both `expect(x).toBeAllClose` and `expect.toBeAllClose`.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-unused-vars
  interface Matchers<T = any> {
    toBeAllClose(expected: ArrayLike<number>, options?: AllCloseOptions): void;
  }
}
