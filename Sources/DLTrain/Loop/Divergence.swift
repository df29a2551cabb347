import DLSpec
import Foundation

/// The numerical-fault rules the training loop applies to every step's loss before the step's
/// update, and to its gradient before the update is applied:
///
/// * `nonFinite`: the loss is NaN or ±∞;
/// * `factor`: the loss is above `train.divergence_factor` (default 1e6) × the run's first loss;
/// * `growth`: the loss grew (strictly) for `train.divergence_patience` (default 50) steps in a
///   row;
/// * `gradient`: a layer's gradient has a NaN or ±∞.
///
/// A rule that fires ends training before the update, so the parameters in memory are those of
/// the last step taken, whose loss was finite; the trainer writes them to
/// `checkpoints/last-finite.h5` when they are finite. Checking costs a few comparisons a step.
///
/// The state (first loss, previous loss, growing run) travels in checkpoints, so a resumed run
/// watches exactly as an uninterrupted one would.
struct LossWatch: Equatable {
  enum Rule: Equatable {
    case nonFinite
    case factor(first: Double, factor: Double)
    case growth(steps: Int)
    case gradient(layer: String)
  }

  /// 0 turns the factor rule off.
  let factor: Double
  /// 0 turns the growth rule off.
  let patience: Int
  /// The run's first loss, once a step has run.
  var first: Double?
  var previous: Double = .infinity
  /// Steps in a row whose loss was above the one before.
  var growing: Int = 0

  init(factor: Double, patience: Int) {
    self.factor = factor
    self.patience = patience
  }

  init(_ config: TrainConfig) {
    self.init(factor: config.divergenceFactor, patience: config.divergencePatience)
  }

  /// The rule the step's loss breaks, if any; otherwise records the loss.
  @inline(__always)
  mutating func check(_ loss: Double) -> Rule? {
    guard loss.isFinite else { return .nonFinite }
    guard let first else {
      self.first = loss
      previous = loss
      return nil
    }
    if factor > 0, loss > factor * first.magnitude, first != 0 {
      return .factor(first: first, factor: factor)
    }
    growing = loss > previous ? growing + 1 : 0
    previous = loss
    if patience > 0, growing >= patience { return .growth(steps: growing) }
    return nil
  }

  /// For checkpoints: `[first, previous, growing]`, empty before the first step.
  var saved: [Double] {
    guard let first else { return [] }
    return [first, previous, Double(growing)]
  }

  /// Restores `saved`; an empty or malformed list leaves the watch fresh.
  mutating func restore(_ values: [Double]) {
    guard values.count == 3, values[0].isFinite, values[1].isFinite, values[2] >= 0,
      let g = Int(exactly: values[2])
    else { return }
    first = values[0]
    previous = values[1]
    growing = g
  }

  /// What the rule says, for the failure message (`above 1e6 × the first step's loss 2.3`).
  static func describe(_ rule: Rule) -> String {
    switch rule {
    case .nonFinite:
      return "the loss is not finite"
    case .factor(let first, let factor):
      return "above \(Number.short(factor)) × the run's first loss \(Number.short(first)) "
        + "(train.divergence_factor)"
    case .growth(let steps):
      return "it grew for \(steps) steps in a row (train.divergence_patience)"
    case .gradient(let layer):
      return "the gradient of \(layer) is not finite"
    }
  }
}

/// Numbers in messages: `1e+06`, `2.303`, `4.182e+07`.
enum Number {
  static func short(_ v: Double) -> String { String(format: "%.4g", v) }
}
