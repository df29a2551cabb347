import DLSpec
import Foundation

/// The two warnings of §4.3 that `train` gives at most once each, after an epoch, and records
/// in summary.json's `warnings` (docs/gradients.md):
///
/// * W015, accuracy at chance: the epoch's accuracy (validation when there is a split, else
///   training) lies inside the 99% binomial interval around chance, p₀ ± 2.576·√(p₀(1−p₀)/n)
///   with p₀ = 1/classes and n the samples it was measured on. The normal approximation of
///   the binomial is used only when n·p₀ ≥ 5; on fewer samples nothing can be told from chance
///   and no warning is given.
/// * W016, vanishing gradient: the first layer with parameters has a mean gradient norm below
///   1e-6 of the last layer's (metrics.csv's `grad_norm_*`).
struct TrainingWarnings {
  /// z of a two-sided 99% normal interval.
  static let z = 2.576
  /// The gradient ratio below which W016 fires.
  static let gradientRatio = 1e-6

  private(set) var given: [RunSummary.Warning] = []

  init(earlier: [RunSummary.Warning] = []) { given = earlier }

  /// The 99% interval around chance for `classes` classes measured on `samples`, or nil when
  /// n·p₀ < 5 (too few samples for the approximation).
  static func chanceInterval(classes: Int, samples: Int) -> ClosedRange<Double>? {
    guard classes >= 2, samples > 0 else { return nil }
    let p0 = 1 / Double(classes)
    guard Double(samples) * p0 >= 5 else { return nil }
    let half = z * (p0 * (1 - p0) / Double(samples)).squareRoot()
    return (p0 - half)...(p0 + half)
  }

  func has(_ code: DiagnosticCode) -> Bool { given.contains { $0.code == code.rawValue } }

  /// Checks one epoch's figures; returns the warnings given now (each code once per run).
  /// - Parameter norms: the epoch's mean gradient norm per layer with parameters, in order.
  mutating func check(
    epoch: Int, accuracy: Double?, samples: Int, classes: Int, measuredOn: String,
    norms: [(layer: String, norm: Double)]
  ) -> [RunSummary.Warning] {
    var now: [RunSummary.Warning] = []
    if !has(.accuracyAtChance), let accuracy, accuracy.isFinite,
      let interval = Self.chanceInterval(classes: classes, samples: samples),
      interval.contains(accuracy)
    {
      let p0 = 1 / Double(classes)
      now.append(
        RunSummary.Warning(
          code: DiagnosticCode.accuracyAtChance.rawValue, epoch: epoch,
          message: String(
            format: "%@ accuracy %.4f after epoch %d is at chance: inside 1/%d ± %.4f, the 99%% "
              + "interval of guessing on %d samples; the model is not learning (§4.3: check "
              + "the gradient norms with `dlspec gradients`, saturated sigmoids, the lr)",
            measuredOn, accuracy, epoch, classes, interval.upperBound - p0, samples)))
    }
    if !has(.vanishingGradient), let first = norms.first, let last = norms.last,
      norms.count >= 2, last.norm > 0, first.norm < Self.gradientRatio * last.norm
    {
      now.append(
        RunSummary.Warning(
          code: DiagnosticCode.vanishingGradient.rawValue, epoch: epoch,
          message: String(
            format: "the gradient of %@ (%.3g) is below 1e-6 of the last layer %@'s (%.3g) in "
              + "epoch %d: vanishing gradients (§4.3, (4.21)); the lower layers barely learn",
            first.layer, first.norm, last.layer, last.norm, epoch)))
    }
    given += now
    return now
  }
}
