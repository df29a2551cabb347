import Foundation

/// Axis ticks a reader can count: linear steps of 1, 2 or 5 × 10^k, or powers of ten on a log
/// scale (learning rates). The first tick is at or below the data's minimum and the last at or
/// above its maximum, so the axis range is `[values.first, values.last]` and covers the data.
///
/// `NiceTicks.linear(min: 0.83, max: 0.91)` gives 0.82, 0.84, …, 0.92 labelled "0.82" … "0.92";
/// `NiceTicks.log(min: 1e-3, max: 1)` gives 1e-3, 1e-2, 0.1, 1.
public struct NiceTicks: Equatable, Sendable {
  /// Tick positions in data units, ascending.
  public var values: [Double]
  /// One label per value.
  public var labels: [String]
  /// Unlabelled ticks between the major ones (2…9 × 10^k on a log axis).
  public var minor: [Double]
  public var isLog: Bool

  /// The axis range: first and last tick.
  public var lower: Double { values.first ?? 0 }
  public var upper: Double { values.last ?? 1 }

  /// Linear ticks covering `[min, max]` with about `intervals` steps. `integer` keeps the step
  /// at 1 or more (epochs).
  public static func linear(
    min lo: Double, max hi: Double, intervals: Int = 5, integer: Bool = false
  ) -> NiceTicks {
    var lo = lo.isFinite ? lo : 0
    var hi = hi.isFinite ? hi : 1
    if lo > hi { swap(&lo, &hi) }
    if lo == hi {
      // One value: centre it in a small range instead of a zero-width axis.
      let d = integer ? 1 : (lo == 0 ? 1 : abs(lo) * 0.1)
      lo -= d
      hi += d
    }
    var step = bestStep(min: lo, max: hi, intervals: Swift.max(1, intervals))
    if integer { step = Swift.max(step, 1) }
    // Ticks are integer multiples of the step, so 0.82 is 41 × 0.02, never 0.8200000001.
    let tolerance = 1e-9
    let first = (lo / step + tolerance).rounded(.down)
    let last = (hi / step - tolerance).rounded(.up)
    let values = stride(from: first, through: last, by: 1).map { clean($0 * step, step: step) }
    return NiceTicks(
      values: values, labels: labels(values, step: step), minor: [], isLog: false)
  }

  /// Powers of ten covering `[min, max]` (both > 0), every `k`-th decade when there are many.
  public static func log(min lo: Double, max hi: Double, maxLabels: Int = 8) -> NiceTicks {
    var lo = lo > 0 && lo.isFinite ? lo : 1e-3
    var hi = hi > 0 && hi.isFinite ? hi : lo
    if lo > hi { swap(&lo, &hi) }
    var k0 = Int(Foundation.log10(lo).rounded(.down) + 1e-9)
    var k1 = Int(Foundation.log10(hi).rounded(.up) - 1e-9)
    if Foundation.pow(10, Double(k0)) > lo * (1 + 1e-9) { k0 -= 1 }
    if Foundation.pow(10, Double(k1)) < hi * (1 - 1e-9) { k1 += 1 }
    if k1 == k0 { k1 += 1 }
    let every = Swift.max(1, Int((Double(k1 - k0) / Double(maxLabels)).rounded(.up)))
    while (k1 - k0) % every != 0 { k1 += 1 }
    let exponents = stride(from: k0, through: k1, by: every)
    let values = exponents.map { Foundation.pow(10, Double($0)) }
    var minor: [Double] = []
    if every == 1 {
      for k in k0..<k1 {
        for m in 2...9 { minor.append(Double(m) * Foundation.pow(10, Double(k))) }
      }
    }
    // Below 0.01 "1e-3" reads better than "0.001"; then 0.01 is written 1e-2 as well, so
    // one axis does not mix the two forms (0.1 and 1 stay plain).
    let scientific = k0 <= -3
    let labels = exponents.map { k in
      scientific && k <= -2 ? "1e\(k)" : powerOfTenLabel(k)
    }
    return NiceTicks(values: values, labels: labels, minor: minor, isLog: true)
  }

  /// Of the steps 1, 2, 5, 10 × 10^k around `range / intervals`, the one whose ticks give the
  /// number of intervals closest to `intervals` (the larger step on a tie).
  static func bestStep(min lo: Double, max hi: Double, intervals: Int) -> Double {
    let raw = (hi - lo) / Double(intervals)
    guard raw > 0, raw.isFinite else { return 1 }
    let magnitude = Foundation.pow(10, Foundation.log10(raw).rounded(.down))
    var best = (step: 10 * magnitude, miss: Int.max)
    for m in [10.0, 5, 2, 1] {
      let step = m * magnitude
      let count = Int((hi / step - 1e-9).rounded(.up) - (lo / step + 1e-9).rounded(.down))
      let miss = abs(count - intervals)
      if miss < best.miss { best = (step, miss) }
    }
    return best.step
  }

  /// The smallest of 1, 2, 5 × 10^k that is at least `raw`.
  public static func niceStep(_ raw: Double) -> Double {
    guard raw > 0, raw.isFinite else { return 1 }
    let magnitude = Foundation.pow(10, Foundation.log10(raw).rounded(.down))
    let normalized = raw / magnitude
    for m in [1.0, 2, 5] where normalized <= m * (1 + 1e-9) { return m * magnitude }
    return 10 * magnitude
  }

  /// "1e-3", "0.01", "0.1", "1", "10", "100", "1k", "1e6".
  static func powerOfTenLabel(_ k: Int) -> String {
    switch k {
    case -2...2: return PlotNumber.plain(Foundation.pow(10, Double(k)), decimals: Swift.max(0, -k))
    case 3...5: return PlotNumber.plain(Foundation.pow(10, Double(k - 3)), decimals: 0) + "k"
    default: return "1e\(k)"
    }
  }

  /// Labels with one number of decimals for the whole axis, chosen from the step.
  static func labels(_ values: [Double], step: Double) -> [String] {
    let largest = values.map(abs).max() ?? 0
    if largest >= 1e7 {
      return values.map { PlotNumber.scientific($0) }
    }
    if largest >= 10_000 {
      // Thousands (12k, 12.5k) or millions (1.2M), with the decimals the step needs.
      let (unit, suffix) = largest >= 1e6 ? (1e6, "M") : (1e3, "k")
      let decimals = Swift.max(0, decimalsFor(step / unit))
      return values.map { $0 == 0 ? "0" : PlotNumber.plain($0 / unit, decimals: decimals) + suffix }
    }
    if largest < 0.01 && largest > 0 {
      return values.map { PlotNumber.scientific($0) }
    }
    let decimals = Swift.max(0, decimalsFor(step))
    return values.map { PlotNumber.plain($0, decimals: decimals) }
  }

  /// Decimals needed to write multiples of `step` exactly (0.02 → 2, 0.5 → 1, 5 → 0).
  static func decimalsFor(_ step: Double) -> Int {
    Int((-Foundation.log10(step) - 1e-9).rounded(.up))
  }

  /// Rounds away float noise (41 × 0.02 = 0.8200000000000001) to the step's precision.
  static func clean(_ v: Double, step: Double) -> Double {
    let scale = Foundation.pow(10, Double(Swift.max(0, decimalsFor(step) + 2)))
    let r = (v * scale).rounded() / scale
    return r == 0 ? 0 : r
  }
}
