import DLSpec
import Foundation

/// `runs compare`: N runs side by side, the spec keys first (changed ones marked), then the
/// metrics.
public struct RunComparison: Sendable {
  public struct SpecRow: Sendable, Equatable {
    public var key: String
    /// One value per run; nil when that run's spec has no such key.
    public var values: [String?]
    public var changed: Bool { Set(values.map { $0 ?? "\u{0}" }).count > 1 }
  }

  public struct MetricRow: Sendable, Equatable {
    public var metric: String
    public var values: [Double?]
    /// Integers (epochs) print without decimals; durations as durations.
    public var kind: Kind
    public enum Kind: Sendable { case metric, count, seconds, rate }
  }

  public var labels: [String]
  public var specRows: [SpecRow]
  public var metricRows: [MetricRow]
  /// Runs whose spec could not be read, by label.
  public var notes: [String]

  public init(_ runs: [RunRecord], labels: [String]) {
    self.labels = labels
    var notes: [String] = []
    var order: [String] = []
    var maps: [[String: String]] = []
    for (r, label) in zip(runs, labels) {
      var map: [String: String] = [:]
      if let (file, text) = SpecKeyPaths.specText(ofRun: r.path) {
        if let pairs = SpecKeyPaths.flatten(text, path: r.path + "/" + file) {
          for (k, v) in pairs where map[k] == nil {
            if !order.contains(k) { order.append(k) }
            map[k] = v
          }
        } else {
          notes.append("\(label): \(file) is not valid YAML")
        }
      } else {
        notes.append("\(label): no spec.yaml")
      }
      maps.append(map)
    }
    specRows = order.map { k in SpecRow(key: k, values: maps.map { $0[k] }) }
    func row(_ name: String, _ kind: MetricRow.Kind = .metric, _ f: (RunRecord) -> Double?)
      -> MetricRow
    {
      MetricRow(metric: name, values: runs.map(f), kind: kind)
    }
    metricRows = [
      row("epochs", .count) { $0.epochsDone.map(Double.init) },
      row("train_loss final") { $0.finalTrainLoss },
      row("train_loss best") { $0.metrics?.best("train_loss", largest: false)?.value },
      row("train_accuracy final") { $0.finalTrainAccuracy },
      row("train_accuracy best") { $0.metrics?.best("train_accuracy")?.value },
      row("validation_loss final") { $0.finalValidationLoss },
      row("validation_loss best") { $0.metrics?.best("val_loss", largest: false)?.value },
      row("validation_accuracy final") { $0.finalValidationAccuracy },
      row("validation_accuracy best") { r in
        r.summary?.best.flatMap { $0.metric == "validation_accuracy" ? $0.value : nil }
          ?? r.metrics?.best("val_accuracy")?.value
      },
      row("test_loss") { $0.testLoss },
      row("test_accuracy") { $0.testAccuracy },
      row("duration", .seconds) { $0.durationSeconds },
      row("samples_per_s", .rate) { $0.samplesPerSecond },
    ]
    self.notes = notes
  }

  /// Run paths without the directory they share: `sw/points/001-a`, `sw/points/002-b` →
  /// `001-a`, `002-b`, so the columns stay narrow.
  public static func labels(_ paths: [String]) -> [String] {
    guard paths.count > 1, let first = paths.first else { return paths }
    var prefix = first.split(separator: "/", omittingEmptySubsequences: false).dropLast()
    for p in paths.dropFirst() {
      let parts = p.split(separator: "/", omittingEmptySubsequences: false).dropLast()
      var n = 0
      while n < min(prefix.count, parts.count),
        prefix[prefix.startIndex + n] == parts[parts.startIndex + n]
      { n += 1 }
      prefix = prefix.prefix(n)
    }
    let drop = prefix.isEmpty ? 0 : prefix.joined(separator: "/").count + 1
    let short = paths.map { String($0.dropFirst(drop)) }
    return Set(short).count == short.count && !short.contains("") ? short : paths
  }

  static func format(_ v: Double?, _ kind: MetricRow.Kind) -> String {
    guard let v else { return "-" }
    switch kind {
    case .metric: return RunFormat.metric(v)
    case .count: return String(Int(v))
    case .seconds: return RunFormat.duration(v)
    case .rate: return String(format: "%.0f", v)
    }
  }

  func shownRows(onlyChanged: Bool) -> [SpecRow] {
    onlyChanged ? specRows.filter(\.changed) : specRows
  }

  /// The spec table: a leading `*` column marks the changed keys.
  public func specTable(onlyChanged: Bool) -> ReportTable {
    let rows = shownRows(onlyChanged: onlyChanged).map { r in
      [r.changed ? "*" : "", r.key] + r.values.map { $0 ?? "-" }
    }
    return ReportTable(header: ["", "key"] + labels, rows: rows)
  }

  public var metricTable: ReportTable {
    ReportTable(
      header: ["metric"] + labels,
      rows: metricRows.map { r in [r.metric] + r.values.map { Self.format($0, r.kind) } },
      rightAligned: Set(1...max(1, labels.count)))
  }

  public func text(onlyChanged: Bool) -> String {
    let changed = specRows.filter(\.changed).count
    var out =
      "spec keys: \(changed) of \(specRows.count) differ"
      + (onlyChanged ? " (only those shown)" : " (* marks them)") + "\n"
    if !shownRows(onlyChanged: onlyChanged).isEmpty {
      out += specTable(onlyChanged: onlyChanged).text
    }
    out += notes.map { "note: \($0)\n" }.joined()
    return out + "\nmetrics:\n" + metricTable.text
  }

  public func markdown(onlyChanged: Bool) -> String {
    var out = "### Spec keys (\(specRows.filter(\.changed).count) of \(specRows.count) differ)\n\n"
    if shownRows(onlyChanged: onlyChanged).isEmpty {
      out += "_none_\n"
    } else {
      var t = specTable(onlyChanged: onlyChanged)
      t.header[0] = "changed"
      out += t.markdown
    }
    out += notes.map { "\n> note: \($0)\n" }.joined()
    return out + "\n### Metrics\n\n" + metricTable.markdown
  }

  /// One CSV: `section,key,<run>...,changed`.
  public func csv(onlyChanged: Bool) -> String {
    var rows = shownRows(onlyChanged: onlyChanged).map { r in
      ["spec", r.key] + r.values.map { $0 ?? "" } + [r.changed ? "true" : "false"]
    }
    rows += metricRows.map { r in
      ["metric", r.metric] + r.values.map { $0.map(JSONText.number) ?? "" } + [""]
    }
    return ReportTable(header: ["section", "key"] + labels + ["changed"], rows: rows).csv
  }

  public func json(onlyChanged: Bool) -> OrderedJSON {
    .object([
      ("runs", .array(labels.map { .string($0) })),
      (
        "spec",
        .array(
          shownRows(onlyChanged: onlyChanged).map { r in
            .object([
              ("key", .string(r.key)), ("values", .array(r.values.map { .string($0) })),
              ("changed", .bool(r.changed)),
            ])
          })
      ),
      (
        "metrics",
        .array(
          metricRows.map { r in
            .object([
              ("metric", .string(r.metric)), ("values", .array(r.values.map { .number($0) })),
            ])
          })
      ),
      ("notes", .array(notes.map { .string($0) })),
    ])
  }
}
