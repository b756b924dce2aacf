/** Float64 losses (twins of shaders/loss.wgsl). */

export interface RefLoss {
  loss: number;
  correct: number;
  /** dL/dy, B × classes. */
  grad: Float64Array;
}

/** L = (1/B) Σ_b [logsumexp(y_b) − y_b[label_b]], dL/dy = (softmax − onehot)/B. */
export function softmaxXent(logits: Float64Array, labels: ArrayLike<number>, batch: number, classes: number): RefLoss {
  const grad = new Float64Array(batch * classes);
  let loss = 0;
  let correct = 0;
  for (let b = 0; b < batch; b++) {
    const row = logits.subarray(b * classes, (b + 1) * classes);
    let best = row[0];
    let bestIndex = 0;
    for (let c = 1; c < classes; c++) if (row[c] > best) { best = row[c]; bestIndex = c; }
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(row[c] - best);
    const logSum = Math.log(sum) + best;
    loss += logSum - row[labels[b]];
    if (bestIndex === labels[b]) correct++;
    for (let c = 0; c < classes; c++) grad[b * classes + c] = (Math.exp(row[c] - logSum) - (c === labels[b] ? 1 : 0)) / batch;
  }
  return { loss: loss / batch, correct, grad };
}

/** L = (1/(B·O)) Σ (y − t)², t = onehot(label), or ±1 when O = 1. */
export function meanSquaredError(outputs: Float64Array, labels: ArrayLike<number>, batch: number, width: number): RefLoss {
  const grad = new Float64Array(batch * width);
  let loss = 0;
  let correct = 0;
  for (let b = 0; b < batch; b++) {
    let best = -Infinity;
    let bestIndex = 0;
    for (let o = 0; o < width; o++) {
      const y = outputs[b * width + o];
      const t = width === 1 ? (labels[b] === 1 ? 1 : -1) : o === labels[b] ? 1 : 0;
      loss += (y - t) ** 2;
      grad[b * width + o] = (2 * (y - t)) / (batch * width);
      if (y > best) { best = y; bestIndex = o; }
    }
    if (width === 1 ? outputs[b] > 0 === (labels[b] === 1) : bestIndex === labels[b]) correct++;
  }
  return { loss: loss / (batch * width), correct, grad };
}
