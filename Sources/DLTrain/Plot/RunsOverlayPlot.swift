/// One metric of several runs overlaid against epoch, one colour per run (Okabe–Ito, then
/// dash patterns after eight runs); a validation metric is drawn dashed.
public enum RunsOverlayPlot {
  public static func plot(_ runs: [(label: String, table: MetricsTable)], metric: String)
    -> LinePlot
  {
    let name = MetricLabel.display(metric)
    let validation = MetricLabel.isValidation(metric)
    let series = runs.enumerated().map { i, run in
      PlotSeries(
        label: run.label, points: run.table.points(metric), color: PlotPalette.color(i),
        dash: validation ? PlotPalette.dashed : PlotPalette.dash(i))
    }
    let count = runs.count == 1 ? "1 run" : "\(runs.count) runs"
    return LinePlot(
      title: "\(name), \(count)",
      panels: [PlotPanel(xLabel: "epoch", yLabel: name, series: series, integerX: true)])
  }

  public static func svg(_ runs: [(label: String, table: MetricsTable)], metric: String) -> String {
    plot(runs, metric: metric).svg()
  }
}
