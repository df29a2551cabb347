import DLSpec
import Foundation

/// One point of a series; `y == nil` (or not finite) leaves a gap in the line.
public struct PlotPoint: Equatable, Sendable {
  public var x: Double
  public var y: Double?

  public init(x: Double, y: Double?) {
    self.x = x
    self.y = y
  }
}

/// A named line: its points in drawing order, colour and dash pattern (nil: solid).
public struct PlotSeries: Equatable, Sendable {
  public var label: String
  public var points: [PlotPoint]
  public var color: String
  public var dash: String?

  public init(label: String, points: [PlotPoint], color: String, dash: String? = nil) {
    self.label = label
    self.points = points
    self.color = color
    self.dash = dash
  }

  /// The points that are drawn: finite y, x > 0 on a log x axis and y > 0 on a log y axis.
  func drawn(logX: Bool, logY: Bool = false) -> [(x: Double, y: Double)] {
    points.compactMap { p in
      guard let y = p.y, Self.isDrawn(x: p.x, y: y, logX: logX, logY: logY) else { return nil }
      return (p.x, y)
    }
  }

  static func isDrawn(x: Double, y: Double, logX: Bool, logY: Bool) -> Bool {
    y.isFinite && x.isFinite && (!logX || x > 0) && (!logY || y > 0)
  }
}

/// One set of axes with its series.
public struct PlotPanel: Equatable, Sendable {
  public var title: String?
  public var xLabel: String
  public var yLabel: String
  public var series: [PlotSeries]
  /// Log-scale x axis (powers-of-ten ticks); points with x ≤ 0 are left out.
  public var logX: Bool
  /// x values are whole numbers (epochs): no tick between two integers.
  public var integerX: Bool
  /// Log-scale y axis (gradient norms spanning decades); points with y ≤ 0 are left out.
  public var logY: Bool

  public init(
    title: String? = nil, xLabel: String, yLabel: String, series: [PlotSeries],
    logX: Bool = false, logY: Bool = false, integerX: Bool = false
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
    self.logX = logX
    self.integerX = integerX
    self.logY = logY
  }

  /// The tick sets of both axes, chosen from the drawn data.
  func ticks(plotWidth: Double) -> (x: NiceTicks, y: NiceTicks) {
    let drawn = series.flatMap { $0.drawn(logX: logX, logY: logY) }
    // The x axis spans every point, drawn or not: epochs whose loss became NaN, or sweep
    // points that failed, still have their place (and two panels of one run agree).
    let xs = series.flatMap { $0.points.map(\.x) }.filter { $0.isFinite && (!logX || $0 > 0) }
    let ys = drawn.map(\.y)
    let y =
      logY
      ? NiceTicks.log(min: ys.min() ?? 1e-3, max: ys.max() ?? 1)
      : NiceTicks.linear(min: ys.min() ?? 0, max: ys.max() ?? 1, intervals: 5)
    if logX {
      return (NiceTicks.log(min: xs.min() ?? 1e-3, max: xs.max() ?? 1), y)
    }
    // Fewer intervals until the widest label fits between two ticks.
    var intervals = 6
    while true {
      let x = NiceTicks.linear(
        min: xs.min() ?? 0, max: xs.max() ?? 1, intervals: intervals, integer: integerX)
      let widest = x.labels.map { TextWidth.of($0, size: LinePlot.tickSize) }.max() ?? 0
      let spacing = (plotWidth - 2 * LinePlot.padding) / Double(max(1, x.values.count - 1))
      if widest + 8 <= spacing || intervals <= 1 { return (x, y) }
      intervals -= 1
    }
  }
}

/// A figure of one or more panels side by side, sharing one legend placed to the right of the
/// panels (never over the data). Points get markers when a series has at most `markerLimit`.
///
/// The SVG marks what tests need to find: `g.panel`, `rect.plot-area`, `g.axis[data-axis]`
/// with `text.tick-label[data-value]`, `g.series[data-label]` holding polylines and
/// `circle.marker`s, and `g.legend` with `text.legend-label`.
public struct LinePlot: Equatable, Sendable {
  public var title: String
  public var panels: [PlotPanel]
  public var legendTitle: String?
  public var markerLimit: Int

  static let plotWidth = 360.0
  static let plotHeight = 240.0
  /// Pixels between the frame and the first and last tick.
  static let padding = 8.0
  static let tickSize = 11.0
  static let labelSize = 12.0
  static let titleSize = 15.0

  public init(title: String, panels: [PlotPanel], legendTitle: String? = nil, markerLimit: Int = 30)
  {
    self.title = title
    self.panels = panels
    self.legendTitle = legendTitle
    self.markerLimit = markerLimit
  }

  /// One legend row per distinct (label, colour, dash), in order of first appearance.
  var legendEntries: [PlotSeries] {
    var seen: [PlotSeries] = []
    for s in panels.flatMap(\.series)
    where !s.label.isEmpty
      && !seen.contains(where: { $0.label == s.label && $0.color == s.color && $0.dash == s.dash })
    {
      seen.append(PlotSeries(label: s.label, points: s.points, color: s.color, dash: s.dash))
    }
    return seen
  }

  public func svg() -> String {
    let pw = Self.plotWidth
    let ph = Self.plotHeight
    let ticks = panels.map { $0.ticks(plotWidth: pw) }
    let top = (title.isEmpty ? 14.0 : 44.0) + (panels.contains { $0.title != nil } ? 24 : 0)
    // Each panel's left margin fits its widest y tick label and the rotated y label.
    let lefts = ticks.map { t in
      26 + (t.y.labels.map { TextWidth.of($0, size: Self.tickSize) }.max() ?? 0) + 10
    }
    var xs: [Double] = []
    var x = 0.0
    for (i, left) in lefts.enumerated() {
      x += left + (i == 0 ? 8 : 28)
      xs.append(x)
      x += pw
    }
    let entries = legendEntries
    let markers = entries.contains { s in
      panels.contains { p in p.series.contains { $0.label == s.label && showsMarkers($0, p) } }
    }
    let legendX = x + 24
    let legendWidth =
      entries.isEmpty
      ? 0
      : 40
        + max(
          entries.map { TextWidth.of($0.label, size: Self.labelSize) }.max() ?? 0,
          TextWidth.of(legendTitle ?? "", size: Self.labelSize) - 34)
    let legendHeight = Double(entries.count) * 20 + (legendTitle == nil ? 0 : 20)
    var width = entries.isEmpty ? x + 16 : legendX + legendWidth + 12
    width = max(width, TextWidth.of(title, size: Self.titleSize) + 32)
    let height = max(top + ph + 56, top + legendHeight + 10)
    var svg = SVGDocument(width: width, height: height)
    if !title.isEmpty {
      svg.text(
        title, x: width / 2, y: 28, anchor: .middle, size: Self.titleSize, bold: true,
        extra: [("class", "title")])
    }
    for (i, panel) in panels.enumerated() {
      draw(panel, ticks: ticks[i], x: xs[i], y: top, on: &svg)
    }
    if !entries.isEmpty {
      drawLegend(entries, markers: markers, x: legendX, y: top, on: &svg)
    }
    return svg.render()
  }

  func showsMarkers(_ s: PlotSeries, _ p: PlotPanel) -> Bool {
    s.drawn(logX: p.logX, logY: p.logY).count <= markerLimit
  }

  private func draw(
    _ panel: PlotPanel, ticks: (x: NiceTicks, y: NiceTicks), x px: Double, y py: Double,
    on svg: inout SVGDocument
  ) {
    let pw = Self.plotWidth
    let ph = Self.plotHeight
    // The tick range sits a few pixels inside the frame, so points on the first or last tick
    // are not cut by the frame line.
    let pad = Self.padding
    let mapX = Self.mapper(ticks.x, from: px + pad, to: px + pw - pad)
    let mapY = Self.mapper(ticks.y, from: py + ph - pad, to: py + pad)
    svg.open([("class", "panel"), ("data-title", panel.title ?? "")])
    if let t = panel.title {
      svg.text(
        t, x: px + pw / 2, y: py - 10, anchor: .middle, size: 13, bold: true,
        extra: [("class", "panel-title")])
    }
    svg.rect(
      x: px, y: py, width: pw, height: ph, fill: "none", stroke: PlotPalette.axis,
      extra: [("class", "plot-area")])
    // y axis: grid lines and labels.
    svg.open([("class", "axis"), ("data-axis", "y"), ("data-scale", panel.logY ? "log" : "linear")])
    for v in ticks.y.minor where v > ticks.y.lower && v < ticks.y.upper {
      svg.line(x1: px - 3, y1: mapY(v), x2: px, y2: mapY(v), stroke: PlotPalette.axis)
    }
    for (v, label) in zip(ticks.y.values, ticks.y.labels) {
      let y = mapY(v)
      svg.line(x1: px, y1: y, x2: px + pw, y2: y, stroke: PlotPalette.grid)
      svg.line(x1: px - 5, y1: y, x2: px, y2: y, stroke: PlotPalette.axis)
      svg.text(
        label, x: px - 8, y: y + 4, anchor: .end, size: Self.tickSize,
        extra: [("class", "tick-label"), ("data-value", JSONText.number(v))])
    }
    svg.text(
      panel.yLabel, x: px - labelOffset(ticks.y), y: py + ph / 2,
      anchor: .middle, size: Self.labelSize, rotate: -90, extra: [("class", "axis-label")])
    svg.close()
    // x axis.
    svg.open([("class", "axis"), ("data-axis", "x"), ("data-scale", panel.logX ? "log" : "linear")])
    for v in ticks.x.minor where v > ticks.x.lower && v < ticks.x.upper {
      svg.line(x1: mapX(v), y1: py + ph, x2: mapX(v), y2: py + ph + 3, stroke: PlotPalette.axis)
    }
    for (v, label) in zip(ticks.x.values, ticks.x.labels) {
      let x = mapX(v)
      svg.line(x1: x, y1: py, x2: x, y2: py + ph, stroke: PlotPalette.grid)
      svg.line(x1: x, y1: py + ph, x2: x, y2: py + ph + 5, stroke: PlotPalette.axis)
      svg.text(
        label, x: x, y: py + ph + 19, anchor: .middle, size: Self.tickSize,
        extra: [("class", "tick-label"), ("data-value", JSONText.number(v))])
    }
    svg.text(
      panel.xLabel, x: px + pw / 2, y: py + ph + 42, anchor: .middle, size: Self.labelSize,
      extra: [("class", "axis-label")])
    svg.close()
    let drawnAny = panel.series.contains { !$0.drawn(logX: panel.logX, logY: panel.logY).isEmpty }
    if !drawnAny {
      svg.text(
        "no data", x: px + pw / 2, y: py + ph / 2, anchor: .middle, size: Self.labelSize,
        fill: PlotPalette.mutedText, extra: [("class", "no-data")])
    }
    for s in panel.series {
      let drawn = s.drawn(logX: panel.logX, logY: panel.logY)
      svg.open([("class", "series"), ("data-label", s.label), ("data-points", String(drawn.count))])
      // A gap (nil y) ends one polyline and starts the next.
      var run: [(Double, Double)] = []
      var runs: [[(Double, Double)]] = []
      for p in s.points {
        if let y = p.y, PlotSeries.isDrawn(x: p.x, y: y, logX: panel.logX, logY: panel.logY) {
          run.append((mapX(p.x), mapY(y)))
        } else if !run.isEmpty {
          runs.append(run)
          run = []
        }
      }
      if !run.isEmpty { runs.append(run) }
      for r in runs where r.count > 1 {
        svg.polyline(r, stroke: s.color, dash: s.dash)
      }
      let markers = showsMarkers(s, panel)
      for r in runs {
        for p in r where markers || r.count == 1 {
          marker(at: p, series: s, on: &svg)
        }
      }
      svg.close()
    }
    svg.close()
  }

  /// Solid series get filled markers, dashed ones hollow, a second cue besides the dash.
  private func marker(at p: (Double, Double), series s: PlotSeries, on svg: inout SVGDocument) {
    svg.circle(
      x: p.0, y: p.1, r: 3.2, fill: s.dash == nil ? s.color : "#ffffff", stroke: s.color,
      extra: [("class", "marker"), ("stroke-width", "1.5")])
  }

  private func labelOffset(_ y: NiceTicks) -> Double {
    (y.labels.map { TextWidth.of($0, size: Self.tickSize) }.max() ?? 0) + 22
  }

  private func drawLegend(
    _ entries: [PlotSeries], markers: Bool, x: Double, y: Double, on svg: inout SVGDocument
  ) {
    svg.open([("class", "legend")])
    var rowY = y + 12
    if let t = legendTitle {
      svg.text(
        t, x: x, y: rowY + 4, size: Self.labelSize, bold: true,
        extra: [("class", "legend-title")])
      rowY += 20
    }
    for s in entries {
      svg.line(x1: x, y1: rowY, x2: x + 28, y2: rowY, stroke: s.color, width: 2, dash: s.dash)
      if markers { marker(at: (x + 14, rowY), series: s, on: &svg) }
      svg.text(
        s.label, x: x + 36, y: rowY + 4, size: Self.labelSize,
        extra: [("class", "legend-label")])
      rowY += 20
    }
    svg.close()
  }

  /// Data value → pixel, linear or log10 according to the ticks.
  static func mapper(_ t: NiceTicks, from a: Double, to b: Double) -> (Double) -> Double {
    let f: (Double) -> Double = t.isLog ? { Foundation.log10($0) } : { $0 }
    let lo = f(t.lower)
    let span = f(t.upper) - lo
    return { v in a + (b - a) * (span == 0 ? 0.5 : (f(v) - lo) / span) }
  }

  /// What was plotted, as JSON with a fixed key order: each panel's labels, axis ranges and
  /// series points (`null` for a gap).
  public func json() -> String {
    var panelTexts: [String] = []
    for p in panels {
      let t = p.ticks(plotWidth: Self.plotWidth)
      var seriesTexts: [String] = []
      for s in p.series {
        let points = s.points.map { pt in
          "[\(JSONText.number(pt.x)), \(pt.y.map(JSONText.number) ?? "null")]"
        }
        let style = s.dash == nil ? "solid" : "dashed"
        seriesTexts.append(
          "        {\"label\": \(JSONText.string(s.label)), \"style\": \"\(style)\", "
            + "\"points\": [\(points.joined(separator: ", "))]}")
      }
      let list =
        seriesTexts.isEmpty ? "[]" : "[\n" + seriesTexts.joined(separator: ",\n") + "\n      ]"
      panelTexts.append(
        """
            {
              "title": \(p.title.map(JSONText.string) ?? "null"),
              "x_label": \(JSONText.string(p.xLabel)),
              "y_label": \(JSONText.string(p.yLabel)),
              "x_scale": "\(p.logX ? "log" : "linear")",
              "y_scale": "\(p.logY ? "log" : "linear")",
              "x_range": [\(JSONText.number(t.x.lower)), \(JSONText.number(t.x.upper))],
              "y_range": [\(JSONText.number(t.y.lower)), \(JSONText.number(t.y.upper))],
              "series": \(list)
            }
        """)
    }
    return """
      {
        "title": \(JSONText.string(title)),
        "panels": [
      \(panelTexts.joined(separator: ",\n"))
        ]
      }

      """
  }
}
