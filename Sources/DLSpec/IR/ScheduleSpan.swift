import Foundation

extension ScheduleConfig {
  /// α for the optimizer step `step` (0-based, counted over the whole run) in `epoch`
  /// (0-based), with `baseRate` the optimizer's lr: the one formula training, `inspect`, `cost`
  /// and the schedule warning use.
  public func rate(step: Int, epoch: Int, baseRate: Double) -> Double {
    func ell(_ unit: ScheduleUnit) -> Double { Double(unit == .step ? step : epoch) }
    switch self {
    case .constant:
      return baseRate
    case .inverse(let c0, let c1, let unit):
      return c0 / (c1 + ell(unit))
    case .piecewise(let boundaries, let values, let unit):
      let l = ell(unit)
      let i = boundaries.firstIndex { l < Double($0) } ?? boundaries.count
      return values[min(i, values.count - 1)]
    case .step(let size, let gamma, let unit):
      return baseRate * pow(gamma, (ell(unit) / Double(size)).rounded(.down))
    case .exponential(let gamma, let unit):
      return baseRate * pow(gamma, ell(unit))
    }
  }
}

/// The learning rate at the first and the last step of the configured run (`inspect`, `cost`),
/// and whether it falls below `vanishingRatio` of its start (warning W005).
///
/// The last step is `epochs × steps per epoch − 1`, with steps per epoch ⌈N_train / batch⌉ and
/// N_train the training samples after `validation_split`. N is known for named datasets
/// (60,000 for mnist and fashion-mnist) and for files once the data is opened
/// (`validate --check-data`); otherwise one step per epoch is assumed, a lower bound, and the
/// last step is marked "at least".
public struct ScheduleSpan: Sendable, Equatable {
  /// The warning's threshold: an lr below 1e-8 of its start no longer trains.
  public static let vanishingRatio = 1e-8
  /// Training samples of the named datasets.
  public static let namedTrainingSamples = ["fashion-mnist": 60_000, "mnist": 60_000]

  public var firstRate: Double
  public var lastRate: Double
  /// The last optimizer step (0-based) of the run.
  public var lastStep: Int
  /// False when the step count is a lower bound (the data's size is not known).
  public var exact: Bool

  /// - Parameter samples: the training set's size when known (before `validation_split`).
  public init(_ e: Experiment, samples: Int? = nil) {
    let train = e.train.value
    var n = samples
    if n == nil, let data = e.data, case .named(let name) = data.source {
      n = Self.namedTrainingSamples[name]
    }
    let split = e.data?.validationSplit ?? 0
    let perEpoch = n.map { n in
      let kept = n - Int((split * Double(n)).rounded())
      return max(1, (kept + train.batchSize - 1) / max(1, train.batchSize))
    }
    exact = perEpoch != nil
    let steps = train.epochs.multipliedReportingOverflow(by: perEpoch ?? 1)
    lastStep = steps.overflow ? Int.max - 1 : max(0, steps.partialValue - 1)
    let base = e.optimizer.value.learningRate
    firstRate = e.schedule.value.rate(step: 0, epoch: 0, baseRate: base)
    lastRate = e.schedule.value.rate(
      step: lastStep, epoch: max(0, train.epochs - 1), baseRate: base)
  }

  static func format(_ x: Double) -> String { String(format: "%.4g", x) }

  /// True when the lr ends below `vanishingRatio` of its start.
  public var vanishes: Bool { firstRate > 0 && lastRate < firstRate * Self.vanishingRatio }

  /// `0.1 at the first step, 1.2e-05 at the last (step 5,999)`.
  public var text: String {
    "\(Self.format(firstRate)) at the first step, \(Self.format(lastRate)) at the last "
      + "(step \(exact ? "" : "≥ ")\(lastStep + 1) of the run"
      + (exact ? ")" : "; the data's size is not known, one step per epoch assumed)")
  }

  /// The warning for a schedule that kills training, at the schedule's location.
  public func warning(_ e: Experiment) -> Diagnostic? {
    guard vanishes else { return nil }
    return Diagnostic(
      .vanishingLearningRate, at: e.schedule.origin.location,
      "the schedule drives lr from \(Self.format(firstRate)) to \(Self.format(lastRate)) "
        + "by step \(exact ? "" : "≥ ")\(lastStep + 1), below 1e-8 of its start: training stops learning",
      hint: "raise gamma, lengthen step_size, or count the schedule in epochs (`unit: epoch`)",
      severity: .warning)
  }
}
