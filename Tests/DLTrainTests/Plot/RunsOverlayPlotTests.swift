import Foundation
import Testing

@testable import DLTrain

@Suite struct RunsOverlayPlotTests {
  static func runs() throws -> [(label: String, table: MetricsTable)] {
    try ["logreg", "logreg-batch1000", "mlp"].map { ($0, try PlotFixtures.table($0)) }
  }

  @Test func oneSeriesPerRunWithItsEpochs() throws {
    let runs = try Self.runs()
    let svg = try ParsedSVG(RunsOverlayPlot.svg(runs, metric: "val_accuracy"))
    #expect(svg.texts(class: "legend-label") == ["logreg", "logreg-batch1000", "mlp"])
    #expect(svg.texts(class: "title") == ["validation accuracy, 3 runs"])
    #expect(svg.texts(class: "axis-label") == ["validation accuracy", "epoch"])
    for (run, epochs) in zip(runs, [12, 12, 8]) {
      let group = try #require(svg.series(run.label))
      #expect(svg.markers(in: group).count == epochs)
      #expect(svg.polylinePoints(in: group).first?.count == epochs)
    }
    // Distinct colours, all dashed (a validation metric).
    let lines = svg.elements("polyline")
    #expect(Set(lines.compactMap { $0.attr("stroke") }).count == 3)
    #expect(lines.allSatisfy { $0.attr("stroke-dasharray") != nil })
    let panel = try #require(svg.elements("g", class: "panel").first)
    let all = runs.flatMap { $0.table.column("val_accuracy")?.compactMap { $0 } ?? [] }
    let y = svg.ticks("y", in: panel).map(\.value)
    #expect(try #require(y.first) <= (try #require(all.min())))
    #expect(try #require(y.last) >= (try #require(all.max())))
    #expect(try #require(svg.ticks("x", in: panel).last?.value) >= 12)
  }

  @Test func aTrainMetricIsSolid() throws {
    let svg = try ParsedSVG(RunsOverlayPlot.svg(try Self.runs(), metric: "train_loss"))
    #expect(svg.elements("polyline").allSatisfy { $0.attr("stroke-dasharray") == nil })
  }

  @Test func aRunWithoutTheMetricIsListedButDrawsNothing() throws {
    let runs = [
      ("a", try PlotFixtures.table("logreg")), ("b", try PlotFixtures.table("no-validation")),
    ]
    let svg = try ParsedSVG(RunsOverlayPlot.svg(runs, metric: "val_loss"))
    #expect(svg.markers(in: try #require(svg.series("a"))).count == 12)
    #expect(svg.markers(in: try #require(svg.series("b"))).isEmpty)
  }
}
