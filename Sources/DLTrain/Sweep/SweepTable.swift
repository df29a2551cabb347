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
      + (s.epochs.map { ", \($0) epochs" } ?? "") + "\n\n" + table.markdown
  }

  /// The data of the sweep plot: the final metric against the first grid key, one series per
  /// value of the second (all other keys joined into the series label). The metric is test
  /// accuracy when the points were evaluated, else validation, else train accuracy.
  public static func plot(_ state: SweepState, rows: [Row]) -> OrderedJSON {
    let axes = state.settings.grid.axes
    guard let xAxis = axes.first else { return .null }
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
    return .object([
      ("title", .string("\(state.settings.name): \(metric) against \(xAxis.key)")),
      ("x_key", .string(xAxis.key)), ("x_values", .array(xs.map { .number($0) })),
      ("x_labels", .array(xAxis.values.map { .string($0) })),
      ("series_key", axes.count > 1 ? .string(axes[1].key) : .null),
      (
        "series",
        .array(
          labels.map { l in
            .object([("label", .string(l)), ("ys", .array((ys[l] ?? []).map { .number($0) }))])
          })
      ),
      ("metric", .string(metric)), ("log_x", .bool(logX)),
    ])
  }
}
