/**
 * Float64 reference network for one run: forward, loss and backward through the same resolved
 * model as the GPU network. The oracle of the kernel and end-to-end tests.
 */
import type { ResolvedModel } from '../nn/spec';
import type { RefContext, RefForward } from './layer';
import { REF_LAYERS } from './layers';
import { meanSquaredError, softmaxXent, type RefLoss } from './loss';

export interface RefStep extends RefLoss {
  logits: Float64Array;
  /** Parameter gradients (model.tensors order). */
  grads: Float64Array[];
}

export class ReferenceNetwork {
  /** BatchNorm running statistics and other layer state, by layer index. */
  readonly state = new Map<number, Record<string, Float64Array>>();

  constructor(readonly model: ResolvedModel) {
    this.resetState();
  }

  /** Resets layer state (running statistics) to initial values. */
  resetState(): void {
    this.state.clear();
    for (const layer of this.model.layers) {
      const init = REF_LAYERS[layer.spec.kind]?.initState;
      if (init) this.state.set(layer.index, init(layer));
    }
  }

  private context(params: Float64Array[], batch: number, train: boolean): RefContext {
    const grads = params.map((p) => new Float64Array(p.length));
    return { batch, params, grads, state: this.state, train };
  }

  /** Forward pass: returns the logits and the per-layer caches. */
  forward(params: Float64Array[], input: Float64Array, batch: number, train: boolean): { logits: Float64Array; caches: RefForward[]; ctx: RefContext } {
    const ctx = this.context(params, batch, train);
    const caches: RefForward[] = [];
    let current = input;
    for (const layer of this.model.layers) {
      const impl = REF_LAYERS[layer.spec.kind];
      if (!impl) throw new Error(`no reference for layer kind ${layer.spec.kind}`);
      const result = impl.forward(ctx, layer, current);
      caches.push(result);
      current = result.output;
    }
    return { logits: current, caches, ctx };
  }

  /** The loss of `logits` against `labels` with its gradient. */
  loss(logits: Float64Array, labels: ArrayLike<number>, batch: number): RefLoss {
    const width = this.model.outputSize;
    return this.model.spec.loss === 'mse'
      ? meanSquaredError(logits, labels, batch, width)
      : softmaxXent(logits, labels, batch, width);
  }

  /** One training pass (train mode): loss, accuracy count, and all parameter gradients. */
  step(params: Float64Array[], input: Float64Array, labels: ArrayLike<number>, batch: number): RefStep {
    const { logits, caches, ctx } = this.forward(params, input, batch, true);
    const result = this.loss(logits, labels, batch);
    let grad = result.grad;
    for (let i = this.model.layers.length - 1; i >= 0; i--) {
      const layer = this.model.layers[i];
      grad = REF_LAYERS[layer.spec.kind]!.backward(ctx, layer, caches[i], grad);
    }
    return { ...result, logits, grads: ctx.grads };
  }

  /** Loss and accuracy count in eval mode (no state change). */
  evaluate(params: Float64Array[], input: Float64Array, labels: ArrayLike<number>, batch: number): RefLoss {
    const { logits } = this.forward(params, input, batch, false);
    return this.loss(logits, labels, batch);
  }
}
