/**
 * Model specs: what a network is, independent of where it runs. The GPU network (./network.ts)
 * and the float64 reference (../reference/network.ts) are both built from a ResolvedModel.
 */
import type { StackedTensor } from '../gpu/param-layout';

export const ACTIVATIONS = ['none', 'relu', 'tanh', 'sigmoid', 'leaky_relu', 'gelu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
/** Codes shared with shaders/activations.wgsl. */
export const ACTIVATION_CODE: Record<Activation, number> = { none: 0, relu: 1, tanh: 2, sigmoid: 3, leaky_relu: 4, gelu: 5 };
/** Negative slope of leaky ReLU. */
export const LEAKY_SLOPE = 0.01;

export type LayerSpec =
  | { kind: 'dense'; units: number; activation?: Activation; bias?: boolean; trainable?: boolean }
  | { kind: 'conv2d'; filters: number; kernelSize: 3 | 5; activation?: Activation; bias?: boolean; trainable?: boolean }
  | { kind: 'maxpool2' }
  | { kind: 'batchnorm'; affine?: boolean; momentum?: number; eps?: number }
  | { kind: 'activation'; activation: Activation }
  | { kind: 'flatten' };

export type LossKind = 'softmax_xent' | 'mse';

export interface ModelSpec {
  /** Per-sample input shape: [features] or [channels, height, width]. */
  inputShape: number[];
  layers: LayerSpec[];
  loss: LossKind;
}

/** A parameter tensor of one run (size, trainable and decay: see StackedTensor). */
export interface ParamTensor extends StackedTensor {
  name: string;
  shape: number[];
  init: 'he_uniform' | 'glorot_uniform' | 'zeros' | 'ones';
  fanIn: number;
  fanOut: number;
  /** Scale-invariant group id (weights feeding a BatchNorm), or -1. */
  scaleInvariantGroup: number;
}

export interface ResolvedLayer {
  index: number;
  spec: LayerSpec;
  inShape: number[];
  outShape: number[];
  /** Indices into ResolvedModel.tensors. */
  weight?: number;
  bias?: number;
  gamma?: number;
  beta?: number;
  /** The layer's own activation (dense/conv fused, or the activation layer). */
  activation: Activation;
}

export interface ResolvedModel {
  spec: ModelSpec;
  layers: ResolvedLayer[];
  tensors: ParamTensor[];
  inputSize: number;
  outputSize: number;
}

/** Number of elements of a shape. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function positiveInt(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${field} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkActivation(value: unknown, field: string): Activation {
  if (value === undefined) return 'none';
  if (!ACTIVATIONS.includes(value as Activation)) {
    throw new Error(`${field} must be one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as Activation;
}

/**
 * Infers shapes and parameter tensors of `spec`, validating every field; errors name the field
 * (e.g. "layers[2].units must be a positive integer").
 */
export function resolveModel(spec: ModelSpec): ResolvedModel {
  if (!Array.isArray(spec.inputShape) || (spec.inputShape.length !== 1 && spec.inputShape.length !== 3)) {
    throw new Error(`inputShape must be [features] or [channels, height, width], got ${JSON.stringify(spec.inputShape)}`);
  }
  spec.inputShape.forEach((d, i) => positiveInt(d, `inputShape[${i}]`));
  if (spec.loss !== 'softmax_xent' && spec.loss !== 'mse') {
    throw new Error(`loss must be "softmax_xent" or "mse", got ${JSON.stringify(spec.loss)}`);
  }
  if (!Array.isArray(spec.layers) || spec.layers.length === 0) throw new Error('layers must be a non-empty list');
  const tensors: ParamTensor[] = [];
  const layers: ResolvedLayer[] = [];
  let shape = [...spec.inputShape];
  const addTensor = (tensor: Omit<ParamTensor, 'size' | 'scaleInvariantGroup'>): number => {
    tensors.push({ ...tensor, size: shapeSize(tensor.shape), scaleInvariantGroup: -1 });
    return tensors.length - 1;
  };
  spec.layers.forEach((layer, index) => {
    const at = `layers[${index}]`;
    const inShape = shape;
    const resolved: ResolvedLayer = { index, spec: layer, inShape, outShape: inShape, activation: 'none' };
    switch (layer?.kind) {
      case 'dense': {
        if (inShape.length !== 1) throw new Error(`${at} (dense) needs a flat input; add a flatten layer before it`);
        const units = positiveInt(layer.units, `${at}.units`);
        resolved.activation = checkActivation(layer.activation, `${at}.activation`);
        const trainable = layer.trainable ?? true;
        const reluLike = ['relu', 'leaky_relu', 'gelu'].includes(resolved.activation);
        resolved.weight = addTensor({
          name: `${at}.weight`, shape: [inShape[0], units], init: reluLike ? 'he_uniform' : 'glorot_uniform',
          fanIn: inShape[0], fanOut: units, trainable, decay: true,
        });
        if (layer.bias ?? true) {
          resolved.bias = addTensor({ name: `${at}.bias`, shape: [units], init: 'zeros', fanIn: inShape[0], fanOut: units, trainable, decay: false });
        }
        resolved.outShape = [units];
        break;
      }
      case 'conv2d': {
        if (inShape.length !== 3) throw new Error(`${at} (conv2d) needs a [channels, height, width] input`);
        const filters = positiveInt(layer.filters, `${at}.filters`);
        if (layer.kernelSize !== 3 && layer.kernelSize !== 5) {
          throw new Error(`${at}.kernelSize must be 3 or 5, got ${JSON.stringify(layer.kernelSize)}`);
        }
        resolved.activation = checkActivation(layer.activation, `${at}.activation`);
        const [channels, height, width] = inShape;
        const k = layer.kernelSize;
        const fanIn = channels * k * k;
        const reluLike = ['relu', 'leaky_relu', 'gelu'].includes(resolved.activation);
        const trainable = layer.trainable ?? true; // false: a fixed layer (no weight/bias gradient, no update)
        resolved.weight = addTensor({
          name: `${at}.weight`, shape: [filters, channels, k, k], init: reluLike ? 'he_uniform' : 'glorot_uniform',
          fanIn, fanOut: filters * k * k, trainable, decay: true,
        });
        if (layer.bias ?? true) {
          resolved.bias = addTensor({ name: `${at}.bias`, shape: [filters], init: 'zeros', fanIn, fanOut: filters, trainable, decay: false });
        }
        resolved.outShape = [filters, height, width];
        break;
      }
      case 'maxpool2': {
        if (inShape.length !== 3) throw new Error(`${at} (maxpool2) needs a [channels, height, width] input`);
        const [channels, height, width] = inShape;
        if (height < 2 || width < 2) throw new Error(`${at} (maxpool2) input ${height}x${width} is smaller than 2x2`);
        resolved.outShape = [channels, Math.floor(height / 2), Math.floor(width / 2)];
        break;
      }
      case 'batchnorm': {
        const momentum = layer.momentum ?? 0.1;
        const eps = layer.eps ?? 1e-5;
        if (!(momentum > 0 && momentum <= 1)) throw new Error(`${at}.momentum must be in (0, 1], got ${momentum}`);
        if (!(eps > 0)) throw new Error(`${at}.eps must be > 0, got ${eps}`);
        const channels = inShape[0];
        if (layer.affine ?? true) {
          resolved.gamma = addTensor({ name: `${at}.gamma`, shape: [channels], init: 'ones', fanIn: 1, fanOut: 1, trainable: true, decay: false });
          resolved.beta = addTensor({ name: `${at}.beta`, shape: [channels], init: 'zeros', fanIn: 1, fanOut: 1, trainable: true, decay: false });
        }
        break;
      }
      case 'activation':
        resolved.activation = checkActivation(layer.activation, `${at}.activation`);
        break;
      case 'flatten':
        resolved.outShape = [shapeSize(inShape)];
        break;
      default:
        throw new Error(`${at}.kind must be one of dense, conv2d, maxpool2, batchnorm, activation, flatten, got ${JSON.stringify((layer as { kind?: unknown })?.kind)}`);
    }
    shape = resolved.outShape;
    layers.push(resolved);
  });
  markScaleInvariantGroups(layers, tensors);
  if (shape.length !== 1) throw new Error(`the last layer must produce a flat output (add flatten + dense), got shape ${JSON.stringify(shape)}`);
  return { spec, layers, tensors, inputSize: shapeSize(spec.inputShape), outputSize: shape[0] };
}

/** Weights of a dense/conv layer directly followed by a BatchNorm are scale-invariant (one group each). */
function markScaleInvariantGroups(layers: ResolvedLayer[], tensors: ParamTensor[]): void {
  let group = 0;
  layers.forEach((layer, i) => {
    const next = layers[i + 1];
    const feedsBatchNorm = next?.spec.kind === 'batchnorm' && layer.activation === 'none';
    if (feedsBatchNorm && layer.weight !== undefined) tensors[layer.weight].scaleInvariantGroup = group++;
  });
}
