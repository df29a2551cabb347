import Foundation

/// `sweep.csv` and `sweep.md`: one row per point, read from the point's run directory (and the
/// test metrics the sweep recorded from `dlspec evaluate`).
public enum SweepTable {
  public struct Row: Sendable {
    public var point: SweepState.Point
    public var run: RunRecord?

    public var testLoss: Double? { point.test?.loss ?? run?.testLoss }
    public var testAccuracy: Double? { point.test?.accuracy ?? run?.testAccuracy }
  }

  static let metricHeader = [
    "status", "epochs", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "test_loss",
    "test_accuracy", "duration_s", "run",
  ]

  public static func rows(_ state: SweepState, directory: String) -> [Row] {
    state.points.map { p in
      let path = directory + "/" + p.directory
      return Row(point: p, run: RunScanner.isRun(path) ? RunScanner.read(path) : nil)
    }
  }

  /// Full-precision numbers, empty cells for missing values.
  public static func csv(_ state: SweepState, rows: [Row]) -> String {
    func n(_ d: Double?) -> String { d.map { "\($0)" } ?? "" }
    let table = ReportTable(
      header: state.settings.grid.axes.map(\.key) + metricHeader,
      rows: rows.map { r in
        r.point.values + [
          r.point.status.rawValue, r.run?.epochsDone.map(String.init) ?? "",
          n(r.run?.finalTrainLoss), n(r.run?.finalTrainAccuracy), n(r.run?.finalValidationLoss),
          n(r.run?.finalValidationAccuracy), n(r.testLoss), n(r.testAccuracy),
          n(r.run?.durationSeconds), r.point.directory,
        ]
      })
    return table.csv
  }

  /// Four decimals, `-` for missing values, a title line naming the sweep.
  public static func markdown(_ state: SweepState, rows: [Row]) -> String {
    let m = RunFormat.metric
    let keys = state.settings.grid.axes.map(\.key)
    var header = keys + metricHeader
    header[header.count - 2] = "duration"
    let table = ReportTable(
      header: header,
      rows: rows.map { r in
        r.point.values + [
          r.point.status.rawValue, r.run?.epochsDone.map(String.init) ?? "-",
          m(r.run?.finalTrainLoss), m(r.run?.finalTrainAccuracy), m(r.run?.finalValidationLoss),
          m(r.run?.finalValidationAccuracy), m(r.testLoss), m(r.testAccuracy),
          RunFormat.duration(r.run?.durationSeconds), "`\(r.point.directory)`",
        ]
      },
      rightAligned: Set(keys.count + 1..<keys.count + 9))
    let s = state.settings
    let done = rows.filter { $0.point.status == .finished }.count
    return "## Sweep `\(s.name)`: \(done) of \(rows.count) points finished\n\n"
      + "spec `\(s.specPath)`" + (s.set.isEmpty ? "" : ", set `\(s.set.joined(separator: " "))`")
      + (s.epochs.map { ", \($0) epoch\($0 == 1 ? "" : "s")" } ?? "") + "\n\n" + table.markdown
  }

  /// The data of the sweep plot: the final metric against the first grid key, one series per
  /// value of the second (all other keys joined into the series label). The metric is test
  /// accuracy when the points were evaluated, else validation, else train accuracy.
  public static func plotData(_ state: SweepState, rows: [Row]) -> SweepPlotData? {
    let axes = state.settings.grid.axes
    guard let xAxis = axes.first else { return nil }
    let metric: String
    let value: (Row) -> Double?
    if rows.contains(where: { $0.testAccuracy != nil }) {
      (metric, value) = ("test_accuracy", { $0.testAccuracy })
    } else if rows.contains(where: { $0.run?.finalValidationAccuracy != nil }) {
      (metric, value) = ("validation_accuracy", { $0.run?.finalValidationAccuracy })
    } else {
      (metric, value) = ("train_accuracy", { $0.run?.finalTrainAccuracy })
    }
    let numeric = xAxis.values.compactMap(Double.init)
    let xs = numeric.count == xAxis.values.count ? numeric : xAxis.values.indices.map(Double.init)
    let positive = xs.allSatisfy { $0 > 0 }
    let logX = positive && numeric.count == xs.count && (xs.max() ?? 1) / (xs.min() ?? 1) >= 100
    var labels: [String] = []
    var ys: [String: [Double?]] = [:]
    for r in rows {
      let rest = zip(axes.dropFirst(), r.point.values.dropFirst()).map {
        "\($0.key.split(separator: ".").last ?? "")=\($1)"
      }
      let label = rest.joined(separator: ", ")
      if ys[label] == nil {
        labels.append(label)
        ys[label] = Array(repeating: nil, count: xs.count)
      }
      if let i = xAxis.values.firstIndex(of: r.point.values.first ?? "") {
        ys[label]?[i] = value(r)
      }
    }
    return SweepPlotData(
      title: "\(state.settings.name): \(metric) against \(xAxis.key)", xKey: xAxis.key,
      xValues: xs, xLabels: xAxis.values, seriesKey: axes.count > 1 ? axes[1].key : nil,
      series: labels.map { (label: $0, ys: ys[$0] ?? []) }, metric: metric, logX: logX)
  }

  /// The plot data as written into sweep.json (`null` for an empty grid).
  public static func plot(_ state: SweepState, rows: [Row]) -> OrderedJSON {
    plotData(state, rows: rows)?.json ?? .null
  }
}

/// What the sweep plot shows: sweep.json keeps it and `sweep.svg` draws it.
public struct SweepPlotData {
  public var title: String
  public var xKey: String
  public var xValues: [Double]
  public var xLabels: [String]
  public var seriesKey: String?
  public var series: [(label: String, ys: [Double?])]
  public var metric: String
  public var logX: Bool

  public var json: OrderedJSON {
    .object([
      ("title", .string(title)), ("x_key", .string(xKey)),
      ("x_values", .array(xValues.map { .number($0) })),
      ("x_labels", .array(xLabels.map { .string($0) })),
      ("series_key", seriesKey.map { .string($0) } ?? .null),
      (
        "series",
        .array(
          series.map { s in
            .object([("label", .string(s.label)), ("ys", .array(s.ys.map { .number($0) }))])
          })
      ),
      ("metric", .string(metric)), ("log_x", .bool(logX)),
    ])
  }

  public var svg: String {
    SweepPlot.svg(
      title: title, xKey: xKey, xValues: xValues, seriesKey: seriesKey, series: series,
      metric: metric, logX: logX)
  }
}
