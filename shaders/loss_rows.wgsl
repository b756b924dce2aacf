// One minibatch row's loss, its gradient and its metrics, shared by the loss kernels (loss.wgsl)
// and the fused small-MLP step (src/nn/small-mlp.ts). Needs: common.wgsl, the MetricRecord struct
// (src/nn/layouts.ts). The including kernel provides the data and a `metrics: array<MetricRecord>`
// storage buffer:
//   fn loss_logit(run: u32, b: u32, c: u32) -> f32        output c of row b (after the last activation)
//   fn loss_label(run: u32, b: u32) -> u32               the row's class label
//   fn loss_put_grad(run: u32, b: u32, c: u32, g: f32)   receives g = ∂L/∂y_bc, L the batch mean
//
//   softmax_xent: ℓ_b = logsumexp(y_b) − y_b[label_b],        ∂L/∂y_bc = (softmax(y_b)_c − [c = label_b]) / B
//   mse:          ℓ_b = (1/O) Σ_o (y_bo − t_bo)²,              ∂L/∂y_bo = 2(y_bo − t_bo) / (B·O)
//                 t = onehot(label) for O ≥ 2; t = ±1 (label 1 → +1, else −1) for O = 1

// A row's loss ℓ_b, whether its prediction is right (1 or 0), and whether ℓ_b is not finite (1 or 0).
struct RowLoss { loss: f32, correct: f32, bad: f32 }

// Softmax cross-entropy of row b over C classes (inv_batch = 1/B scales the gradient).
fn softmax_xent_row(run: u32, b: u32, C: u32, inv_batch: f32) -> RowLoss {
  let label = loss_label(run, b);
  var best = loss_logit(run, b, 0u);
  var best_index = 0u;
  for (var c = 1u; c < C; c++) {
    let v = loss_logit(run, b, c);
    if (v > best) { best = v; best_index = c; }
  }
  var sum = 0.0;
  for (var c = 0u; c < C; c++) { sum += exp(loss_logit(run, b, c) - best); }
  let log_sum = log(sum) + best;
  let sample_loss = log_sum - loss_logit(run, b, min(label, C - 1u));
  for (var c = 0u; c < C; c++) {
    let p = exp(loss_logit(run, b, c) - log_sum);
    loss_put_grad(run, b, c, (p - select(0.0, 1.0, c == label)) * inv_batch);
  }
  return RowLoss(sample_loss, select(0.0, 1.0, best_index == label), select(0.0, 1.0, is_nonfinite(sample_loss)));
}

// Mean squared error of row b over O outputs (scale = 1/(B·O) scales the gradient).
fn mse_row(run: u32, b: u32, O: u32, scale: f32) -> RowLoss {
  let label = loss_label(run, b);
  var sample_loss = 0.0;
  let first = loss_logit(run, b, 0u);
  var best = first;
  var best_index = 0u;
  for (var o = 0u; o < O; o++) {
    let y = loss_logit(run, b, o);
    var t = select(0.0, 1.0, o == label);
    if (O == 1u) { t = select(-1.0, 1.0, label == 1u); }
    let diff = y - t;
    sample_loss += diff * diff;
    loss_put_grad(run, b, o, 2.0 * diff * scale);
    if (y > best) { best = y; best_index = o; }
  }
  var correct = select(0.0, 1.0, best_index == label);
  if (O == 1u) { correct = select(0.0, 1.0, (first > 0.0) == (label == 1u)); }
  return RowLoss(sample_loss / f32(O), correct, select(0.0, 1.0, is_nonfinite(sample_loss)));
}

// Writes metrics record `record` (= slot·R + run): mean loss over `rows` counted rows, correct count,
// non-finite flag (any row's, or the mean's), rows.
fn write_loss_metrics(record: u32, total_loss: f32, total_correct: f32, any_bad: f32, rows: u32) {
  let mean = total_loss / f32(rows);
  metrics[record].loss = mean;
  metrics[record].correct = total_correct;
  metrics[record].non_finite = max(any_bad, select(0.0, 1.0, is_nonfinite(mean)));
  metrics[record].rows = f32(rows);
}
