/**
 * 1-D landscapes for the LEAP and RALR demos: a weak confining bowl plus Gaussian wells,
 *   f(x) = c·x² − Σ_k h_k·exp(−(x − m_k)²/(2w_k²)),
 *   f'(x) = 2c·x + Σ_k h_k·(x − m_k)/w_k²·exp(−(x − m_k)²/(2w_k²)).
 * A well of depth h and width w has curvature ≈ h/w² at its bottom: narrow = sharp.
 * Training uses a stochastic gradient g_t = f'(x_t) + s·ξ_t, ξ_t ~ N(0, 1) (the minibatch noise of SGD;
 * without it, an iterate sitting at a minimum has zero gradient and no rule that scales the step can
 * move it). ξ_t comes from RandomStream(seed, streamId(general, tag)), so a run is a pure function of its seed.
 */

export interface Well {
  /** Centre m. */
  at: number;
  /** Width w (standard deviation of the Gaussian). */
  width: number;
  /** Depth h. */
  depth: number;
}

export interface Landscape1d {
  /** c of the confining bowl c·x². */
  bowl: number;
  wells: readonly Well[];
}

/** f(x) */
export function landscapeLoss(l: Landscape1d, x: number): number {
  let value = l.bowl * x * x;
  for (const w of l.wells) value -= w.depth * Math.exp(-((x - w.at) ** 2) / (2 * w.width * w.width));
  return value;
}

/** f'(x) */
export function landscapeGradient(l: Landscape1d, x: number): number {
  let value = 2 * l.bowl * x;
  for (const w of l.wells) value += ((w.depth * (x - w.at)) / (w.width * w.width)) * Math.exp(-((x - w.at) ** 2) / (2 * w.width * w.width));
  return value;
}

/** f''(x) by a central difference (h = 1e-5). */
export function landscapeCurvature(l: Landscape1d, x: number): number {
  const h = 1e-5;
  return (landscapeGradient(l, x + h) - landscapeGradient(l, x - h)) / (2 * h);
}

/** The local minimum reached by small-step gradient descent from x (20 000 steps of 1e-3·f'). */
export function descend(l: Landscape1d, x: number): number {
  let at = x;
  for (let i = 0; i < 20_000; i++) at -= 1e-3 * landscapeGradient(l, at);
  return at;
}

/** argmax of f on [a, b] on a grid of 1e-4: the barrier between two minima a < b. */
export function barrier(l: Landscape1d, a: number, b: number): number {
  let best = a;
  for (let x = a; x <= b; x += 1e-4) if (landscapeLoss(l, x) > landscapeLoss(l, best)) best = x;
  return best;
}
