import Foundation
import DLSpec

/// The learning rate α_ℓ of the spec's schedule, where ℓ counts optimizer steps or epochs from 0
/// as the schedule's `unit` says.
public struct LearningRateSchedule: Sendable {
  public let config: ScheduleConfig
  public let baseRate: Double

  public init(_ config: ScheduleConfig, baseRate: Double) {
    self.config = config
    self.baseRate = baseRate
  }

  /// α for the optimizer step `step` (0-based, counted over the whole run) in `epoch` (0-based).
  public func rate(step: Int, epoch: Int) -> Double {
    func ell(_ unit: ScheduleUnit) -> Double { Double(unit == .step ? step : epoch) }
    switch config {
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
