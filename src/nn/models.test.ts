/**
 * Model builders: the shapes and parameter tensors resolveModel infers from them, the
 * scale-invariant variants' properties (groups, fixed last layer, ⟨∇W, W⟩ = 0 on the GPU, frozen
 * layers get no gradient: GPU checks in ./cnn.check.ts) and the validation messages.
 */
import { describe, expect, it } from 'vitest';
import { expectCheck } from '../test/expect-check';
import { MODEL_CHECKS } from './cnn.check';
import { mlp, scaleInvariantCnn, scaleInvariantMlp, smallCnn } from './models';
import { resolveModel, type ResolvedModel } from './spec';

const shapes = (model: ResolvedModel) => model.layers.map((l) => `${l.spec.kind}:${l.outShape.join('x')}`);
const tensorShapes = (model: ResolvedModel) => Object.fromEntries(model.tensors.map((t) => [t.name, t.shape]));

describe('mlp', () => {
  it('784-128-10 relu from inputSize', () => {
    const model = resolveModel(mlp({ inputSize: 784, hidden: [128], outputs: 10, activation: 'relu', loss: 'softmax_xent' }));
    expect(shapes(model)).toEqual(['dense:128', 'dense:10']);
    expect(model.layers[0].activation).toBe('relu');
    expect(model.layers[1].activation).toBe('none');
    expect(tensorShapes(model)).toEqual({
      'layers[0].weight': [784, 128], 'layers[0].bias': [128], 'layers[1].weight': [128, 10], 'layers[1].bias': [10],
    });
    expect(model.inputSize).toBe(784);
    expect(model.outputSize).toBe(10);
    expect(model.tensors.every((t) => t.trainable && t.scaleInvariantGroup === -1)).toBe(true);
  });

  it('image input is flattened; tanh, mse and no hidden layer work', () => {
    const model = resolveModel(mlp({ inputShape: [1, 4, 5], hidden: [], outputs: 3, activation: 'tanh', loss: 'mse' }));
    expect(shapes(model)).toEqual(['flatten:20', 'dense:3']);
    expect(model.spec.loss).toBe('mse');
    const two = resolveModel(mlp({ inputShape: [2], hidden: [8, 8], outputs: 2, activation: 'tanh', loss: 'softmax_xent' }));
    expect(two.layers.map((l) => l.activation)).toEqual(['tanh', 'tanh', 'none']);
  });

  it('batchNorm: dense (no bias) → BatchNorm (affine) → activation; weights feeding BN are scale-invariant', () => {
    const model = resolveModel(mlp({ inputSize: 2, hidden: [16, 8], outputs: 3, activation: 'relu', batchNorm: true, loss: 'softmax_xent' }));
    expect(shapes(model)).toEqual(['dense:16', 'batchnorm:16', 'activation:16', 'dense:8', 'batchnorm:8', 'activation:8', 'dense:3']);
    expect(model.tensors.map((t) => t.name)).toEqual([
      'layers[0].weight', 'layers[1].gamma', 'layers[1].beta', 'layers[3].weight', 'layers[4].gamma', 'layers[4].beta',
      'layers[6].weight', 'layers[6].bias',
    ]);
    expect(model.tensors.map((t) => t.scaleInvariantGroup)).toEqual([0, -1, -1, 1, -1, -1, -1, -1]);
    expect(model.tensors.every((t) => t.trainable)).toBe(true);
  });
});

describe('smallCnn', () => {
  it('MNIST-shaped defaults: conv8-pool, conv16-pool, flatten, dense10', () => {
    const model = resolveModel(smallCnn({ inputShape: [1, 28, 28], classes: 10 }));
    expect(shapes(model)).toEqual(['conv2d:8x28x28', 'maxpool2:8x14x14', 'conv2d:16x14x14', 'maxpool2:16x7x7', 'flatten:784', 'dense:10']);
    expect(tensorShapes(model)).toEqual({
      'layers[0].weight': [8, 1, 3, 3], 'layers[0].bias': [8],
      'layers[2].weight': [16, 8, 3, 3], 'layers[2].bias': [16],
      'layers[5].weight': [784, 10], 'layers[5].bias': [10],
    });
    expect(model.layers[0].activation).toBe('relu');
    expect(model.spec.loss).toBe('softmax_xent');
  });

  it('channels, 5x5 kernels, a hidden dense layer and odd sizes', () => {
    const model = resolveModel(smallCnn({ inputShape: [3, 9, 11], classes: 4, channels: [2, 5], kernelSize: 5, dense: 12 }));
    expect(shapes(model)).toEqual(['conv2d:2x9x11', 'maxpool2:2x4x5', 'conv2d:5x4x5', 'maxpool2:5x2x2', 'flatten:20', 'dense:12', 'dense:4']);
    expect(model.tensors[0].shape).toEqual([2, 3, 5, 5]);
    expect(model.layers[5].activation).toBe('relu');
  });
});

describe('scale-invariant variants (Li & Arora)', () => {
  it('scaleInvariantMlp: bias-free dense → BN(no affine) → act, fixed bias-free last layer', () => {
    const model = resolveModel(scaleInvariantMlp({ inputSize: 2, hidden: [24, 24], outputs: 3, activation: 'relu', loss: 'softmax_xent' }));
    expect(shapes(model)).toEqual(['dense:24', 'batchnorm:24', 'activation:24', 'dense:24', 'batchnorm:24', 'activation:24', 'dense:3']);
    expect(model.tensors.map((t) => t.name)).toEqual(['layers[0].weight', 'layers[3].weight', 'layers[6].weight']);
    expect(model.tensors.map((t) => t.scaleInvariantGroup)).toEqual([0, 1, -1]);
    expect(model.tensors.map((t) => t.trainable)).toEqual([true, true, false]);
    for (const layer of model.layers) if (layer.spec.kind === 'batchnorm') expect(layer.spec.affine).toBe(false);
  });

  it('scaleInvariantCnn: every conv/dense weight is a group, the last dense is fixed', () => {
    const model = resolveModel(scaleInvariantCnn({ inputShape: [1, 28, 28], classes: 10, dense: 32 }));
    expect(shapes(model)).toEqual([
      'conv2d:8x28x28', 'batchnorm:8x28x28', 'activation:8x28x28', 'maxpool2:8x14x14',
      'conv2d:16x14x14', 'batchnorm:16x14x14', 'activation:16x14x14', 'maxpool2:16x7x7',
      'flatten:784', 'dense:32', 'batchnorm:32', 'activation:32', 'dense:10',
    ]);
    expect(model.tensors.map((t) => [t.name, t.scaleInvariantGroup, t.trainable])).toEqual([
      ['layers[0].weight', 0, true],
      ['layers[4].weight', 1, true],
      ['layers[9].weight', 2, true],
      ['layers[12].weight', -1, false],
    ]);
    expect(model.layers.filter((l) => l.spec.kind === 'batchnorm').every((l) => l.gamma === undefined)).toBe(true);
  });

  it('conv2d trainable: false resolves to frozen weight and bias tensors', () => {
    const model = resolveModel({
      inputShape: [1, 6, 6],
      layers: [{ kind: 'conv2d', filters: 2, kernelSize: 3, trainable: false }, { kind: 'flatten' }, { kind: 'dense', units: 2 }],
      loss: 'softmax_xent',
    });
    expect(model.tensors.map((t) => [t.name, t.trainable])).toEqual([
      ['layers[0].weight', false], ['layers[0].bias', false], ['layers[2].weight', true], ['layers[2].bias', true],
    ]);
  });

  for (const check of MODEL_CHECKS) it(check.name, () => expectCheck(check));
});

describe('builder validation names the field', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['mlp hidden width 0', () => mlp({ inputSize: 2, hidden: [4, 0], outputs: 2 }), /mlp\.hidden\[1\] must be a positive integer, got 0/],
    ['mlp hidden not a list', () => mlp({ inputSize: 2, hidden: 4 as unknown as number[], outputs: 2 }), /mlp\.hidden must be a list/],
    ['mlp outputs', () => mlp({ inputSize: 2, hidden: [], outputs: 1.5 }), /mlp\.outputs must be a positive integer/],
    ['mlp inputSize', () => mlp({ inputSize: -1, hidden: [], outputs: 2 }), /mlp\.inputSize must be a positive integer/],
    ['mlp no input', () => mlp({ hidden: [], outputs: 2 }), /mlp\.inputShape must be \[features\]/],
    ['mlp both inputs', () => mlp({ inputSize: 2, inputShape: [2], hidden: [], outputs: 2 }), /inputShape or inputSize, not both/],
    ['mlp inputShape entry', () => mlp({ inputShape: [1, 0, 3], hidden: [], outputs: 2 }), /mlp\.inputShape\[1\] must be a positive integer/],
    ['mlp activation', () => mlp({ inputSize: 2, hidden: [3], outputs: 2, activation: 'swish' as never }), /mlp\.activation must be one of/],
    ['mlp loss', () => mlp({ inputSize: 2, hidden: [3], outputs: 2, loss: 'hinge' as never }), /mlp\.loss must be "softmax_xent" or "mse"/],
    ['mlp batchNorm', () => mlp({ inputSize: 2, hidden: [3], outputs: 2, batchNorm: 'yes' as never }), /mlp\.batchNorm must be true or false/],
    ['mlp options', () => mlp(null as never), /mlp: options must be an object/],
    ['cnn inputShape', () => smallCnn({ inputShape: [28, 28], classes: 10 }), /smallCnn\.inputShape must be \[channels, height, width\]/],
    ['cnn too small', () => smallCnn({ inputShape: [1, 3, 8], classes: 10 }), /smallCnn\.inputShape must be at least 4×4/],
    ['cnn classes', () => smallCnn({ inputShape: [1, 8, 8], classes: 1 }), /smallCnn\.classes must be at least 2/],
    ['cnn channels', () => smallCnn({ inputShape: [1, 8, 8], classes: 2, channels: [4, 0] }), /smallCnn\.channels\[1\] must be a positive integer/],
    ['cnn channels length', () => smallCnn({ inputShape: [1, 8, 8], classes: 2, channels: [4] as never }), /smallCnn\.channels must be \[filters1, filters2\]/],
    ['cnn kernelSize', () => smallCnn({ inputShape: [1, 8, 8], classes: 2, kernelSize: 4 as never }), /smallCnn\.kernelSize must be 3 or 5, got 4/],
    ['cnn dense', () => smallCnn({ inputShape: [1, 8, 8], classes: 2, dense: 2.5 }), /smallCnn\.dense must be a positive integer/],
    ['si-mlp no hidden', () => scaleInvariantMlp({ inputSize: 2, hidden: [], outputs: 2 }), /scaleInvariantMlp\.hidden must list at least one layer/],
    ['si-mlp hidden', () => scaleInvariantMlp({ inputSize: 2, hidden: [-3], outputs: 2 }), /scaleInvariantMlp\.hidden\[0\] must be a positive integer/],
    ['si-cnn activation', () => scaleInvariantCnn({ inputShape: [1, 8, 8], classes: 2, activation: 'elu' as never }), /scaleInvariantCnn\.activation must be one of/],
  ];
  for (const [name, build, message] of cases) {
    it(name, () => expect(build).toThrow(message));
  }
});
