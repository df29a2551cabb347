import DLSpec
import Testing

@testable import DLTrain

/// Learning-rate schedules at chosen ℓ against values worked out by hand.
@Suite struct ScheduleTests {
  static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-15 * max(1, abs(b)) }

  @Test func constant() {
    let s = LearningRateSchedule(.constant, baseRate: 0.05)
    for (step, epoch) in [(0, 0), (17, 2), (100_000, 99)] {
      #expect(s.rate(step: step, epoch: epoch) == 0.05)
    }
  }

  @Test func inversePerStep() {
    // (2.17): α_ℓ = c0 / (c1 + ℓ) with ℓ the step; the epoch is ignored.
    let s = LearningRateSchedule(.inverse(c0: 50, c1: 1000, unit: .step), baseRate: 0.1)
    #expect(Self.close(s.rate(step: 0, epoch: 3), 0.05))
    #expect(Self.close(s.rate(step: 250, epoch: 0), 0.04))
    #expect(Self.close(s.rate(step: 1500, epoch: 9), 0.02))
  }

  @Test func inversePerEpoch() {
    let s = LearningRateSchedule(.inverse(c0: 1, c1: 4, unit: .epoch), baseRate: 0.1)
    #expect(Self.close(s.rate(step: 999, epoch: 0), 0.25))
    #expect(Self.close(s.rate(step: 0, epoch: 1), 0.2))
    #expect(Self.close(s.rate(step: 5, epoch: 6), 0.1))
  }

  @Test(arguments: [
    (0, 0.01), (4, 0.01), (5, 0.001), (9, 0.001), (10, 0.0001), (14, 0.0001), (15, 0.00001),
    (100, 0.00001),
  ])
  func piecewise(ell: Int, expected: Double) {
    let config = ScheduleConfig.piecewise(
      boundaries: [5, 10, 15], values: [0.01, 0.001, 0.0001, 0.00001], unit: .epoch)
    let s = LearningRateSchedule(config, baseRate: 1)
    #expect(s.rate(step: 12_345, epoch: ell) == expected)
    let perStep = LearningRateSchedule(
      .piecewise(boundaries: [5, 10, 15], values: [0.01, 0.001, 0.0001, 0.00001], unit: .step),
      baseRate: 1)
    #expect(perStep.rate(step: ell, epoch: 7) == expected)
  }

  @Test func stepDecay() {
    // α0 · γ^⌊ℓ / size⌋ with α0 = 0.1, γ = 0.5, size 3.
    let s = LearningRateSchedule(.step(stepSize: 3, gamma: 0.5, unit: .epoch), baseRate: 0.1)
    #expect(Self.close(s.rate(step: 0, epoch: 0), 0.1))
    #expect(Self.close(s.rate(step: 0, epoch: 2), 0.1))
    #expect(Self.close(s.rate(step: 0, epoch: 3), 0.05))
    #expect(Self.close(s.rate(step: 0, epoch: 5), 0.05))
    #expect(Self.close(s.rate(step: 0, epoch: 6), 0.025))
    #expect(Self.close(s.rate(step: 0, epoch: 10), 0.0125))
    let perStep = LearningRateSchedule(.step(stepSize: 100, gamma: 0.1, unit: .step), baseRate: 1)
    #expect(Self.close(perStep.rate(step: 99, epoch: 0), 1))
    #expect(Self.close(perStep.rate(step: 250, epoch: 0), 0.01))
  }

  @Test func exponential() {
    // α0 · γ^ℓ with α0 = 0.2, γ = 0.5.
    let s = LearningRateSchedule(.exponential(gamma: 0.5, unit: .epoch), baseRate: 0.2)
    #expect(Self.close(s.rate(step: 7, epoch: 0), 0.2))
    #expect(Self.close(s.rate(step: 7, epoch: 1), 0.1))
    #expect(Self.close(s.rate(step: 7, epoch: 3), 0.025))
    let perStep = LearningRateSchedule(.exponential(gamma: 0.9, unit: .step), baseRate: 1)
    #expect(abs(perStep.rate(step: 2, epoch: 0) - 0.81) < 1e-15)
  }
}
