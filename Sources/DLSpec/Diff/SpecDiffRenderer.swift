import Foundation

/// `dlspec diff` output: aligned text, JSON with stable keys, or Markdown for a pull request.
/// `from` and `to` name the two specs as the user gave them.
public enum SpecDiffRenderer {
  static let indexNote =
    "layer indices count from 0: the new spec's for insertions and changes, "
    + "the old spec's for deletions"

  public static func text(_ d: SpecDiff, from: String, to: String) -> String {
    guard !d.isEmpty else { return "\(from) and \(to): same experiment, no semantic changes\n" }
    var out = "\(from) → \(to): \(headline(d))\n\n" + changeLines(d)
    if !d.affectedLayers.isEmpty {
      out += "\nlayer cost per sample\n"
      var layerRows = [["layer", "", "params", "change", "FLOPs fwd+bwd", "change"]]
      for l in d.affectedLayers {
        layerRows.append([
          "\(l.path) \(l.cost.layer)", l.note, arrow(l.cost.parameters, CostRenderer.int),
          delta(l.cost.parameters), arrow(l.cost.flopsPerSample, CostRenderer.int),
          delta(l.cost.flopsPerSample),
        ])
      }
      out += TextTable.lines(layerRows, rightAligned: [2, 4]).map { "  " + $0 + "\n" }.joined()
    }
    out += "\ntotals\n"
    var totalRows = [["", "old", "new", "change"]]
    for t in totalLines(d.totals) {
      totalRows.append([t.label, t.format(t.count.old), t.format(t.count.new), t.delta])
    }
    out += TextTable.lines(totalRows, rightAligned: [1, 2]).map { "  " + $0 + "\n" }.joined()
    out += "\n" + resumeVerdict(d) + "\n"
    return out
  }

  /// The changes alone, one aligned line each with its kind, safe or unsafe, and the touched
  /// layer's cost delta (what `train --resume` prints for a changed spec).
  public static func changeLines(_ d: SpecDiff) -> String {
    var rows: [[String]] = []
    for c in d.changes {
      rows.append([
        symbol(c), c.path, value(c), c.kind.label, c.isSafeToResume ? "safe" : "unsafe",
        c.cost.map {
          "layer params \(signed($0.parameters.delta)), FLOPs \(signed($0.flopsPerSample.delta))"
        } ?? "",
      ])
    }
    var out = TextTable.lines(rows, rightAligned: []).map { "  " + $0 + "\n" }.joined()
    if d.changes.contains(where: { $0.path.hasPrefix("model.layers[") }) {
      out += "  (\(indexNote))\n"
    }
    return out
  }

  public static func json(_ d: SpecDiff, from: String, to: String) -> String {
    func str(_ s: String?) -> String { s.map(JSONText.string) ?? "null" }
    func count(_ c: CountChange) -> String {
      "{\"old\": \(c.old), \"new\": \(c.new), \"delta\": \(c.delta), \"percent\": "
        + (c.percent.map { JSONText.number(($0 * 100).rounded() / 100) } ?? "null") + "}"
    }
    var out = "{\n  \"from\": \(str(from)),\n  \"to\": \(str(to)),\n  \"same\": \(d.isEmpty),\n"
    out += "  \"safe_to_resume\": \(d.isSafeToResume),\n  \"changes\": ["
    out += d.changes.map { c in
      let cost = c.cost.map {
        "{\"layer\": \(str($0.layer)), \"parameters\": \(count($0.parameters)), "
          + "\"flops_per_sample\": \(count($0.flopsPerSample))}"
      } ?? "null"
      return "\n    {\"path\": \(str(c.path)), \"old\": \(str(c.old)), \"new\": \(str(c.new)), "
        + "\"operation\": \(str(c.operation.rawValue)), \"kind\": \(str(c.kind.rawValue)), "
        + "\"safe_to_resume\": \(c.isSafeToResume), \"cost\": \(cost)}"
    }.joined(separator: ",")
    out += d.changes.isEmpty ? "],\n" : "\n  ],\n"
    out += "  \"layers\": ["
    out += d.affectedLayers.map { l in
      "\n    {\"path\": \(str(l.path)), \"layer\": \(str(l.cost.layer)), \"note\": \(str(l.note)), "
        + "\"parameters\": \(count(l.cost.parameters)), "
        + "\"flops_per_sample\": \(count(l.cost.flopsPerSample))}"
    }.joined(separator: ",")
    out += d.affectedLayers.isEmpty ? "],\n" : "\n  ],\n"
    let t = d.totals
    out += "  \"totals\": {\n"
    out += "    \"parameters\": \(count(t.parameters)),\n"
    out += "    \"forward_flops_per_sample\": \(count(t.forwardFLOPsPerSample)),\n"
    out += "    \"backward_flops_per_sample\": \(count(t.backwardFLOPsPerSample)),\n"
    out += "    \"training_memory_bytes\": \(count(t.trainingMemoryBytes)),\n"
    out += "    \"batch_size\": \(count(t.batchSize))\n"
    out += "  }\n}\n"
    return out
  }

  public static func markdown(_ d: SpecDiff, from: String, to: String) -> String {
    func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
    func code(_ s: String?) -> String { s.map { "`\(cell($0))`" } ?? "—" }
    guard !d.isEmpty else {
      return "### dlspec diff: no changes\n\n"
        + "`\(cell(from))` → `\(cell(to))`: the same experiment.\n"
    }
    var out = "### dlspec diff: \(headline(d))\n\n"
    out += "`\(cell(from))` → `\(cell(to))`. " + resumeVerdict(d) + "\n\n"
    out += "| | path | old | new | kind | resume | layer params Δ | layer FLOPs/sample Δ |\n"
    out += "|:-:|---|---|---|---|:-:|--:|--:|\n"
    for c in d.changes {
      out += "| \(symbol(c)) | \(code(c.path)) | \(code(c.old)) | \(code(c.new)) | "
        + "\(c.kind.label) | \(c.isSafeToResume ? "safe" : "**unsafe**") | "
        + (c.cost.map { delta($0.parameters) } ?? "") + " | "
        + (c.cost.map { delta($0.flopsPerSample) } ?? "") + " |\n"
    }
    if d.changes.contains(where: { $0.path.hasPrefix("model.layers[") }) {
      out += "\n_\(indexNote.prefix(1).uppercased() + indexNote.dropFirst())._\n"
    }
    if !d.affectedLayers.isEmpty {
      out += "\n| layer | | params | change | FLOPs/sample | change |\n|---|---|--:|--:|--:|--:|\n"
      for l in d.affectedLayers {
        out += "| \(code(l.path)) \(l.cost.layer) | \(l.note) | "
          + "\(arrow(l.cost.parameters, CostRenderer.int)) | \(delta(l.cost.parameters)) | "
          + "\(arrow(l.cost.flopsPerSample, CostRenderer.int)) | "
          + "\(delta(l.cost.flopsPerSample)) |\n"
      }
    }
    out += "\n| total | old | new | change |\n|---|--:|--:|--:|\n"
    for t in totalLines(d.totals) {
      out += "| **\(t.label)** | \(t.format(t.count.old)) | \(t.format(t.count.new)) | "
        + "\(t.delta) |\n"
    }
    return out
  }

  /// `4 changes: 3 architecture, 1 learning rate`.
  static func headline(_ d: SpecDiff) -> String {
    let n = d.changes.count
    var counts: [(SpecChange.Kind, Int)] = []
    for k in SpecChange.Kind.allCases {
      let c = d.changes.filter { $0.kind == k }.count
      if c > 0 { counts.append((k, c)) }
    }
    return "\(n) change\(n == 1 ? "" : "s") ("
      + counts.map { "\($1) \($0.label)" }.joined(separator: ", ") + ")"
  }

  /// Whether `--resume` would take the change, naming the kinds that stop it.
  static func resumeVerdict(_ d: SpecDiff) -> String {
    let unsafe = SpecChange.Kind.allCases.filter { k in
      !k.isSafeToResume && d.changes.contains { $0.kind == k }
    }
    if unsafe.isEmpty {
      return "Safe to resume: every change is to epochs, learning rate, schedule, checkpoints "
        + "or metadata."
    }
    return "Not safe to resume a run across it: "
      + unsafe.map(\.label).joined(separator: ", ") + " changed."
  }

  static func symbol(_ c: SpecChange) -> String {
    switch c.operation {
    case .changed: return "~"
    case .inserted: return "+"
    case .deleted: return "-"
    }
  }

  static func value(_ c: SpecChange) -> String {
    switch c.operation {
    case .changed: return "\(c.old ?? "") → \(c.new ?? "")"
    case .inserted: return c.new ?? ""
    case .deleted: return "\(c.old ?? "")  (old index)"
    }
  }

  static func arrow(_ c: CountChange, _ f: (Int) -> String) -> String {
    "\(f(c.old)) → \(f(c.new))"
  }

  static func signed(_ n: Int) -> String { n > 0 ? "+" + CostRenderer.int(n) : CostRenderer.int(n) }

  /// `+78,500 (+100.0%)`, `0`, or `+1,010 (new)` when there was nothing before.
  static func delta(_ c: CountChange, _ f: (Int) -> String = signedInt) -> String {
    if c.delta == 0 { return "0" }
    let pct = c.percent.map { String(format: "%+.1f%%", $0) } ?? "new"
    return "\(f(c.delta)) (\(pct))"
  }

  static func signedInt(_ n: Int) -> String { signed(n) }

  static func signedBytes(_ n: Int) -> String { (n > 0 ? "+" : "-") + ByteCount.format(abs(n)) }

  struct TotalLine {
    var label: String
    var count: CountChange
    var format: (Int) -> String
    var delta: String
  }

  static func totalLines(_ t: CostTotalsChange) -> [TotalLine] {
    let batch = t.batchSize.delta == 0
      ? "batch \(t.batchSize.new)" : "batch \(t.batchSize.old) → \(t.batchSize.new)"
    return [
      TotalLine(
        label: "parameters", count: t.parameters, format: CostRenderer.int,
        delta: delta(t.parameters)),
      TotalLine(
        label: "forward FLOPs/sample", count: t.forwardFLOPsPerSample, format: CostRenderer.int,
        delta: delta(t.forwardFLOPsPerSample)),
      TotalLine(
        label: "backward FLOPs/sample", count: t.backwardFLOPsPerSample, format: CostRenderer.int,
        delta: delta(t.backwardFLOPsPerSample)),
      TotalLine(
        label: "training memory (\(batch))", count: t.trainingMemoryBytes, format: ByteCount.format,
        delta: delta(t.trainingMemoryBytes, signedBytes)),
    ]
  }
}
