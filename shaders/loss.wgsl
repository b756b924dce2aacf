// Losses, fused forward + backward, one workgroup per run (workgroup_id.x = run).
// Needs: common.wgsl, activations.wgsl, loss_rows.wgsl (the per-row math, shared with the fused small-MLP step),
// and the StepInfo, MetricRecord and LossDims structs (src/nn/layouts.ts).
//   softmax_xent: L = (1/B) Σ_b [logsumexp(y_b) − y_b[label_b]],  dL/dy = (softmax(y) − onehot)/B
//   mse:          L = (1/(B·O)) Σ_b Σ_o (y_bo − t_bo)²,          dL/dy = 2(y − t)/(B·O)
//                 t = onehot(label) for O ≥ 2; t = ±1 (label 1 → +1, else −1) for O = 1
// Both write the MetricRecord metrics[slot][run] (mean loss, correct count, non-finite flag, rows) and,
// when WRITE_GRAD, the gradient; with GRAD_ACT ≠ 0 the gradient is multiplied by act'(Z)
// (the last layer's activation, fused).

override WRITE_GRAD: bool = true;
override GRAD_ACT: u32 = ACT_NONE;

@group(0) @binding(0) var<uniform> dims: LossDims;
@group(0) @binding(1) var<uniform> step_info: StepInfo;
@group(0) @binding(2) var<storage, read> logits: array<f32>;
@group(0) @binding(3) var<storage, read> labels: array<u32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;
@group(0) @binding(5) var<storage, read_write> metrics: array<MetricRecord>;
@group(0) @binding(6) var<storage, read> preact: array<f32>;

var<workgroup> red_loss: array<f32, 64>;
var<workgroup> red_correct: array<f32, 64>;
var<workgroup> red_bad: array<f32, 64>;

// Rows that count in the metrics: all, or step_info.valid on a padded last eval batch.
fn valid_rows() -> u32 {
  return select(dims.batch, min(step_info.valid, dims.batch), step_info.valid != 0u);
}

// The data of loss_rows.wgsl: logits[run][b][c], labels[run][b]; the gradient goes to grad[run][b][c].
fn loss_logit(run: u32, b: u32, c: u32) -> f32 { return logits[(run * dims.batch + b) * dims.classes + c]; }
fn loss_label(run: u32, b: u32) -> u32 { return labels[run * dims.batch + b]; }
fn loss_put_grad(run: u32, b: u32, c: u32, g: f32) {
  if (!WRITE_GRAD) { return; }
  let index = b * dims.classes + c;
  var value = g;
  if (GRAD_ACT != ACT_NONE) { value *= act_grad(GRAD_ACT, preact[run * dims.z_run + index], dims.act_slope); }
  grad[run * dims.batch * dims.classes + index] = value;
}

fn finish(run: u32, lid: u32, loss: f32, correct: f32, bad: f32) {
  red_loss[lid] = loss;
  red_correct[lid] = correct;
  red_bad[lid] = bad;
  // One barrier, then one invocation sums the 64 partials in order: on a CPU-emulated GPU each
  // barrier switches every invocation group, and a tree reduction needs six.
  workgroupBarrier();
  if (lid == 0u) {
    var total_loss = 0.0;
    var total_correct = 0.0;
    var any_bad = 0.0;
    for (var i = 0u; i < 64u; i++) {
      total_loss += red_loss[i];
      total_correct += red_correct[i];
      any_bad = max(any_bad, red_bad[i]);
    }
    write_loss_metrics(step_info.slot * dims.runs + run, total_loss, total_correct, any_bad, valid_rows());
  }
}

// Each invocation takes rows lid, lid + 64, …; a row's loss counts in the metrics only below valid_rows().
fn rows_loss(run: u32, lid: u32, is_xent: bool) {
  var loss = 0.0;
  var correct = 0.0;
  var bad = 0.0;
  for (var b = lid; b < dims.batch; b += 64u) {
    var row: RowLoss;
    if (is_xent) {
      row = softmax_xent_row(run, b, dims.classes, 1.0 / f32(dims.batch));
    } else {
      row = mse_row(run, b, dims.classes, 1.0 / f32(dims.batch * dims.classes));
    }
    if (b < valid_rows()) {
      loss += row.loss;
      correct += row.correct;
      bad = max(bad, row.bad);
    }
  }
  finish(run, lid, loss, correct, bad);
}

@compute @workgroup_size(64)
fn softmax_xent(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  rows_loss(wg.x, lid, true);
}

@compute @workgroup_size(64)
fn mse(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  rows_loss(wg.x, lid, false);
}
