import Foundation
import Testing

@testable import DLTrain

@Suite struct ConfusionMatrixPlotTests {
  static func cell(_ svg: ParsedSVG, _ cls: String, _ r: Int, _ c: Int) -> SVGNode? {
    svg.elements(cls == "cell" ? "rect" : "text", class: cls).first {
      $0.attr("data-row") == String(r) && $0.attr("data-column") == String(c)
    }
  }

  @Test func everyCountInItsCellAndRowAccuracyAtTheRight() throws {
    let m = PlotFixtures.confusion
    let svg = try ParsedSVG(ConfusionMatrixPlot.svg(m, title: "logreg, test split"))
    #expect(svg.elements("rect", class: "cell").count == 100)
    for r in 0..<10 {
      for c in 0..<10 {
        #expect(Self.cell(svg, "cell-text", r, c)?.stringValue == String(m[r][c]))
      }
    }
    // Each Fashion-MNIST test class has 1000 samples, so accuracy is the diagonal / 1000
    // (evaluate's per_class_accuracy: 0.801, 0.955, …).
    let expected = [
      "0.801", "0.955", "0.758", "0.876", "0.763", "0.930", "0.569", "0.952",
      "0.934", "0.912",
    ]
    #expect(svg.texts(class: "row-summary") == expected)
    #expect(svg.texts(class: "axis-label") == ["true class", "predicted class"])
    #expect(svg.texts(class: "row-label") == (0..<10).map(String.init))
  }

  @Test func colourFollowsTheRowRateAndDarkCellsHaveWhiteText() throws {
    let svg = try ParsedSVG(ConfusionMatrixPlot.svg(PlotFixtures.confusion, title: "t"))
    let diagonal = try #require(Self.cell(svg, "cell", 1, 1)?.attr("fill"))
    #expect(diagonal == HeatMap.color(0.955).fill)
    #expect(Self.cell(svg, "cell", 1, 7)?.attr("fill") == HeatMap.color(0).fill)
    #expect(Self.cell(svg, "cell", 0, 6)?.attr("fill") == HeatMap.color(0.114).fill)
    #expect(Self.cell(svg, "cell-text", 1, 1)?.attr("fill") == "#ffffff")
    #expect(Self.cell(svg, "cell-text", 1, 7)?.attr("fill") == nil, "default dark text")
  }

  @Test func rowsAreNormalisedByTheirOwnTotal() throws {
    let svg = try ParsedSVG(ConfusionMatrixPlot.svg([[3, 1], [0, 0]], title: "t"))
    #expect(Self.cell(svg, "cell", 0, 0)?.attr("fill") == HeatMap.color(0.75).fill)
    #expect(svg.texts(class: "row-summary") == ["0.750", "–"], "a class without samples")
  }

  @Test func classNamesAreTurnedWhenTheyDoNotFit() throws {
    let svg = try ParsedSVG(
      ConfusionMatrixPlot.svg(
        PlotFixtures.confusion, title: "t", classNames: PlotFixtures.fashionNames))
    #expect(svg.texts(class: "row-label") == PlotFixtures.fashionNames)
    let columns = svg.elements("text", class: "column-label")
    #expect(columns.map { $0.stringValue ?? "" } == PlotFixtures.fashionNames)
    #expect(columns.allSatisfy { $0.attr("transform")?.hasPrefix("rotate(-45") == true })
    // Turned labels stay inside the picture.
    let height = try #require(Double(svg.root.attr("height") ?? ""))
    let labels = try #require(svg.elements("text", class: "axis-label").last)
    #expect((Double(labels.attr("y") ?? "") ?? .infinity) < height)
  }

  @Test func anEmptyMatrixDoesNotCrash() throws {
    let svg = try ParsedSVG(ConfusionMatrixPlot.svg([], title: "nothing"))
    #expect(svg.elements("rect", class: "cell").isEmpty)
  }
}

@Suite struct ConfusionMatrixCountTests {
  @Test func largeCountsAreCompactSoTheyFitTheirCell() throws {
    let svg = try ParsedSVG(ConfusionMatrixPlot.svg([[9_999, 12_345], [1, 250_000]], title: "t"))
    #expect(svg.texts(class: "cell-text") == ["9999", "12.3k", "1", "250k"])
  }
}
