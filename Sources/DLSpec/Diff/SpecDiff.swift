import Foundation

/// The semantic difference between two resolved experiments (`dlspec diff`).
///
/// Sections are compared key by key after defaults are filled in, so a default written out
/// equals the default left out, and key order or YAML style never show. Layers are aligned by
/// `LayerAlignment`. A changed optimizer or schedule variant is one change at `optimizer` or
/// `schedule`, not one per key. Every change that touches a layer carries that layer's cost
/// before and after; `totals` gives the whole experiment's.
public struct SpecDiff: Sendable {
  public var changes: [SpecChange]
  /// Every layer whose parameters or FLOPs differ, including layers whose own settings are the
  /// same but whose input shape changed (a wider layer before them).
  public var affectedLayers: [AffectedLayer]
  public var totals: CostTotalsChange

  public var isEmpty: Bool { changes.isEmpty }

  /// True when every change is of a kind a resumed run may take (epochs, learning rate, …).
  public var isSafeToResume: Bool { changes.allSatisfy(\.isSafeToResume) }

  /// A layer's cost before and after, and why it changed.
  public struct AffectedLayer: Sendable, Equatable {
    /// `model.layers[2]`: the new index, or the old one for a deleted layer.
    public var path: String
    /// "changed", "inserted", "deleted (old index)", or "input changed" for a layer whose
    /// settings are the same but whose input shape or position changed.
    public var note: String
    public var cost: LayerCostChange
  }

  public init(from old: Experiment, to new: Experiment) {
    let display = { (p: String) in Self.displayPath(p) }
    let a = ResolvedSpec(old, path: display)
    let b = ResolvedSpec(new, path: display)
    let costA = CostReport(old, batch: old.train.value.batchSize)
    let costB = CostReport(new, batch: new.train.value.batchSize)
    var changes: [SpecChange] = []
    func add(_ path: String, _ o: String?, _ n: String?, _ kind: SpecChange.Kind) {
      if o != n { changes.append(SpecChange(path: path, old: o, new: n, kind: kind)) }
    }
    add("dlspec", String(a.version), String(b.version), .metadata)
    add("name", a.name, b.name, .metadata)
    switch (a.data, b.data) {
    case (nil, nil): break
    case (let d?, nil): add("data", ResolvedSpec.flow(d), nil, .data)
    case (nil, let d?): add("data", nil, ResolvedSpec.flow(d), .data)
    case (let x?, let y?): Self.compare(x, y, prefix: "data") { add($0, $1, $2, .data) }
    }
    add("model.input", a.input, b.input, .architecture)
    var affected: [AffectedLayer] = []
    for step in LayerAlignment.align(a.layers, b.layers) {
      switch step {
      case .inserted(let j):
        let cost = Self.layerCost(nil, costB.rows[j])
        changes.append(
          SpecChange(path: "model.layers[\(j)]", old: nil, new: b.layers[j].summary,
                     kind: .architecture, cost: cost))
        affected.append(AffectedLayer(path: "model.layers[\(j)]", note: "inserted", cost: cost))
      case .deleted(let i):
        let cost = Self.layerCost(costA.rows[i], nil)
        changes.append(
          SpecChange(path: "model.layers[\(i)]", old: a.layers[i].summary, new: nil,
                     kind: .architecture, cost: cost))
        affected.append(
          AffectedLayer(path: "model.layers[\(i)]", note: "deleted (old index)", cost: cost))
      case .changed(let i, let j):
        let cost = Self.layerCost(costA.rows[i], costB.rows[j])
        let prefix = "model.layers[\(j)].\(b.layers[j].name)"
        Self.compare(a.layers[i].params, b.layers[j].params, prefix: prefix) { path, o, n in
          changes.append(SpecChange(path: path, old: o, new: n, kind: .architecture, cost: cost))
        }
        affected.append(AffectedLayer(path: "model.layers[\(j)]", note: "changed", cost: cost))
      case .same(let i, let j):
        let cost = Self.layerCost(costA.rows[i], costB.rows[j])
        if cost.parameters.delta != 0 || cost.flopsPerSample.delta != 0 {
          affected.append(
            AffectedLayer(path: "model.layers[\(j)]", note: "input changed", cost: cost))
        }
      }
    }
    add("loss", a.loss.summary, b.loss.summary, .loss)
    if a.optimizer.name != b.optimizer.name {
      add("optimizer", a.optimizer.summary, b.optimizer.summary, .optimizer)
    } else {
      let prefix = "optimizer.\(b.optimizer.name)"
      Self.compare(a.optimizer.params, b.optimizer.params, prefix: prefix) {
        add($0, $1, $2, $0.hasSuffix(".lr") ? .learningRate : .optimizer)
      }
    }
    if a.schedule.name != b.schedule.name {
      add("schedule", a.schedule.summary, b.schedule.summary, .schedule)
    } else {
      Self.compare(a.schedule.params, b.schedule.params, prefix: "schedule.\(b.schedule.name)") {
        add($0, $1, $2, .schedule)
      }
    }
    Self.compare(a.train, b.train, prefix: "train") {
      // The divergence rules only decide when to stop, like checkpoint settings decide what
      // is written: a resume may change them.
      let kind: SpecChange.Kind =
        $0 == "train.epochs"
        ? .epochs : $0.hasPrefix("train.divergence_") ? .checkpoint : .training
      add($0, $1, $2, kind)
    }
    Self.compare(a.checkpoint, b.checkpoint, prefix: "checkpoint") { add($0, $1, $2, .checkpoint) }
    // A growth rule decides which models the run trains: an architecture change.
    switch (a.growth, b.growth) {
    case (nil, nil): break
    case (let g?, nil): add("growth", ResolvedSpec.flow(g), nil, .architecture)
    case (nil, let g?): add("growth", nil, ResolvedSpec.flow(g), .architecture)
    case (let x?, let y?): Self.compare(x, y, prefix: "growth") { add($0, $1, $2, .architecture) }
    }
    self.changes = changes
    self.affectedLayers = affected
    totals = CostTotalsChange(
      parameters: CountChange(old: costA.parameters, new: costB.parameters),
      forwardFLOPsPerSample: CountChange(old: costA.forwardOps, new: costB.forwardOps),
      backwardFLOPsPerSample: CountChange(old: costA.backwardOps, new: costB.backwardOps),
      trainingMemoryBytes: CountChange(
        old: costA.memory.totalBytes, new: costB.memory.totalBytes),
      batchSize: CountChange(old: costA.batch, new: costB.batch))
  }

  /// Calls `report` for every key whose value differs, in the new side's key order and then
  /// the keys only the old side has.
  static func compare(
    _ a: [ResolvedSpec.Entry], _ b: [ResolvedSpec.Entry], prefix: String,
    report: (String, String?, String?) -> Void
  ) {
    let old = Dictionary(a.map { ($0.key, $0.value) }, uniquingKeysWith: { x, _ in x })
    let newKeys = Set(b.map(\.key))
    for e in b where old[e.key] != e.value { report("\(prefix).\(e.key)", old[e.key], e.value) }
    for e in a where !newKeys.contains(e.key) { report("\(prefix).\(e.key)", e.value, nil) }
  }

  static func layerCost(_ a: CostReport.Row?, _ b: CostReport.Row?) -> LayerCostChange {
    LayerCostChange(
      layer: (b ?? a)?.name ?? "",
      parameters: CountChange(old: a?.parameters ?? 0, new: b?.parameters ?? 0),
      flopsPerSample: CountChange(
        old: a.map { $0.forwardOps + $0.backwardOps } ?? 0,
        new: b.map { $0.forwardOps + $0.backwardOps } ?? 0))
  }

  /// A data path relative to the current directory when it lies below it (short, and the same
  /// for both sides); absolute otherwise. Both sides are resolved, so equal files compare equal.
  static func displayPath(_ path: String) -> String {
    let standard = URL(fileURLWithPath: path).standardizedFileURL.path
    return CanonicalSpec.relative(standard, to: FileManager.default.currentDirectoryPath)
  }
}
