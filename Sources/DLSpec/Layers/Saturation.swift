/// How an activation's *output* shows that a unit passes (almost) no gradient, for the
/// saturation statistics of `dlspec gradients` (§4.3, (4.22)–(4.23)).
///
/// The report reads outputs, not pre-activations: a dense or conv layer applies a fused σ in
/// its epilogue, so z is never stored. Each σ here is strictly monotone on the range tested,
/// so a test on y = σ(z) is the same test on z.
public enum Saturation: Sendable, Equatable {
  /// |z| > `limit` (sigmoid, tanh: σ' < 0.018 there). `low` and `high` are σ(−limit) and
  /// σ(limit): the unit is saturated when y < low or y > high.
  case beyond(limit: Double, low: Double, high: Double)
  /// z ≤ 0 (ReLU family: gradient exactly 0); y ≤ 0 exactly when z ≤ 0.
  case nonPositive

  /// True when output `y` says the unit's input is in the saturated (or dead) region.
  public func holds(_ y: Double) -> Bool {
    switch self {
    case .beyond(_, let low, let high): return y < low || y > high
    case .nonPositive: return y <= 0
    }
  }

  /// The pre-activation threshold of §4.3's report: |z| > 4.
  public static let limit = 4.0
}
