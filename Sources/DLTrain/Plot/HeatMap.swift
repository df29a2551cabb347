import Foundation

/// A matrix drawn as coloured cells with text in each, row labels at the left, column labels
/// below (turned 45° when they do not fit a cell), an optional summary column at the right and
/// a colour bar. Colours come from a sequential single-hue blue scale (ColorBrewer "Blues"),
/// readable with every colour-vision deficiency and in greyscale; text on dark cells is white.
///
/// The SVG marks `rect.cell` and `text.cell-text` with `data-row`/`data-column`, and
/// `text.row-summary` with `data-row`.
public struct HeatMap: Equatable, Sendable {
  public var title: String
  /// Colour value per cell, 0 (white) … 1 (darkest); clamped.
  public var values: [[Double]]
  /// Text per cell (empty: none).
  public var cellText: [[String]]
  public var rowLabels: [String]
  public var columnLabels: [String]
  public var rowAxisLabel: String
  public var columnAxisLabel: String
  /// A column of text right of the matrix, one per row, under `summaryTitle`.
  public var summaryTitle: String?
  public var summary: [String]
  /// Caption of the colour bar (nil: no colour bar).
  public var scaleLabel: String?

  public init(
    title: String, values: [[Double]], cellText: [[String]], rowLabels: [String],
    columnLabels: [String], rowAxisLabel: String, columnAxisLabel: String,
    summaryTitle: String? = nil, summary: [String] = [], scaleLabel: String? = nil
  ) {
    self.title = title
    self.values = values
    self.cellText = cellText
    self.rowLabels = rowLabels
    self.columnLabels = columnLabels
    self.rowAxisLabel = rowAxisLabel
    self.columnAxisLabel = columnAxisLabel
    self.summaryTitle = summaryTitle
    self.summary = summary
    self.scaleLabel = scaleLabel
  }

  static let stops: [(Double, Double, Double)] = [
    (247, 251, 255), (222, 235, 247), (198, 219, 239), (158, 202, 225), (107, 174, 214),
    (66, 146, 198), (33, 113, 181), (8, 81, 156), (8, 48, 107),
  ]

  /// The fill of value `v` (0…1) and whether text on it must be white.
  public static func color(_ v: Double) -> (fill: String, darkBackground: Bool) {
    let t = min(1, max(0, v.isFinite ? v : 0)) * Double(stops.count - 1)
    let i = min(stops.count - 2, Int(t))
    let f = t - Double(i)
    let (a, b) = (stops[i], stops[i + 1])
    let r = a.0 + (b.0 - a.0) * f
    let g = a.1 + (b.1 - a.1) * f
    let bl = a.2 + (b.2 - a.2) * f
    // Relative luminance (sRGB approximated by a 2.2 gamma): below ~0.3, black text loses.
    let lum = 0.2126 * pow(r / 255, 2.2) + 0.7152 * pow(g / 255, 2.2) + 0.0722 * pow(bl / 255, 2.2)
    let hex = String(format: "#%02x%02x%02x", Int(r.rounded()), Int(g.rounded()), Int(bl.rounded()))
    return (hex, lum < 0.3)
  }

  public func svg() -> String {
    let rows = values.count
    let columns = values.map(\.count).max() ?? 0
    let n = max(rows, columns)
    let cell = n <= 12 ? 42.0 : max(14, 504 / Double(n))
    let textSize = 11.0
    let showText = cell >= 24
    let rowLabelWidth = rowLabels.map { TextWidth.of($0, size: textSize) }.max() ?? 0
    let columnLabelWidth = columnLabels.map { TextWidth.of($0, size: textSize) }.max() ?? 0
    let turnColumns = columnLabelWidth > cell - 4
    let columnLabelHeight = turnColumns ? columnLabelWidth * 0.72 + 14 : 18
    let top = title.isEmpty ? 20.0 : 52
    let gridX = 30 + rowLabelWidth + 10
    let gridW = cell * Double(columns)
    let gridH = cell * Double(rows)
    let summaryWidth =
      summary.isEmpty && summaryTitle == nil
      ? 0
      : max(
        TextWidth.of(summaryTitle ?? "", size: textSize),
        summary.map { TextWidth.of($0, size: textSize) }.max() ?? 0) + 16
    let barX = gridX + gridW + summaryWidth + 16
    let barWidth = scaleLabel == nil ? 0.0 : 14 + 8 + TextWidth.of("1.0", size: textSize) + 24
    var width = barX + barWidth + 8
    width = max(width, TextWidth.of(title, size: LinePlot.titleSize) + 32)
    // Turned labels hang left of their cell; keep the first one inside the picture.
    // The colour bar is at least as tall as its caption, which is turned along it.
    let barHeight = scaleLabel.map { max(gridH, TextWidth.of($0, size: textSize) + 12) } ?? 0
    let height = max(top + gridH + columnLabelHeight + 34, top + barHeight + 12)
    var svg = SVGDocument(width: width, height: height)
    if !title.isEmpty {
      svg.text(
        title, x: width / 2, y: 28, anchor: .middle, size: LinePlot.titleSize, bold: true,
        extra: [("class", "title")])
    }
    svg.open([("class", "heatmap"), ("data-rows", String(rows)), ("data-columns", String(columns))])
    for r in 0..<rows {
      for c in 0..<values[r].count {
        let (fill, dark) = Self.color(values[r][c])
        let x = gridX + Double(c) * cell
        let y = top + Double(r) * cell
        let position = [("data-row", String(r)), ("data-column", String(c))]
        svg.rect(
          x: x, y: y, width: cell, height: cell, fill: fill, stroke: "#ffffff",
          extra: [("class", "cell")] + position)
        let text = r < cellText.count && c < cellText[r].count ? cellText[r][c] : ""
        if showText && !text.isEmpty && TextWidth.of(text, size: textSize) <= cell - 2 {
          svg.text(
            text, x: x + cell / 2, y: y + cell / 2 + 4, anchor: .middle, size: textSize,
            fill: dark ? "#ffffff" : "#222222", extra: [("class", "cell-text")] + position)
        }
      }
    }
    svg.rect(
      x: gridX, y: top, width: gridW, height: gridH, fill: "none", stroke: PlotPalette.axis,
      extra: [("class", "plot-area")])
    for (r, label) in rowLabels.prefix(rows).enumerated() {
      svg.text(
        label, x: gridX - 6, y: top + (Double(r) + 0.5) * cell + 4, anchor: .end,
        size: textSize, extra: [("class", "row-label")])
    }
    for (c, label) in columnLabels.prefix(columns).enumerated() {
      let x = gridX + (Double(c) + 0.5) * cell
      if turnColumns {
        svg.text(
          label, x: x + 4, y: top + gridH + 12, anchor: .end, size: textSize, rotate: -45,
          extra: [("class", "column-label")])
      } else {
        svg.text(
          label, x: x, y: top + gridH + 15, anchor: .middle, size: textSize,
          extra: [("class", "column-label")])
      }
    }
    svg.text(
      rowAxisLabel, x: 16, y: top + gridH / 2, anchor: .middle, size: LinePlot.labelSize,
      bold: true, rotate: -90, extra: [("class", "axis-label")])
    svg.text(
      columnAxisLabel, x: gridX + gridW / 2, y: top + gridH + columnLabelHeight + 18,
      anchor: .middle, size: LinePlot.labelSize, bold: true, extra: [("class", "axis-label")])
    if let t = summaryTitle {
      svg.text(
        t, x: gridX + gridW + 8, y: top - 8, size: textSize, bold: true,
        extra: [("class", "summary-title")])
    }
    for (r, s) in summary.prefix(rows).enumerated() {
      svg.text(
        s, x: gridX + gridW + 8, y: top + (Double(r) + 0.5) * cell + 4, size: textSize,
        extra: [("class", "row-summary"), ("data-row", String(r))])
    }
    svg.close()
    if let caption = scaleLabel, rows > 0 {
      colorBar(caption, x: barX, y: top, height: barHeight, on: &svg)
    }
    return svg.render()
  }

  /// A vertical bar of 20 steps, 1 at the top, with ticks at 0, 0.5 and 1.
  private func colorBar(
    _ caption: String, x: Double, y: Double, height: Double, on svg: inout SVGDocument
  ) {
    svg.open([("class", "color-bar")])
    let steps = 20
    let h = height / Double(steps)
    for i in 0..<steps {
      let v = 1 - (Double(i) + 0.5) / Double(steps)
      svg.rect(x: x, y: y + Double(i) * h, width: 14, height: h + 0.3, fill: Self.color(v).fill)
    }
    svg.rect(x: x, y: y, width: 14, height: height, fill: "none", stroke: PlotPalette.axis)
    for (v, label) in [(1.0, "1"), (0.5, "0.5"), (0.0, "0")] {
      let ty = y + (1 - v) * height
      svg.line(x1: x + 14, y1: ty, x2: x + 18, y2: ty, stroke: PlotPalette.axis)
      svg.text(label, x: x + 21, y: ty + 4, size: 11, extra: [("class", "tick-label")])
    }
    svg.text(
      caption, x: x + 21 + TextWidth.of("0.5", size: 11) + 10, y: y + height / 2,
      anchor: .middle, size: 11, fill: PlotPalette.mutedText, rotate: -90)
    svg.close()
  }
}
