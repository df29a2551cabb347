import Foundation

/// `dlspec cost` output as an aligned table, JSON or Markdown.
public enum CostRenderer {
  static func int(_ n: Int) -> String {
    // Thousands separators make 7-digit counts readable; JSON keeps raw numbers.
    let s = String(n.magnitude)
    var out = ""
    for (i, c) in s.reversed().enumerated() {
      if i > 0 && i % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return (n < 0 ? "-" : "") + String(out.reversed())
  }

  static let headers = [
    "layer", "kind", "output", "params", "fwd FLOPs", "fwd MACs", "bwd FLOPs", "bwd MACs",
    "param bytes",
  ]

  static func cells(_ r: CostReport.Row) -> [String] {
    [
      r.name, r.kind, r.outputShape.description, int(r.parameters), int(r.forwardOps),
      int(r.forwardMACs), int(r.backwardOps), int(r.backwardMACs), int(r.parameterBytes),
    ]
  }

  static func totalCells(_ c: CostReport) -> [String] {
    [
      "total", "", "", int(c.parameters), int(c.forwardOps), int(c.forwardMACs),
      int(c.backwardOps), int(c.backwardMACs), int(c.parameters * c.scalarBytes),
    ]
  }

  public static func table(_ c: CostReport) -> String {
    var rows = [headers] + c.rows.map(cells) + [cells(c.loss), totalCells(c)]
    rows.insert(headers.map { String(repeating: "-", count: $0.count) }, at: 1)
    var lines = TextTable.lines(rows, rightAligned: Set(3..<headers.count))
    // A rule above the total row.
    lines.insert(
      TextTable.widths(rows).map { String(repeating: "-", count: $0) }.joined(separator: "  "),
      at: lines.count - 1)
    var out = "cost of '\(c.experimentName)': per sample (FLOPs = arithmetic operations, "
      + "a multiply-add is 2; MACs = multiply-adds), float\(c.scalarBytes * 8)\n\n"
    out += lines.joined(separator: "\n") + "\n"
    let notes = (c.rows + [c.loss]).compactMap { r in r.note.map { "  \(r.name): \($0)" } }
    if !notes.isEmpty { out += "\nnotes:\n" + notes.joined(separator: "\n") + "\n" }
    out += "\nper batch of \(c.batch):\n"
    out += "  forward   \(int(c.perBatch(c.forwardOps))) FLOPs (\(int(c.perBatch(c.forwardMACs))) MACs)\n"
    out += "  backward  \(int(c.perBatch(c.backwardOps))) FLOPs (\(int(c.perBatch(c.backwardMACs))) MACs)\n"
    out += "  step      \(int(c.perBatch(c.forwardOps) &+ c.perBatch(c.backwardOps))) FLOPs\n"
    out += "\nlearning rate: \(c.schedule.text)\n"
    out += "\ntraining memory at batch \(c.batch):\n"
    func memoryLine(_ label: String, _ bytes: Int) -> String {
      "  " + label.rightPadded(17) + int(bytes).leftPadded(15) + " bytes  " + ByteCount.format(bytes) + "\n"
    }
    for role in BufferLayout.Role.allCases where c.memory.bytes(role) > 0 {
      out += memoryLine(role.rawValue, c.memory.bytes(role))
    }
    out += memoryLine("total", c.memory.totalBytes)
    if let n = c.notes {
      out += "\nthe notes' formulas for the multi-layer network (4.1), "
        + "L = \(n.L), d_H = \(n.dH), d = \(n.d), K = \(n.K), N = \(n.N):\n"
      for line in n.lines {
        let agree = line.formula == line.exact ? "agree" : "differ by \(int(line.exact - line.formula))"
        out += "  \(line.equation) \(line.what): formula \(int(line.formula)), exact \(int(line.exact)) \(line.unit) (\(agree))\n"
        if let why = line.why { out += "         \(why)\n" }
      }
    }
    if let g = c.grown {
      out += "\nlargest grown model (growth: \(g.insertions) insertion\(g.insertions == 1 ? "" : "s")):"
        + " \(g.layers) layers, \(int(g.parameters)) parameters, forward \(int(g.forwardOps)) FLOPs"
        + " and backward \(int(g.backwardOps)) FLOPs per sample, training memory at batch"
        + " \(c.batch) \(int(g.memoryBytes)) bytes (\(ByteCount.format(g.memoryBytes)))\n"
    }
    return out
  }

  public static func markdown(_ c: CostReport) -> String {
    var out = "### Cost of `\(c.experimentName)` (per sample, float\(c.scalarBytes * 8))\n\n"
    out += "| " + headers.joined(separator: " | ") + " |\n"
    out += "|" + headers.enumerated().map { i, _ in i < 3 ? "---" : "---:" }.joined(separator: "|") + "|\n"
    for r in c.rows.map(cells) + [cells(c.loss), totalCells(c)] {
      out += "| " + r.joined(separator: " | ") + " |\n"
    }
    out += "\nPer batch of \(c.batch): forward \(int(c.perBatch(c.forwardOps))) FLOPs, "
      + "backward \(int(c.perBatch(c.backwardOps))) FLOPs.\n\n"
    out += "Learning rate: \(c.schedule.text).\n\n"
    out += "| memory at batch \(c.batch) | bytes |\n|---|---:|\n"
    for role in BufferLayout.Role.allCases where c.memory.bytes(role) > 0 {
      out += "| \(role.rawValue) | \(int(c.memory.bytes(role))) |\n"
    }
    out += "| **total** | **\(int(c.memory.totalBytes))** |\n"
    if let n = c.notes {
      out += "\n| equation | quantity | formula | exact | why they differ |\n|---|---|---:|---:|---|\n"
      for l in n.lines {
        out += "| \(l.equation) | \(l.what) | \(int(l.formula)) | \(int(l.exact)) | \(l.why ?? "they agree") |\n"
      }
    }
    if let g = c.grown {
      out += "\nLargest grown model (\(g.insertions) insertions): \(g.layers) layers, "
        + "\(int(g.parameters)) parameters, \(int(g.memoryBytes)) bytes of training memory.\n"
    }
    return out
  }

  public static func json(_ c: CostReport) -> String {
    func row(_ r: CostReport.Row) -> String {
      var f = [
        "\"name\": \(JSONText.string(r.name))", "\"kind\": \(JSONText.string(r.kind))",
        "\"output_shape\": [\(r.outputShape.dims.map(String.init).joined(separator: ", "))]",
        "\"parameters\": \(r.parameters)", "\"forward_flops\": \(r.forwardOps)",
        "\"forward_macs\": \(r.forwardMACs)", "\"backward_flops\": \(r.backwardOps)",
        "\"backward_macs\": \(r.backwardMACs)", "\"parameter_bytes\": \(r.parameterBytes)",
      ]
      if let n = r.note { f.append("\"note\": \(JSONText.string(n))") }
      return "    {" + f.joined(separator: ", ") + "}"
    }
    var out = "{\n  \"name\": \(JSONText.string(c.experimentName)),\n  \"batch\": \(c.batch),\n"
    out += "  \"scalar_bytes\": \(c.scalarBytes),\n"
    out += "  \"layers\": [\n" + c.rows.map(row).joined(separator: ",\n") + "\n  ],\n"
    out += "  \"loss\": " + row(c.loss).trimmingCharacters(in: .whitespaces) + ",\n"
    out += "  \"per_sample\": {\"parameters\": \(c.parameters), \"forward_flops\": \(c.forwardOps), "
      + "\"forward_macs\": \(c.forwardMACs), \"backward_flops\": \(c.backwardOps), "
      + "\"backward_macs\": \(c.backwardMACs)},\n"
    out += "  \"per_batch\": {\"forward_flops\": \(c.perBatch(c.forwardOps)), "
      + "\"forward_macs\": \(c.perBatch(c.forwardMACs)), \"backward_flops\": \(c.perBatch(c.backwardOps)), "
      + "\"backward_macs\": \(c.perBatch(c.backwardMACs))},\n"
    // Layer state appears only for models that have some, so the files of models without it
    // keep their keys (and goldens) from before the role existed.
    let roles = BufferLayout.Role.allCases.filter { $0 != .state || c.memory.bytes($0) > 0 }
      .map { "\"\($0.rawValue.replacingOccurrences(of: " ", with: "_"))\": \(c.memory.bytes($0))" }
    out += "  \"training_memory_bytes\": {" + roles.joined(separator: ", ")
      + ", \"total\": \(c.memory.totalBytes)},\n"
    let s = c.schedule
    out += "  \"learning_rate\": {\"first_step\": \(JSONText.number(s.firstRate)), "
      + "\"last_step\": \(JSONText.number(s.lastRate)), \"last_step_index\": \(s.lastStep), "
      + "\"step_count_exact\": \(s.exact)}"
    if let n = c.notes {
      let lines = n.lines.map { l in
        "    {\"equation\": \(JSONText.string(l.equation)), \"quantity\": \(JSONText.string(l.what)), "
          + "\"formula\": \(l.formula), \"exact\": \(l.exact), \"unit\": \(JSONText.string(l.unit)), "
          + "\"why\": \(l.why.map(JSONText.string) ?? "null")}"
      }
      out += ",\n  \"notes_formulas\": {\"L\": \(n.L), \"d_H\": \(n.dH), \"d\": \(n.d), \"K\": \(n.K), "
        + "\"N\": \(n.N), \"lines\": [\n" + lines.joined(separator: ",\n") + "\n  ]}"
    }
    if let g = c.grown {
      out += ",\n  \"largest_grown\": {\"insertions\": \(g.insertions), \"layers\": \(g.layers), "
        + "\"parameters\": \(g.parameters), \"forward_flops\": \(g.forwardOps), "
        + "\"backward_flops\": \(g.backwardOps), \"training_memory_bytes\": \(g.memoryBytes)}"
    }
    return out + "\n}\n"
  }
}
