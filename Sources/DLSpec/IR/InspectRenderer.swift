import Foundation

/// `dlspec inspect`: the resolved experiment, with every default marked as such.
public enum InspectRenderer {
  public static func text(_ e: Experiment) -> String {
    var out = "experiment '\(e.name)'\(e.nameOrigin.isDefault ? "  (default: file name)" : "")\n"
    out += "  dlspec version \(e.version), from \(e.sourcePath)\n\n"
    out += "model: input \(e.model.input) per sample, \(CostRenderer.int(e.model.parameterCount)) parameters\n"
    let header = ["#", "layer", "kind", "output", "parameter shapes", "params", "settings"]
    var rows: [[String]] = [header]
    for l in e.model.layers {
      let shapes = l.parameters.map { "\($0.name) \($0.shape)" }.joined(separator: ", ")
      let settings = l.params.order.compactMap { k -> String? in
        guard let v = l.params[k] else { return nil }
        return "\(k)=\(v)" + (l.params.origin(k).isDefault ? "*" : "")
      }.joined(separator: " ")
      rows.append([
        String(l.index + 1), l.name, l.kindName, l.outputShape.description,
        shapes.isEmpty ? "-" : shapes, CostRenderer.int(l.parameterCount), settings,
      ])
    }
    out += table(rows, rightAligned: [0, 5])
    out += "  (* = default)\n"
    // Layer state (not trained, saved in checkpoints), only for models that have some.
    for l in e.model.layers where !l.state.isEmpty {
      out += "  state of \(l.name): "
        + l.state.map { "\($0.name) \($0.shape) = \(ParamValue.format($0.initial))" }
          .joined(separator: ", ") + "\n"
    }
    out += "\n"
    out += "loss: \(e.loss.value.rawValue)\n"
    // Shown for regression only: classification output stays as it was before `task:`.
    if e.task.value == .regression {
      out += "task: regression" + (e.task.origin == .defaulted ? "  (inferred)" : "") + "\n"
    }
    out += section("optimizer", e.optimizer.variant, e.optimizer.params, e.optimizer.origin)
    out += section("schedule", e.schedule.variant, e.schedule.params, e.schedule.origin)
    out += "  lr: \(ScheduleSpan(e).text)\n"
    out += section("train", nil, e.train.params, e.train.origin)
    out += section("checkpoint", nil, e.checkpoint.params, e.checkpoint.origin)
    out += data(e.data)
    out += growth(e)
    return out
  }

  /// The growth rule, the block and the largest model it can build (nothing without one).
  static func growth(_ e: Experiment) -> String {
    guard let g = e.growth else { return "" }
    var out = section("growth", nil, g.params, g.origin)
    let block = g.value.block.map { l in
      l.kindName + (l.params.order.isEmpty ? "" : " " + l.params.order.compactMap { k in
        l.params[k].map { "\(k)=\($0)" }
      }.joined(separator: " "))
    }
    out += "  block: " + block.joined(separator: ", ") + " (" + CostRenderer.int(
      g.value.block.reduce(0) { $0 + $1.parameterCount }) + " parameters per copy)\n"
    let largest = e.largestGrown.model
    out += "  largest model: \(largest.layers.count) layers, "
      + "\(CostRenderer.int(largest.parameterCount)) parameters after "
      + "\(g.value.maxInsertions) insertion\(g.value.maxInsertions == 1 ? "" : "s")\n"
    return out
  }

  static func section(_ title: String, _ variant: String?, _ p: ParamValues, _ origin: Origin) -> String {
    var out = "\(title):" + (variant.map { " \($0)" } ?? "") + (origin.isDefault ? "  (default)" : "") + "\n"
    for k in p.order {
      guard let v = p[k] else { continue }
      out += "  \(k): \(v)" + (p.origin(k).isDefault ? "  (default)" : "") + "\n"
    }
    return out
  }

  static func data(_ d: DataConfig?) -> String {
    guard let d else { return "data: none (train and evaluate need a `data:` section)\n" }
    var out = "data:\n"
    switch d.source {
    case .named(let n): out += "  dataset: \(n)\n"
    case .files(let train, let test):
      out += "  train: \(describe(train))\n"
      if let test { out += "  test: \(describe(test))\n" }
    }
    out += "  validation_split: \(ParamValue.number(d.validationSplit))\n"
    if let c = d.classes { out += "  classes: \(c)\n" }
    return out
  }

  static func describe(_ f: DataFile) -> String {
    switch f.format {
    case .hdf5(let path, let x, let y): return "hdf5 \(path) (x: \(x), y: \(y))"
    case .idx(let images, let labels): return "idx images \(images), labels \(labels)"
    }
  }

  static func table(_ rows: [[String]], rightAligned: Set<Int>) -> String {
    TextTable.lines(rows, rightAligned: rightAligned).map { "  " + $0 }.joined(separator: "\n") + "\n"
  }
}
