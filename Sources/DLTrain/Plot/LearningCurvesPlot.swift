/// A run's learning curves: loss (left) and accuracy (right) against epoch, train solid and
/// validation dashed. Validation series are left out when the run has none; a panel with no
/// series at all (accuracy of a regression) is left out.
public enum LearningCurvesPlot {
  public static let trainColor = PlotPalette.color(0)
  public static let validationColor = PlotPalette.color(1)

  /// The figure, before rendering (also what `dlspec plot --format json` prints).
  public static func plot(_ t: MetricsTable, title: String) -> LinePlot {
    func panel(_ name: String, train: String, validation: String) -> PlotPanel {
      var series: [PlotSeries] = []
      if t.hasValues(train) {
        series.append(PlotSeries(label: "train", points: t.points(train), color: trainColor))
      }
      if t.hasValues(validation) {
        series.append(
          PlotSeries(
            label: "validation", points: t.points(validation), color: validationColor,
            dash: PlotPalette.dashed))
      }
      return PlotPanel(title: name, xLabel: "epoch", yLabel: name, series: series, integerX: true)
    }
    let all = [
      panel("loss", train: "train_loss", validation: "val_loss"),
      panel("accuracy", train: "train_accuracy", validation: "val_accuracy"),
    ]
    let used = all.filter { !$0.series.isEmpty }
    return LinePlot(title: title, panels: used.isEmpty ? all : used)
  }

  public static func svg(_ t: MetricsTable, title: String) -> String {
    plot(t, title: title).svg()
  }
}
