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
    config.rate(step: step, epoch: epoch, baseRate: baseRate)
  }
}
