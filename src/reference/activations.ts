/** Activation functions and derivatives in float64 (twin of shaders/activations.wgsl). */
import { LEAKY_SLOPE, type Activation } from '../nn/spec';

const GELU_C = Math.sqrt(2 / Math.PI);

/** a = f(z) */
export function actForward(kind: Activation, z: number): number {
  switch (kind) {
    case 'relu': return Math.max(z, 0);
    case 'tanh': return Math.tanh(z);
    case 'sigmoid': return 1 / (1 + Math.exp(-z));
    case 'leaky_relu': return z > 0 ? z : LEAKY_SLOPE * z;
    case 'gelu': return 0.5 * z * (1 + Math.tanh(GELU_C * (z + 0.044715 * z ** 3)));
    default: return z;
  }
}

/** f'(z) */
export function actGrad(kind: Activation, z: number): number {
  switch (kind) {
    case 'relu': return z > 0 ? 1 : 0;
    case 'tanh': { const t = Math.tanh(z); return 1 - t * t; }
    case 'sigmoid': { const s = 1 / (1 + Math.exp(-z)); return s * (1 - s); }
    case 'leaky_relu': return z > 0 ? 1 : LEAKY_SLOPE;
    case 'gelu': {
      const t = Math.tanh(GELU_C * (z + 0.044715 * z ** 3));
      return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * z * z);
    }
    default: return 1;
  }
}
