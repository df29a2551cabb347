/// A confusion matrix: rows are the true class, columns the predicted class. Each cell is
/// coloured by its share of the row (the rate at which that true class is predicted as the
/// column's class), shows its count, and each row's accuracy (diagonal ÷ row total) is written
/// at the right ("–" for a class with no samples).
public enum ConfusionMatrixPlot {
  public static func heatMap(
    _ confusion: [[Int]], title: String, classNames: [String]? = nil
  ) -> HeatMap {
    let n = max(confusion.count, confusion.map(\.count).max() ?? 0)
    let names = (0..<n).map { i in
      if let classNames, i < classNames.count, !classNames[i].isEmpty { return classNames[i] }
      return String(i)
    }
    var rates: [[Double]] = []
    var accuracy: [String] = []
    for (r, row) in confusion.enumerated() {
      let total = row.reduce(0, +)
      rates.append(row.map { total > 0 ? Double($0) / Double(total) : 0 })
      accuracy.append(
        total > 0 && r < row.count
          ? PlotNumber.plain(Double(row[r]) / Double(total), decimals: 3) : "–")
    }
    return HeatMap(
      title: title, values: rates, cellText: confusion.map { $0.map(count) },
      rowLabels: names, columnLabels: names, rowAxisLabel: "true class",
      columnAxisLabel: "predicted class", summaryTitle: "accuracy", summary: accuracy,
      scaleLabel: "share of true class")
  }

  /// Exact below 10 000 (fits a cell at 11 px), then "12.3k".
  static func count(_ n: Int) -> String {
    n < 10_000 ? String(n) : PlotNumber.compact(Double(n))
  }

  public static func svg(_ confusion: [[Int]], title: String, classNames: [String]? = nil) -> String
  {
    heatMap(confusion, title: title, classNames: classNames).svg()
  }
}
