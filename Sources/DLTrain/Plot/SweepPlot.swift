/// A sweep's final metric against the swept key, one line per value of the other key
/// (Problem 2.6.6: test accuracy against learning rate, one line per batch size, log x).
/// `ys[i]` belongs to `xValues[i]` (in any order; lines are drawn by increasing x); nil (a failed or missing point) leaves a gap. On a log
/// axis with an x ≤ 0 the axis falls back to linear, since such a point cannot be placed.
public enum SweepPlot {
  public static func plot(
    title: String, xKey: String, xValues: [Double], seriesKey: String?,
    series: [(label: String, ys: [Double?])], metric: String, logX: Bool
  ) -> LinePlot {
    let log = logX && xValues.allSatisfy { $0 > 0 }
    let lines = series.enumerated().map { i, s in
      PlotSeries(
        label: s.label,
        // Drawn in x order whatever order the grid was given in, so the line does not zigzag.
        points: xValues.enumerated().map { j, x in
          PlotPoint(x: x, y: j < s.ys.count ? s.ys[j] : nil)
        }.sorted { $0.x < $1.x },
        color: PlotPalette.color(i), dash: PlotPalette.dash(i))
    }
    let integer = !log && xValues.allSatisfy { $0 == $0.rounded() }
    let panel = PlotPanel(
      xLabel: xKey, yLabel: MetricLabel.display(metric), series: lines, logX: log, integerX: integer
    )
    return LinePlot(title: title, panels: [panel], legendTitle: seriesKey)
  }

  public static func svg(
    title: String, xKey: String, xValues: [Double], seriesKey: String?,
    series: [(label: String, ys: [Double?])], metric: String, logX: Bool
  ) -> String {
    plot(
      title: title, xKey: xKey, xValues: xValues, seriesKey: seriesKey, series: series,
      metric: metric, logX: logX
    ).svg()
  }
}
