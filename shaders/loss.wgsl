// Losses, fused forward + backward, one workgroup per run (workgroup_id.x = run).
// Needs: common.wgsl, activations.wgsl.
//   softmax_xent: L = (1/B) Σ_b [logsumexp(y_b) − y_b[label_b]],  dL/dy = (softmax(y) − onehot)/B
//   mse:          L = (1/(B·O)) Σ_b Σ_o (y_bo − t_bo)²,          dL/dy = 2(y − t)/(B·O)
//                 t = onehot(label) for O ≥ 2; t = ±1 (label 1 → +1, else −1) for O = 1
// Both write metrics[slot][run] = (mean loss, correct count, non-finite flag, batch size) and,
// when WRITE_GRAD, the gradient; with GRAD_ACT ≠ 0 the gradient is multiplied by act'(Z)
// (the last layer's activation, fused).

struct LossDims { batch: u32, classes: u32, runs: u32, act_slope: f32, z_run: u32, _p0: u32, _p1: u32, _p2: u32 }

override WRITE_GRAD: bool = true;
override GRAD_ACT: u32 = 0u;

@group(0) @binding(0) var<uniform> dims: LossDims;
@group(0) @binding(1) var<uniform> step_info: StepInfo;
@group(0) @binding(2) var<storage, read> logits: array<f32>;
@group(0) @binding(3) var<storage, read> labels: array<u32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;
@group(0) @binding(5) var<storage, read_write> metrics: array<f32>;
@group(0) @binding(6) var<storage, read> preact: array<f32>;

var<workgroup> red_loss: array<f32, 64>;
var<workgroup> red_correct: array<f32, 64>;
var<workgroup> red_bad: array<f32, 64>;

// Rows that count in the metrics: all, or step_info.valid on a padded last eval batch.
fn valid_rows() -> u32 {
  return select(dims.batch, min(step_info.valid, dims.batch), step_info.valid != 0u);
}

fn write_grad(run: u32, index: u32, g: f32) {
  if (!WRITE_GRAD) { return; }
  var value = g;
  if (GRAD_ACT != 0u) { value *= act_grad(GRAD_ACT, preact[run * dims.z_run + index], dims.act_slope); }
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
    let base = (step_info.slot * dims.runs + run) * 4u;
    let mean = total_loss / f32(valid_rows());
    metrics[base] = mean;
    metrics[base + 1u] = total_correct;
    metrics[base + 2u] = max(any_bad, select(0.0, 1.0, is_nonfinite(mean)));
    metrics[base + 3u] = f32(valid_rows());
  }
}

@compute @workgroup_size(64)
fn softmax_xent(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let run = wg.x;
  let C = dims.classes;
  let inv_batch = 1.0 / f32(dims.batch);
  var loss = 0.0;
  var correct = 0.0;
  var bad = 0.0;
  for (var b = lid; b < dims.batch; b += 64u) {
    let base = (run * dims.batch + b) * C;
    let label = labels[run * dims.batch + b];
    var best = logits[base];
    var best_index = 0u;
    for (var c = 1u; c < C; c++) {
      let v = logits[base + c];
      if (v > best) { best = v; best_index = c; }
    }
    var sum = 0.0;
    for (var c = 0u; c < C; c++) { sum += exp(logits[base + c] - best); }
    let log_sum = log(sum) + best;
    let sample_loss = log_sum - logits[base + min(label, C - 1u)];
    if (b < valid_rows()) {
      loss += sample_loss;
      correct += select(0.0, 1.0, best_index == label);
      if (is_nonfinite(sample_loss)) { bad = 1.0; }
    }
    for (var c = 0u; c < C; c++) {
      let p = exp(logits[base + c] - log_sum);
      write_grad(run, b * C + c, (p - select(0.0, 1.0, c == label)) * inv_batch);
    }
  }
  finish(run, lid, loss, correct, bad);
}

@compute @workgroup_size(64)
fn mse(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let run = wg.x;
  let O = dims.classes;
  let scale = 1.0 / f32(dims.batch * O);
  var loss = 0.0;
  var correct = 0.0;
  var bad = 0.0;
  for (var b = lid; b < dims.batch; b += 64u) {
    let base = (run * dims.batch + b) * O;
    let label = labels[run * dims.batch + b];
    var sample_loss = 0.0;
    var best = logits[base];
    var best_index = 0u;
    for (var o = 0u; o < O; o++) {
      let y = logits[base + o];
      var t = select(0.0, 1.0, o == label);
      if (O == 1u) { t = select(-1.0, 1.0, label == 1u); }
      let diff = y - t;
      sample_loss += diff * diff;
      write_grad(run, b * O + o, 2.0 * diff * scale);
      if (y > best) { best = y; best_index = o; }
    }
    if (b < valid_rows()) {
      if (O == 1u) {
        correct += select(0.0, 1.0, (logits[base] > 0.0) == (label == 1u));
      } else {
        correct += select(0.0, 1.0, best_index == label);
      }
      loss += sample_loss / f32(O);
      if (is_nonfinite(sample_loss)) { bad = 1.0; }
    }
  }
  finish(run, lid, loss, correct, bad);
}
