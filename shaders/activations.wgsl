// Activation functions and their derivatives, shared by matmul epilogues and elementwise kernels.
// kind: ACT_NONE, ACT_RELU, ACT_TANH, ACT_SIGMOID, ACT_LEAKY_RELU (slope), ACT_GELU (tanh approximation);
// the codes are declared from src/nn/spec.ts ACTIVATION_CODE (src/nn/layouts.ts).

fn act_tanh(z: f32) -> f32 {
  // tanh saturates to ±1 in f32 beyond |z| = 10; clamping avoids inf/inf on some drivers.
  return tanh(clamp(z, -10.0, 10.0));
}

fn act_sigmoid(z: f32) -> f32 {
  return 1.0 / (1.0 + exp(-z));
}

// a = f(z)
fn act_forward(kind: u32, z: f32, slope: f32) -> f32 {
  switch kind {
    case ACT_RELU: { return max(z, 0.0); }
    case ACT_TANH: { return act_tanh(z); }
    case ACT_SIGMOID: { return act_sigmoid(z); }
    case ACT_LEAKY_RELU: { return select(slope * z, z, z > 0.0); }
    case ACT_GELU: {
      let inner = 0.7978845608028654 * (z + 0.044715 * z * z * z);
      return 0.5 * z * (1.0 + act_tanh(inner));
    }
    default: { return z; }
  }
}

// f'(z)
fn act_grad(kind: u32, z: f32, slope: f32) -> f32 {
  switch kind {
    case ACT_RELU: { return select(0.0, 1.0, z > 0.0); }
    case ACT_TANH: { let t = act_tanh(z); return 1.0 - t * t; }
    case ACT_SIGMOID: { let s = act_sigmoid(z); return s * (1.0 - s); }
    case ACT_LEAKY_RELU: { return select(slope, 1.0, z > 0.0); }
    case ACT_GELU: {
      let inner = 0.7978845608028654 * (z + 0.044715 * z * z * z);
      let t = act_tanh(inner);
      let dinner = 0.7978845608028654 * (1.0 + 3.0 * 0.044715 * z * z);
      return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * dinner;
    }
    default: { return 1.0; }
  }
}
