/**
 * Model builders: the networks of the playground as ModelSpecs (see ./spec.ts). Each builder
 * validates its options and throws an Error naming the field (e.g. "mlp.hidden[1] must be a
 * positive integer, got 0"); resolveModel then infers shapes and parameter tensors.
 *
 * The scale-invariant variants are the networks of Li & Arora's exponential-LR equivalence:
 * every weight layer is bias-free and followed by a BatchNorm without affine parameters, and the
 * last (output) layer is fixed, so the loss is invariant to rescaling any trainable weight tensor.
 */
import { ACTIVATIONS, type Activation, type LayerSpec, type LossKind, type ModelSpec } from './spec';

/** Input of a builder: the per-sample shape, or (flat inputs) just the number of features. */
export interface InputOptions {
  /** [features] or [channels, height, width]; image inputs of an MLP are flattened first. */
  inputShape?: number[];
  /** Shorthand for inputShape = [inputSize]. */
  inputSize?: number;
}

export interface MlpOptions extends InputOptions {
  /** Widths of the hidden dense layers (may be empty: a linear model). */
  hidden: number[];
  /** Width of the output layer (classes for softmax_xent, targets for mse). */
  outputs: number;
  /** Activation of every hidden layer (default relu). */
  activation?: Activation;
  /** Put a BatchNorm (affine) between every hidden dense layer (then bias-free) and its activation. */
  batchNorm?: boolean;
  /** Default softmax_xent. */
  loss?: LossKind;
}

export interface CnnOptions {
  /** [channels, height, width], height and width ≥ 4 (two 2×2 pools). */
  inputShape: number[];
  /** Number of classes (output width; the loss is softmax cross-entropy). */
  classes: number;
  /** Filters of the two conv layers (default [8, 16]). */
  channels?: [number, number];
  /** Conv kernel size, 3 or 5 (default 3). */
  kernelSize?: 3 | 5;
  /** Width of an optional hidden dense layer between flatten and the output (default none). */
  dense?: number;
  /** Activation after each conv (and the hidden dense), default relu. */
  activation?: Activation;
}

export type ScaleInvariantMlpOptions = Omit<MlpOptions, 'batchNorm'>;

function positiveInt(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${field} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function activationOf(value: unknown, field: string): Activation {
  if (value === undefined) return 'relu';
  if (!ACTIVATIONS.includes(value as Activation)) {
    throw new Error(`${field} must be one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as Activation;
}

function lossOf(value: unknown, field: string): LossKind {
  if (value === undefined) return 'softmax_xent';
  if (value !== 'softmax_xent' && value !== 'mse') {
    throw new Error(`${field} must be "softmax_xent" or "mse", got ${JSON.stringify(value)}`);
  }
  return value;
}

function optionsObject<T>(options: T, builder: string): T {
  if (typeof options !== 'object' || options === null) throw new Error(`${builder}: options must be an object`);
  return options;
}

/** The input shape from inputShape or inputSize (exactly one of them). */
function inputShapeOf(options: InputOptions, builder: string): number[] {
  const { inputShape, inputSize } = options;
  if (inputShape !== undefined && inputSize !== undefined) {
    throw new Error(`${builder}: give inputShape or inputSize, not both`);
  }
  if (inputSize !== undefined) return [positiveInt(inputSize, `${builder}.inputSize`)];
  if (!Array.isArray(inputShape) || (inputShape.length !== 1 && inputShape.length !== 3)) {
    throw new Error(`${builder}.inputShape must be [features] or [channels, height, width], got ${JSON.stringify(inputShape)}`);
  }
  return inputShape.map((d, i) => positiveInt(d, `${builder}.inputShape[${i}]`));
}

function hiddenOf(value: unknown, builder: string): number[] {
  if (!Array.isArray(value)) throw new Error(`${builder}.hidden must be a list of layer widths, got ${JSON.stringify(value)}`);
  return value.map((width, i) => positiveInt(width, `${builder}.hidden[${i}]`));
}

/**
 * Multilayer perceptron: [flatten,] (dense(h_i) → act)* → dense(outputs), or with batchNorm
 * (dense(h_i, no bias) → BatchNorm(affine) → act)* → dense(outputs).
 */
export function mlp(options: MlpOptions): ModelSpec {
  optionsObject(options, 'mlp');
  const inputShape = inputShapeOf(options, 'mlp');
  const hidden = hiddenOf(options.hidden, 'mlp');
  const outputs = positiveInt(options.outputs, 'mlp.outputs');
  const activation = activationOf(options.activation, 'mlp.activation');
  const loss = lossOf(options.loss, 'mlp.loss');
  if (options.batchNorm !== undefined && typeof options.batchNorm !== 'boolean') {
    throw new Error(`mlp.batchNorm must be true or false, got ${JSON.stringify(options.batchNorm)}`);
  }
  const layers: LayerSpec[] = inputShape.length === 3 ? [{ kind: 'flatten' }] : [];
  for (const units of hidden) {
    if (options.batchNorm) {
      layers.push({ kind: 'dense', units, bias: false }, { kind: 'batchnorm' });
      if (activation !== 'none') layers.push({ kind: 'activation', activation });
    } else {
      layers.push({ kind: 'dense', units, activation });
    }
  }
  layers.push({ kind: 'dense', units: outputs });
  return { inputShape, layers, loss };
}

interface CnnParts {
  inputShape: number[];
  classes: number;
  channels: [number, number];
  kernelSize: 3 | 5;
  dense: number;
  activation: Activation;
}

function cnnParts(options: CnnOptions, builder: string): CnnParts {
  optionsObject(options, builder);
  const { inputShape } = options;
  if (!Array.isArray(inputShape) || inputShape.length !== 3) {
    throw new Error(`${builder}.inputShape must be [channels, height, width], got ${JSON.stringify(inputShape)}`);
  }
  inputShape.forEach((d, i) => positiveInt(d, `${builder}.inputShape[${i}]`));
  if (inputShape[1] < 4 || inputShape[2] < 4) {
    throw new Error(`${builder}.inputShape must be at least 4×4 (two 2×2 pools), got ${inputShape[1]}×${inputShape[2]}`);
  }
  const classes = positiveInt(options.classes, `${builder}.classes`);
  if (classes < 2) throw new Error(`${builder}.classes must be at least 2, got ${classes}`);
  const channels = options.channels ?? [8, 16];
  if (!Array.isArray(channels) || channels.length !== 2) {
    throw new Error(`${builder}.channels must be [filters1, filters2], got ${JSON.stringify(channels)}`);
  }
  channels.forEach((c, i) => positiveInt(c, `${builder}.channels[${i}]`));
  const kernelSize = options.kernelSize ?? 3;
  if (kernelSize !== 3 && kernelSize !== 5) {
    throw new Error(`${builder}.kernelSize must be 3 or 5, got ${JSON.stringify(kernelSize)}`);
  }
  const dense = options.dense === undefined || options.dense === 0 ? 0 : positiveInt(options.dense, `${builder}.dense`);
  const activation = activationOf(options.activation, `${builder}.activation`);
  return { inputShape: [...inputShape], classes, channels: [channels[0], channels[1]], kernelSize, dense, activation };
}

/**
 * Small CNN: conv(c1, k) → act → maxpool2 → conv(c2, k) → act → maxpool2 → flatten
 * [→ dense(dense) → act] → dense(classes), softmax cross-entropy.
 */
export function smallCnn(options: CnnOptions): ModelSpec {
  const { inputShape, classes, channels, kernelSize, dense, activation } = cnnParts(options, 'smallCnn');
  const layers: LayerSpec[] = [];
  for (const filters of channels) layers.push({ kind: 'conv2d', filters, kernelSize, activation }, { kind: 'maxpool2' });
  layers.push({ kind: 'flatten' });
  if (dense > 0) layers.push({ kind: 'dense', units: dense, activation });
  layers.push({ kind: 'dense', units: classes });
  return { inputShape, layers, loss: 'softmax_xent' };
}

/** weight layer → BatchNorm(no affine) → act: the scale-invariant block. */
function invariantNorm(activation: Activation): LayerSpec[] {
  const layers: LayerSpec[] = [{ kind: 'batchnorm', affine: false }];
  if (activation !== 'none') layers.push({ kind: 'activation', activation });
  return layers;
}

/**
 * Scale-invariant MLP (Li & Arora): [flatten,] (dense(h_i, no bias) → BatchNorm(no affine) → act)*
 * → dense(outputs, no bias, FIXED: trainable false). Needs at least one hidden layer.
 */
export function scaleInvariantMlp(options: ScaleInvariantMlpOptions): ModelSpec {
  optionsObject(options, 'scaleInvariantMlp');
  const inputShape = inputShapeOf(options, 'scaleInvariantMlp');
  const hidden = hiddenOf(options.hidden, 'scaleInvariantMlp');
  if (hidden.length === 0) throw new Error('scaleInvariantMlp.hidden must list at least one layer (the output layer is fixed)');
  const outputs = positiveInt(options.outputs, 'scaleInvariantMlp.outputs');
  const activation = activationOf(options.activation, 'scaleInvariantMlp.activation');
  const loss = lossOf(options.loss, 'scaleInvariantMlp.loss');
  const layers: LayerSpec[] = inputShape.length === 3 ? [{ kind: 'flatten' }] : [];
  for (const units of hidden) layers.push({ kind: 'dense', units, bias: false }, ...invariantNorm(activation));
  layers.push({ kind: 'dense', units: outputs, bias: false, trainable: false });
  return { inputShape, layers, loss };
}

/**
 * Scale-invariant small CNN (Li & Arora): (conv(c_i, k, no bias) → BatchNorm(no affine) → act →
 * maxpool2)×2 → flatten [→ dense(dense, no bias) → BatchNorm(no affine) → act] → dense(classes,
 * no bias, FIXED: trainable false), softmax cross-entropy.
 */
export function scaleInvariantCnn(options: CnnOptions): ModelSpec {
  const { inputShape, classes, channels, kernelSize, dense, activation } = cnnParts(options, 'scaleInvariantCnn');
  const layers: LayerSpec[] = [];
  for (const filters of channels) {
    layers.push({ kind: 'conv2d', filters, kernelSize, bias: false }, ...invariantNorm(activation), { kind: 'maxpool2' });
  }
  layers.push({ kind: 'flatten' });
  if (dense > 0) layers.push({ kind: 'dense', units: dense, bias: false }, ...invariantNorm(activation));
  layers.push({ kind: 'dense', units: classes, bias: false, trainable: false });
  return { inputShape, layers, loss: 'softmax_xent' };
}
