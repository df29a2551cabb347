import DLSpec
import Foundation

/// `runs show`: one run in full.
public enum RunDetail {
  public static func text(_ r: RunRecord, lastRows: Int) -> String {
    let s = r.summary
    var fields: [(String, String)] = [
      ("run", r.path), ("status", r.status.rawValue), ("name", r.name),
    ]
    if let p = r.problem { fields.append(("problem", p)) }
    func add(_ label: String, _ value: String?) {
      if let value, !value.isEmpty { fields.append((label, value)) }
    }
    add("spec", s?.specPath)
    add("spec sha256", s?.specHash)
    add("overrides", s?.overrides.joined(separator: " "))
    add("command line", s?.commandLine.joined(separator: " "))
    if let c = s?.gitCommit { add("git", c + (s?.gitDirty == true ? " (dirty)" : "")) }
    add("dlspec", s?.string("dlspec_version"))
    add("blas core", s?.string("blas_core"))
    add("threads", s?.int("threads").map(String.init))
    add("seed", s?.int("seed").map(String.init))
    add("batch size", s?.int("batch_size").map(String.init))
    add("started", r.startedAt.map { RunFormat.time($0) + " UTC" })
    add("finished", s?.finishedAt.map { RunFormat.time($0) + " UTC" })
    add("epochs", RunListing.epochs(r) == "-" ? nil : RunListing.epochs(r))
    add("steps", s?.int("steps").map(String.init))
    add("train loss", r.finalTrainLoss.map(RunFormat.metric))
    add("train accuracy", r.finalTrainAccuracy.map(RunFormat.metric))
    add("validation loss", r.finalValidationLoss.map(RunFormat.metric))
    add("validation accuracy", r.finalValidationAccuracy.map(RunFormat.metric))
    if let b = r.bestMetric {
      add(
        "best",
        "\(r.metricName) \(RunFormat.metric(b.value))"
          + (b.epoch.map { " at epoch \($0)" } ?? ""))
    }
    if let t = r.testAccuracy {
      add("test", "accuracy \(RunFormat.metric(t)), loss \(RunFormat.metric(r.testLoss))")
    }
    add("duration", r.durationSeconds.map(RunFormat.duration))
    add("samples/s", r.samplesPerSecond.map { String(format: "%.0f", $0) })
    add("error", s?.error)
    let width = fields.map(\.0.count).max() ?? 0
    var out = fields.map { "\(($0.0 + ":").rightPadded(width + 1)) \($0.1)\n" }.joined()
    if let s {
      let known = Set([
        "format", "format_version", "name", "status", "spec_path", "spec_sha256", "spec_hash",
        "overrides", "command_line", "git", "dlspec_version", "blas_core", "threads", "seed",
        "batch_size", "started_at", "finished_at", "epochs_planned", "epochs", "steps",
        "train_loss", "train_accuracy", "validation_loss", "validation_accuracy", "best",
        "wall_seconds", "samples_per_second", "test", "error",
      ])
      let extra = s.raw.keys.filter { !known.contains($0) }.sorted()
      if !extra.isEmpty {
        out += "other summary keys:\n"
        for k in extra { out += "  \(k): \(jsonValue(s.raw[k]).render(indent: 1))\n" }
      }
    }
    if let m = r.metrics {
      let rows = m.rows.suffix(lastRows)
      out +=
        "\nmetrics.csv: \(m.rows.count) rows"
        + (rows.isEmpty ? "\n" : ", the last \(rows.count):\n")
      if !rows.isEmpty {
        let cells = rows.map { $0.map { $0.map(cell) ?? "" } }
        out +=
          ReportTable(header: m.columns, rows: cells, rightAligned: Set(m.columns.indices)).text
      }
    } else {
      out += "\nmetrics.csv: none\n"
    }
    out += "\ncheckpoints:" + (r.checkpoints.isEmpty ? " none\n" : "\n")
    for c in r.checkpoints { out += "  \(c.name)  \(ByteCount.format(c.bytes))\n" }
    return out
  }

  static func cell(_ d: Double) -> String {
    if d == d.rounded() && abs(d) < 1e12 { return String(Int(d)) }
    return abs(d) >= 1000 ? String(format: "%.1f", d) : String(format: "%.5g", d)
  }

  public static func json(_ r: RunRecord, lastRows: Int) -> OrderedJSON {
    var pairs: [(String, OrderedJSON)] = [("run", RunListing.json(r))]
    pairs.append(("summary", r.summary.map { jsonValue($0.raw) } ?? .null))
    if let m = r.metrics {
      pairs.append(
        (
          "metrics",
          .object([
            ("columns", .array(m.columns.map { .string($0) })),
            ("row_count", .int(m.rows.count)),
            ("last_rows", .array(m.rows.suffix(lastRows).map { .array($0.map { .number($0) }) })),
          ])
        ))
    } else {
      pairs.append(("metrics", .null))
    }
    pairs.append(
      (
        "checkpoints",
        .array(
          r.checkpoints.map { .object([("name", .string($0.name)), ("bytes", .int($0.bytes))]) })
      ))
    return .object(pairs)
  }

  /// Any JSONSerialization value as ordered JSON, object keys sorted.
  static func jsonValue(_ v: Any?) -> OrderedJSON {
    switch v {
    case nil: return .null
    case let s as String: return .string(s)
    case let b? where RecordedSummary.isBoolean(b): return .bool(RecordedSummary.bool(b) ?? false)
    case let n as NSNumber: return .number(n.doubleValue)
    case let i as Int: return .int(i)
    case let d as Double: return .number(d)
    case let a as [Any]: return .array(a.map(jsonValue))
    case let o as [String: Any]: return .object(o.keys.sorted().map { ($0, jsonValue(o[$0])) })
    default: return .null
    }
  }
}
