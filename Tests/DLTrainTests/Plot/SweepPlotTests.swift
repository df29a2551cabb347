import Foundation
import Testing

@testable import DLTrain

@Suite struct SweepPlotTests {
  static func svg(
    logX: Bool = true, series: [(label: String, ys: [Double?])] = PlotFixtures.sweepAccuracy
  )
    -> String
  {
    SweepPlot.svg(
      title: "logreg: test accuracy against learning rate", xKey: "optimizer.sgd.lr",
      xValues: PlotFixtures.sweepLR, seriesKey: "train.batch_size", series: series,
      metric: "test_accuracy", logX: logX)
  }

  @Test func logXTicksAtPowersOfTenAndOneLinePerBatchSize() throws {
    let svg = try ParsedSVG(Self.svg())
    let panel = try #require(svg.elements("g", class: "panel").first)
    let area = try #require(svg.plotArea(panel))
    let x = svg.ticks("x", in: panel)
    #expect(x.map(\.label) == ["1e-3", "1e-2", "0.1", "1"])
    #expect(
      svg.elements("g", class: "axis").first { $0.attr("data-axis") == "x" }?
        .attr("data-scale") == "log")
    #expect(svg.texts(class: "legend-title") == ["train.batch_size"])
    #expect(svg.texts(class: "legend-label") == ["10", "100", "1000"])
    let y = svg.ticks("y", in: panel).map(\.value)
    let all = PlotFixtures.sweepAccuracy.flatMap { $0.ys.compactMap { $0 } }
    #expect(try #require(y.first) <= (try #require(all.min())))
    #expect(try #require(y.last) >= (try #require(all.max())))
    for s in PlotFixtures.sweepAccuracy {
      let markers = svg.markers(in: try #require(svg.series(s.label)))
      #expect(markers.count == 4)
      // Equal steps in log10: the learning rates are a decade apart, so evenly spaced.
      for (i, m) in markers.enumerated() {
        let pad = LinePlot.padding
        #expect(abs(m.0 - (area.x + pad + (area.w - 2 * pad) * Double(i) / 3)) < 0.01)
      }
    }
  }

  @Test func aFailedPointIsAGap() throws {
    let svg = try ParsedSVG(Self.svg(series: [("10", [0.78, nil, 0.80, 0.72])]))
    let group = try #require(svg.series("10"))
    #expect(svg.markers(in: group).count == 3)
    #expect(svg.polylinePoints(in: group).map(\.count) == [2])
  }

  @Test func pointsAreDrawnInIncreasingX() throws {
    let text = SweepPlot.svg(
      title: "t", xKey: "lr", xValues: [0.1, 0.001, 1, 0.01], seriesKey: nil,
      series: [("", [0.83, 0.67, 0.73, 0.78])], metric: "test_accuracy", logX: true)
    let svg = try ParsedSVG(text)
    let group = try #require(svg.series(""))
    let line = try #require(svg.polylinePoints(in: group).first)
    #expect(line.map(\.0) == line.map(\.0).sorted())
    let ys = line.map(\.1)
    // 0.67 (lr 1e-3) lowest, so largest pixel y, first; 0.83 (lr 0.1) highest, third.
    #expect(ys.firstIndex(of: ys.max() ?? 0) == 0 && ys.firstIndex(of: ys.min() ?? 0) == 2)
  }

  @Test func linearWhenAsked() throws {
    let svg = try ParsedSVG(Self.svg(logX: false))
    let panel = try #require(svg.elements("g", class: "panel").first)
    #expect(svg.ticks("x", in: panel).map(\.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
  }

  @Test func aNonPositiveValueFallsBackToLinear() throws {
    let text = SweepPlot.svg(
      title: "t", xKey: "dropout", xValues: [0, 0.25, 0.5], seriesKey: nil,
      series: [("", [0.8, 0.82, 0.79])], metric: "val_accuracy", logX: true)
    let svg = try ParsedSVG(text)
    #expect(
      svg.elements("g", class: "axis").first { $0.attr("data-axis") == "x" }?
        .attr("data-scale") == "linear")
    #expect(svg.markers(in: try #require(svg.series(""))).count == 3)
    #expect(svg.elements("g", class: "legend").isEmpty, "one unnamed line needs no legend")
  }
}
