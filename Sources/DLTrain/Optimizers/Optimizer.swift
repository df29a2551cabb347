import Foundation
import DLRuntime
import DLSpec

/// Applies one update to all parameters (one flat buffer) from their gradients, following the
/// spec's optimizer. State buffers are the plan's `optimizerState`; `step` counts from 1.
///
/// * sgd (2.10)/(2.44): g ← ∇ + λθ; with momentum μ: v ← μv + g, then θ ← θ − α·v, or with
///   Nesterov θ ← θ − α·(g + μv) (PyTorch's formulation, so results compare).
/// * rmsprop: s ← ρs + (1 − ρ)g²; θ ← θ − α·g / (√s + ε) (with momentum μ: b ← μb + g/(√s + ε),
///   θ ← θ − α·b).
/// * adam: m ← β1·m + (1 − β1)g; v ← β2·v + (1 − β2)g²; θ ← θ − α·m̂ / (√v̂ + ε) with the bias
///   corrections m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t).
public struct Optimizer<T: DLScalar> {
  public let config: OptimizerConfig

  public init(_ config: OptimizerConfig) { self.config = config }

  /// True for SGD without momentum and weight decay, θ ← θ − α·∇θ: the update reads nothing
  /// but the gradient, so a plan can apply it inside backward (`Plan.backwardApplyingSGD`).
  public var isPlainSGD: Bool {
    if case .sgd(_, let momentum, _, let weightDecay) = config {
      return momentum == 0 && weightDecay == 0
    }
    return false
  }

  public func update(
    parameters θ: UnsafeMutablePointer<T>, gradients g: UnsafePointer<T>,
    state: [UnsafeMutablePointer<T>], count: Int, learningRate: Double, step: Int
  ) {
    // Element-wise and independent: split across the pool (bits do not depend on the split;
    // a serial update over mlp-deep's 1.1M weights was 5% of a 2-thread step).
    Parallel.forEachChunk(
      count: count,
      UpdateJob(
        config: config, θ: θ, g: g, state: state, learningRate: learningRate, step: step))
  }
}

/// `Optimizer.update` over a range of the parameters. A job, not a closure: see `ParallelJob`.
struct UpdateJob<T: DLScalar>: RangeJob {
  let config: OptimizerConfig
  let θ: UnsafeMutablePointer<T>
  let g: UnsafePointer<T>
  let state: [UnsafeMutablePointer<T>]
  let learningRate: Double
  let step: Int

  func run(_ range: Range<Int>) {
    let lr = T(learningRate)
    switch config {
    case .sgd(_, let momentum, let nesterov, let weightDecay):
      let wd = T(weightDecay)
      let mu = T(momentum)
      if momentum == 0 {
        for i in range { θ[i] -= lr * (g[i] + wd * θ[i]) }
      } else {
        let v = state[0]
        for i in range {
          let gi = g[i] + wd * θ[i]
          v[i] = mu * v[i] + gi
          θ[i] -= lr * (nesterov ? gi + mu * v[i] : v[i])
        }
      }
    case .rmsprop(_, let rho, let eps, let momentum, let weightDecay):
      let wd = T(weightDecay)
      let r = T(rho)
      let e = T(eps)
      let mu = T(momentum)
      let s = state[0]
      for i in range {
        let gi = g[i] + wd * θ[i]
        s[i] = r * s[i] + (1 - r) * gi * gi
        let scaled = gi / (s[i].squareRoot() + e)
        if momentum > 0 {
          let b = state[1]
          b[i] = mu * b[i] + scaled
          θ[i] -= lr * b[i]
        } else {
          θ[i] -= lr * scaled
        }
      }
    case .adam(_, let beta1, let beta2, let eps, let weightDecay):
      let wd = T(weightDecay)
      let b1 = T(beta1)
      let b2 = T(beta2)
      let e = T(eps)
      let m = state[0]
      let v = state[1]
      let c1 = T(1 - Foundation.pow(beta1, Double(step)))
      let c2 = T(1 - Foundation.pow(beta2, Double(step)))
      for i in range {
        let gi = g[i] + wd * θ[i]
        m[i] = b1 * m[i] + (1 - b1) * gi
        v[i] = b2 * v[i] + (1 - b2) * gi * gi
        θ[i] -= lr * (m[i] / c1) / ((v[i] / c2).squareRoot() + e)
      }
    }
  }
}
