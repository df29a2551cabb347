import DLSpec
import Foundation
import Testing

@testable import DLTrain

/// The gradient report's plot: a log y axis at powers of ten, one point per layer, the bias
/// series without the layers that have none, and (4.21)'s bound dashed.
@Suite struct GradientPlotTests {
  static let report = GradientReport(
    layers: [
      .init(
        name: "dense_1", position: 1, tensors: [.init(name: "weight", norm: 2e-5)],
        ratioToLast: 2e-5, bound: 0.25),
      .init(
        name: "dense_2", position: 2,
        tensors: [.init(name: "weight", norm: 3e-3), .init(name: "bias", norm: 4e-4)],
        ratioToLast: 3e-3, bound: 0.5),
      .init(
        name: "dense_3", position: 3,
        tensors: [.init(name: "weight", norm: 1), .init(name: "bias", norm: 0.2)],
        ratioToLast: 1, bound: 1),
    ], activations: [], batches: 1, samples: 10, loss: 2.3)

  @Test func logYAxisAtPowersOfTen() throws {
    let svg = try ParsedSVG(Self.report.plot(title: "g").svg())
    let panel = try #require(svg.elements("g", class: "panel").first)
    let y = svg.ticks("y", in: panel)
    #expect(y.map(\.value) == [1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1])
    #expect(
      svg.elements("g", class: "axis").first { $0.attr("data-axis") == "y" }?
        .attr("data-scale") == "log")
    let weights = svg.markers(in: try #require(svg.series("‖∂ρ/∂W‖")))
    #expect(weights.count == 3)
    // log10 spacing: 2e-5 → 3e-3 → 1 rise by log10(150) and log10(333.3) of the 5 decades.
    let area = try #require(svg.plotArea(panel))
    let pad = LinePlot.padding
    let span = area.h - 2 * pad
    let expected = [2e-5, 3e-3, 1].map { area.y + pad + span * (1 - (log10($0) + 5) / 5) }
    for (m, e) in zip(weights, expected) { #expect(abs(m.1 - e) < 0.01, "\(m.1) vs \(e)") }
    #expect(svg.markers(in: try #require(svg.series("‖∂ρ/∂b‖"))).count == 2)
    let bound = try #require(svg.series("(4.21) 2^-(L+1-ℓ) × last"))
    #expect(svg.polylinePoints(in: bound).map(\.count) == [3])
  }
}
