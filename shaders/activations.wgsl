// Activation functions and their derivatives, shared by matmul epilogues and elementwise kernels.
// kind: 0 none, 1 relu, 2 tanh, 3 sigmoid, 4 leaky_relu(slope), 5 gelu (tanh approximation).

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
    case 1u: { return max(z, 0.0); }
    case 2u: { return act_tanh(z); }
    case 3u: { return act_sigmoid(z); }
    case 4u: { return select(slope * z, z, z > 0.0); }
    case 5u: {
      let inner = 0.7978845608028654 * (z + 0.044715 * z * z * z);
      return 0.5 * z * (1.0 + act_tanh(inner));
    }
    default: { return z; }
  }
}

// f'(z)
fn act_grad(kind: u32, z: f32, slope: f32) -> f32 {
  switch kind {
    case 1u: { return select(0.0, 1.0, z > 0.0); }
    case 2u: { let t = act_tanh(z); return 1.0 - t * t; }
    case 3u: { let s = act_sigmoid(z); return s * (1.0 - s); }
    case 4u: { return select(slope, 1.0, z > 0.0); }
    case 5u: {
      let inner = 0.7978845608028654 * (z + 0.044715 * z * z * z);
      let t = act_tanh(inner);
      let dinner = 0.7978845608028654 * (1.0 + 3.0 * 0.044715 * z * z);
      return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * dinner;
    }
    default: { return 1.0; }
  }
}
