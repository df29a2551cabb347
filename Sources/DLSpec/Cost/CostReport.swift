/// Per-layer and total cost of an experiment at a batch size: parameters, forward and backward
/// arithmetic (FLOPs and multiply-adds, per sample and per batch), parameter bytes and training
/// memory. Conventions: docs/cost.md.
public struct CostReport: Sendable {
  public struct Row: Sendable {
    public var name: String
    public var kind: String
    public var outputShape: Shape
    public var parameters: Int
    public var forwardOps: Int
    public var forwardMACs: Int
    public var backwardOps: Int
    public var backwardMACs: Int
    public var parameterBytes: Int
    /// Explains an unusual count (fused with the loss, input gradient skipped).
    public var note: String?
  }

  public var experimentName: String
  public var batch: Int
  public var scalarBytes: Int
  public var rows: [Row]
  /// The loss, counted apart from the layers: (4.12)–(4.13) count the network only.
  public var loss: Row
  public var memory: BufferLayout
  /// (4.12)–(4.15) beside the exact counts, for models of the notes' family (4.1).
  public var notes: NotesComparison?
  /// The learning rate at the first and last step of the configured run.
  public var schedule: ScheduleSpan
  /// With a `growth:` section, the largest model it can grow to (every insertion made).
  public var grown: Grown?

  /// Totals of the largest grown model, at the same batch size.
  public struct Grown: Sendable {
    public var insertions: Int
    public var layers: Int
    public var parameters: Int
    public var forwardOps: Int
    public var backwardOps: Int
    public var memoryBytes: Int
  }

  public init(_ e: Experiment, batch: Int, scalarBytes: Int = 4) {
    experimentName = e.name
    schedule = ScheduleSpan(e)
    self.batch = batch
    self.scalarBytes = scalarBytes
    let layers = e.model.layers
    let fusedLast = e.model.lastLayerFusesIntoLoss(e.loss.value)
    rows = layers.map { l in
      var backward = l.cost.backwardOps(includingInput: l.needsInputGradient)
      var note: String? = nil
      if fusedLast && l.index == layers.count - 1 {
        backward = 0
        note = "backward fused into the loss"
      } else if !l.needsInputGradient && l.cost.backwardInputOps > 0 {
        note = "no input gradient: nothing before it learns"
      }
      return Row(
        name: l.name, kind: l.kindName, outputShape: l.outputShape, parameters: l.parameterCount,
        forwardOps: l.cost.forwardOps, forwardMACs: l.cost.forwardMACs, backwardOps: backward,
        backwardMACs: l.cost.backwardMACs(includingInput: l.needsInputGradient),
        parameterBytes: l.parameterCount * scalarBytes, note: note)
    }
    let k = e.model.output.elementCount
    let (lf, lb, ln) = Self.lossOps(e.loss.value, classes: k, fused: fusedLast)
    loss = Row(
      name: "loss", kind: e.loss.value.rawValue, outputShape: Shape([1]), parameters: 0,
      forwardOps: lf, forwardMACs: 0, backwardOps: lb, backwardMACs: 0, parameterBytes: 0,
      note: ln)
    memory = BufferLayout(
      e.model, optimizer: e.optimizer.value, batch: batch, scalarBytes: scalarBytes,
      task: e.task.value)
    notes = NotesComparison(e, report: self)
    if let g = e.growth {
      var largest = e.largestGrown
      largest.growth = nil
      let r = CostReport(largest, batch: batch, scalarBytes: scalarBytes)
      grown = Grown(
        insertions: g.value.maxInsertions, layers: largest.model.layers.count,
        parameters: r.parameters, forwardOps: r.forwardOps, backwardOps: r.backwardOps,
        memoryBytes: r.memory.totalBytes)
    }
  }

  /// Loss arithmetic per sample over K outputs. Cross-entropy from logits computes softmax
  /// inside (2K, the notes' activation convention) and −log z_y (1); its backward is
  /// δ = (softmax(U) − e(y))/N: 2K. mse: K subtractions, K squares, K − 1 adds forward; K
  /// subtractions and K multiplies by 2/N backward. l1 likewise with |·| and sign.
  static func lossOps(_ loss: LossKind, classes k: Int, fused: Bool) -> (Int, Int, String?) {
    switch loss {
    case .crossEntropy:
      return fused
        ? (1, 2 * k, "−log z_y; backward δ = (softmax − e(y))/N")
        : (2 * k + 1, 2 * k, "softmax inside the loss, then −log z_y")
    case .mse: return (3 * k - 1, 2 * k, nil)
    case .l1: return (3 * k - 1, 2 * k, nil)
    }
  }

  public var parameters: Int { rows.reduce(0) { $0 + $1.parameters } }
  public var forwardOps: Int { rows.reduce(loss.forwardOps) { $0 + $1.forwardOps } }
  public var forwardMACs: Int { rows.reduce(0) { $0 + $1.forwardMACs } }
  public var backwardOps: Int { rows.reduce(loss.backwardOps) { $0 + $1.backwardOps } }
  public var backwardMACs: Int { rows.reduce(0) { $0 + $1.backwardMACs } }
  public var networkForwardOps: Int { rows.reduce(0) { $0 + $1.forwardOps } }
  public var networkBackwardOps: Int { rows.reduce(0) { $0 + $1.backwardOps } }

  /// Per-batch counts are N times the per-sample counts, as the notes count a mini-batch.
  public func perBatch(_ perSample: Int) -> Int {
    let (r, o) = perSample.multipliedReportingOverflow(by: batch)
    return o ? Int.max : r
  }
}
