import Foundation

/// The rows of `dlspec runs`: one per run, in start order.
public enum RunListing {
  public static let header = [
    "run", "name", "started", "spec", "commit", "overrides", "epochs", "metric", "final", "best",
    "test", "duration", "status",
  ]

  public static func table(_ runs: [RunRecord]) -> ReportTable {
    ReportTable(header: header, rows: runs.map(row), rightAligned: [6, 8, 9, 10, 11])
  }

  static func row(_ r: RunRecord) -> [String] {
    [
      r.relativePath, r.name, RunFormat.time(r.startedAt), shortHash(r), commit(r),
      r.summary?.overrides.joined(separator: " ") ?? "", epochs(r),
      r.metricName == "validation_accuracy" ? "val_acc" : "train_acc",
      RunFormat.metric(r.finalMetric), RunFormat.metric(r.bestMetric?.value),
      RunFormat.metric(r.testAccuracy), RunFormat.duration(r.durationSeconds),
      r.status.rawValue,
    ]
  }

  static func shortHash(_ r: RunRecord) -> String {
    r.summary?.specHash.map { String($0.prefix(12)) } ?? "-"
  }

  static func commit(_ r: RunRecord) -> String {
    guard let c = r.summary?.gitCommit else { return "-" }
    return String(c.prefix(10)) + (r.summary?.gitDirty == true ? "*" : "")
  }

  static func epochs(_ r: RunRecord) -> String {
    let done = r.epochsDone.map(String.init) ?? "-"
    return r.epochsPlanned.map { "\(done)/\($0)" } ?? done
  }

  public static func json(_ runs: [RunRecord]) -> OrderedJSON {
    .array(runs.map(json))
  }

  /// One run as JSON: the listing's fields, typed.
  public static func json(_ r: RunRecord) -> OrderedJSON {
    let s = r.summary
    return .object([
      ("run", .string(r.relativePath)), ("path", .string(r.path)), ("name", .string(r.name)),
      ("started_at", .string(RunFormat.iso(r.startedAt))),
      ("spec_sha256", .string(s?.specHash)), ("commit", .string(s?.gitCommit)),
      ("dirty", s?.gitCommit == nil ? .null : .bool(s?.gitDirty ?? false)),
      ("overrides", .array((s?.overrides ?? []).map { .string($0) })),
      ("epochs", .int(r.epochsDone)), ("epochs_planned", .int(r.epochsPlanned)),
      ("metric", .string(r.metricName)), ("final", .number(r.finalMetric)),
      ("best", .number(r.bestMetric?.value)), ("best_epoch", .int(r.bestMetric?.epoch)),
      ("test_accuracy", .number(r.testAccuracy)), ("wall_seconds", .number(r.durationSeconds)),
      ("status", .string(r.status.rawValue)), ("problem", .string(r.problem)),
    ])
  }
}
