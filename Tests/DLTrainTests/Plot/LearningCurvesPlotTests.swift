import Foundation
import Testing

@testable import DLTrain

@Suite struct LearningCurvesPlotTests {
  /// The pixel of data value `v` on an axis from `lo` (at pixel `a`) to `hi` (at pixel `b`).
  static func pixel(_ v: Double, _ lo: Double, _ hi: Double, _ a: Double, _ b: Double) -> Double {
    a + (b - a) * (v - lo) / (hi - lo)
  }

  @Test func twoPanelsWithEveryEpochOfBothSeries() throws {
    let t = try PlotFixtures.table("logreg")
    let svg = try ParsedSVG(LearningCurvesPlot.svg(t, title: "logreg"))
    let panels = svg.elements("g", class: "panel")
    #expect(panels.map { $0.attr("data-title") } == ["loss", "accuracy"])
    #expect(svg.texts(class: "title") == ["logreg"])
    let columns = [
      ("loss", "train_loss", "val_loss"), ("accuracy", "train_accuracy", "val_accuracy"),
    ]
    for (panel, (_, train, validation)) in zip(panels, columns) {
      let area = try #require(svg.plotArea(panel))
      let pad = LinePlot.padding
      let yTicks = svg.ticks("y", in: panel)
      let xTicks = svg.ticks("x", in: panel)
      for (label, column) in [("train", train), ("validation", validation)] {
        let values = try #require(t.column(column)).compactMap { $0 }
        let (vmin, vmax) = (try #require(values.min()), try #require(values.max()))
        let group = try #require(svg.series(label, in: panel))
        let markers = svg.markers(in: group)
        let lines = svg.polylinePoints(in: group)
        #expect(markers.count == 12, "\(column): one marker per epoch")
        #expect(lines.count == 1 && lines.first?.count == 12, "\(column): one unbroken line")
        // The axes cover the data: first tick ≤ min, last tick ≥ max, within one step.
        let (lo, hi) = (try #require(yTicks.first?.value), try #require(yTicks.last?.value))
        let step = yTicks[1].value - yTicks[0].value
        #expect(lo <= vmin && hi >= vmax)
        let both = [train, validation].flatMap { t.column($0)?.compactMap { $0 } ?? [] }
        let (bmin, bmax) = (try #require(both.min()), try #require(both.max()))
        #expect(bmin - lo < step && hi - bmax < step, "no wasted step")
        let (x0, x1) = (try #require(xTicks.first?.value), try #require(xTicks.last?.value))
        #expect(x0 <= 1 && x1 >= 12)
        // Each marker sits where its value maps on the axes (epoch e is row e).
        for (i, m) in markers.enumerated() {
          let x = Self.pixel(Double(i + 1), x0, x1, area.x + pad, area.x + area.w - pad)
          let y = Self.pixel(values[i], lo, hi, area.y + area.h - pad, area.y + pad)
          #expect(abs(m.0 - x) < 0.01 && abs(m.1 - y) < 0.01, "\(column) epoch \(i + 1)")
        }
      }
    }
    #expect(svg.texts(class: "legend-label") == ["train", "validation"])
  }

  @Test func theLegendIsOutsideEveryPlotArea() throws {
    let svg = try ParsedSVG(LearningCurvesPlot.svg(try PlotFixtures.table("logreg"), title: "t"))
    let right =
      svg.elements("g", class: "panel").compactMap { svg.plotArea($0) }
      .map { $0.x + $0.w }.max() ?? .infinity
    let legend = try #require(svg.elements("g", class: "legend").first)
    let xs = ParsedSVG.descendants(legend).compactMap {
      Double($0.attr("x") ?? $0.attr("x1") ?? "")
    }
    #expect(!xs.isEmpty && xs.allSatisfy { $0 > right })
    let width = try #require(Double(svg.root.attr("width") ?? ""))
    let longest = svg.texts(class: "legend-label").map { TextWidth.of($0, size: 12) }.max() ?? 0
    #expect((xs.max() ?? 0) + longest <= width, "legend text inside the picture")
  }

  @Test func readableText() throws {
    let svg = try ParsedSVG(LearningCurvesPlot.svg(try PlotFixtures.table("logreg"), title: "t"))
    #expect(svg.root.attr("font-family")?.hasSuffix("sans-serif") == true)
    let sizes = svg.elements("text").map { Double($0.attr("font-size") ?? "12") ?? 0 }
    #expect(!sizes.isEmpty && sizes.allSatisfy { $0 >= 11 })
  }

  @Test func validationSeriesLeftOutWhenAbsent() throws {
    let svg = try ParsedSVG(
      LearningCurvesPlot.svg(try PlotFixtures.table("no-validation"), title: "t"))
    #expect(svg.elements("g", class: "series").map { $0.attr("data-label") } == ["train", "train"])
    #expect(svg.texts(class: "legend-label") == ["train"])
    for panel in svg.elements("g", class: "panel") {
      #expect(svg.markers(in: try #require(svg.series("train", in: panel))).count == 4)
    }
  }

  @Test func aMissingValueIsAGapAndManyPointsHaveNoMarkers() throws {
    var rows: [[Double?]] = []
    for e in 1...40 {
      let x = Double(e)
      rows.append([x, 1 / x, 0.5 + x / 100])
    }
    rows[19][1] = nil
    let t = MetricsTable(columns: ["epoch", "train_loss", "train_accuracy"], rows: rows)
    let svg = try ParsedSVG(LearningCurvesPlot.svg(t, title: "long run"))
    let loss = try #require(svg.series("train", in: svg.elements("g", class: "panel")[0]))
    #expect(svg.polylinePoints(in: loss).map(\.count) == [19, 20])
    #expect(svg.markers(in: loss).isEmpty, "40 points: lines only")
    #expect(loss.attr("data-points") == "39")
    let acc = try #require(svg.series("train", in: svg.elements("g", class: "panel")[1]))
    #expect(svg.polylinePoints(in: acc).map(\.count) == [40])
  }

  @Test func theSVGsTickLabelsAreTheNiceValues() throws {
    let t = MetricsTable(
      columns: ["epoch", "train_accuracy"], rows: [[1, 0.83], [2, 0.87], [3, 0.91]])
    let svg = try ParsedSVG(LearningCurvesPlot.svg(t, title: "t"))
    let panel = try #require(svg.elements("g", class: "panel").first)
    #expect(panel.attr("data-title") == "accuracy", "no loss column: one panel")
    #expect(
      svg.ticks("y", in: panel).map(\.label) == ["0.82", "0.84", "0.86", "0.88", "0.90", "0.92"])
    #expect(svg.ticks("x", in: panel).map(\.label) == ["1", "2", "3"])
  }

  @Test func epochsWithANaNLossKeepTheirPlaceOnTheAxis() throws {
    let t = try MetricsTable.parse(
      "epoch,train_loss,train_accuracy\n1,2.3,0.1\n2,15.5,0.1\n3,nan,0.1\n4,nan,0.1\n")
    let svg = try ParsedSVG(LearningCurvesPlot.svg(t, title: "diverged"))
    let panels = svg.elements("g", class: "panel")
    let loss = try #require(svg.series("train", in: panels[0]))
    #expect(svg.markers(in: loss).count == 2)
    for panel in panels {
      #expect(
        svg.ticks("x", in: panel).map(\.value) == [1, 2, 3, 4], "both panels span epochs 1…4")
    }
  }

  @Test func anEmptyTableDrawsEmptyAxesWithoutCrashing() throws {
    let t = MetricsTable(columns: ["epoch", "train_loss"], rows: [])
    let svg = try ParsedSVG(LearningCurvesPlot.svg(t, title: "t"))
    #expect(svg.elements("g", class: "panel").count == 2)
    #expect(svg.texts(class: "no-data").count == 2)
  }

  @Test func textIsEscaped() throws {
    let t = try PlotFixtures.table("logreg")
    let title = "a < b & \"c\" 'd'"
    let text = LearningCurvesPlot.svg(t, title: title)
    #expect(text.contains("a &lt; b &amp; &quot;c&quot; &apos;d&apos;"))
    #expect(try ParsedSVG(text).texts(class: "title") == [title])
  }

  @Test func theOutputIsDeterministic() throws {
    let t = try PlotFixtures.table("logreg")
    #expect(LearningCurvesPlot.svg(t, title: "x") == LearningCurvesPlot.svg(t, title: "x"))
  }
}
