import Foundation
import Testing

@testable import DLTrain

@Suite struct NiceTicksTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var min: Double
    var max: Double
    var integer = false
    var labels: [String]
    var testDescription: String { "\(min)…\(max)" }
  }

  /// Hand-chosen ranges and the ticks a person would draw.
  static let linear: [Case] = [
    Case(min: 0.83, max: 0.91, labels: ["0.82", "0.84", "0.86", "0.88", "0.90", "0.92"]),
    Case(min: 0, max: 1, labels: ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
    Case(min: 0.4, max: 1.33, labels: ["0.4", "0.6", "0.8", "1.0", "1.2", "1.4"]),
    Case(
      min: 0.7212, max: 0.8305, labels: ["0.72", "0.74", "0.76", "0.78", "0.80", "0.82", "0.84"]),
    Case(min: 1, max: 12, integer: true, labels: ["0", "2", "4", "6", "8", "10", "12"]),
    Case(min: 1, max: 3, integer: true, labels: ["1", "2", "3"]),
    Case(min: 5, max: 5, integer: true, labels: ["4", "5", "6"]),
    Case(min: 12_000, max: 48_000, labels: ["10k", "20k", "30k", "40k", "50k"]),
    Case(min: 0.0002, max: 0.0011, labels: ["2e-4", "4e-4", "6e-4", "8e-4", "1e-3", "1.2e-3"]),
    Case(min: 1.5e6, max: 3.4e6, labels: ["1.5M", "2.0M", "2.5M", "3.0M", "3.5M"]),
    Case(min: 0, max: 3e9, labels: ["0", "5e8", "1e9", "1.5e9", "2e9", "2.5e9", "3e9"]),
    Case(min: -0.3, max: 0.2, labels: ["-0.3", "-0.2", "-0.1", "0.0", "0.1", "0.2"]),
  ]

  @Test(arguments: linear)
  func linearTicks(_ c: Case) {
    let t = NiceTicks.linear(min: c.min, max: c.max, intervals: 5, integer: c.integer)
    #expect(t.labels == c.labels)
    #expect(t.lower <= c.min && t.upper >= c.max, "the axis covers the data")
    #expect(t.values.count == t.labels.count)
    // Equal steps of 1, 2 or 5 × 10^k.
    let steps = zip(t.values.dropFirst(), t.values).map { $0 - $1 }
    let step = steps.first ?? 0
    #expect(steps.allSatisfy { abs($0 - step) < step * 1e-9 })
    let mantissa = step / pow(10, log10(step).rounded(.down))
    #expect([1.0, 2, 5].contains { abs(mantissa - $0) < 1e-9 }, "step \(step)")
  }

  @Test func ticksAreExactMultiplesNotFloatNoise() {
    let t = NiceTicks.linear(min: 0.83, max: 0.91)
    #expect(t.values == [0.82, 0.84, 0.86, 0.88, 0.9, 0.92])
  }

  @Test func logTicksArePowersOfTen() {
    let t = NiceTicks.log(min: 1e-3, max: 1)
    #expect(t.values == [1e-3, 1e-2, 0.1, 1])
    #expect(t.labels == ["1e-3", "1e-2", "0.1", "1"])
    #expect(t.isLog)
    #expect(t.minor.count == 3 * 8, "2…9 × 10^k in each of three decades")
  }

  @Test func logTicksCoverValuesBetweenPowers() {
    let t = NiceTicks.log(min: 0.003, max: 0.3)
    #expect(t.values == [1e-3, 1e-2, 0.1, 1])
    let one = NiceTicks.log(min: 0.05, max: 0.05)
    #expect(one.values == [0.01, 0.1])
    #expect(one.labels == ["0.01", "0.1"])
    let wide = NiceTicks.log(min: 1e-8, max: 1e4)
    #expect(wide.values.count <= 9, "every other decade when there are many")
    #expect(wide.lower <= 1e-8 && wide.upper >= 1e4)
  }

  @Test func numberFormatting() {
    #expect(PlotNumber.compact(0.85) == "0.85")
    #expect(PlotNumber.compact(0.001) == "1e-3")
    #expect(PlotNumber.compact(0.00025) == "2.5e-4")
    #expect(PlotNumber.compact(12_000) == "12k")
    #expect(PlotNumber.compact(12_500) == "12.5k")
    #expect(PlotNumber.compact(2_500_000) == "2.5M")
    #expect(PlotNumber.compact(128) == "128")
    #expect(PlotNumber.compact(0.8475) == "0.848")
    #expect(PlotNumber.plain(-0.0001, decimals: 2) == "0.00")
  }
}
