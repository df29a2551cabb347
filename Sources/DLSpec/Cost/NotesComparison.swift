/// The notes' closed forms (4.12)–(4.15) for the multi-layer network (4.1), evaluated for a
/// model of that family and set beside dlspec's exact counts, with the reason for every gap.
///
/// The family: input [d]; L ≥ 1 hidden `dense(d_H)` layers with bias, each followed by the same
/// element-wise activation; `dense(K)` with bias; optionally `softmax`.
public struct NotesComparison: Sendable {
  public struct Line: Sendable {
    public var equation: String
    public var what: String
    public var formula: Int
    public var exact: Int
    public var unit: String
    /// Why they differ; nil when they agree.
    public var why: String?
  }

  public var L: Int
  public var dH: Int
  public var d: Int
  public var K: Int
  public var N: Int
  public var lines: [Line]

  init?(_ e: Experiment, report: CostReport) {
    guard let shape = Self.family(e.model) else { return nil }
    (L, dH, d, K) = shape
    N = report.batch
    let l = L
    let h = dH
    let f412 = 2 * (l - 1) * (h * h + h) + 2 * h * (1 + d + K) + 2 * K
    let f413 = (l - 1) * (3 * h * h + h) + h * (2 * h + d + 3 * K + 1) + 2 * K
    let f414 = (l - 1) * (h * h + h) + h * (d + K) + K
    let f415 = f414 + 2 * N * h
    let endsInSoftmax = e.model.layers.last?.kind.fusion.intoCrossEntropy == .probabilities
    var fwd = report.networkForwardOps
    var fwdWhy: String? = nil
    if !endsInSoftmax {
      // The notes' f ends in softmax (2K); without a softmax layer the loss computes it.
      fwd += 2 * K
      fwdWhy = "no softmax layer: its 2K operations run inside the loss and are counted here"
    }
    let bwd = report.networkBackwardOps + report.loss.backwardOps
    let exactParams = report.parameters
    let memNumbers = report.memory.totalBytes / report.scalarBytes
    var lines: [Line] = []
    lines.append(
      Line(
        equation: "(4.12)", what: "forward ops per sample", formula: f412, exact: fwd,
        unit: "ops",
        why: fwd == f412 ? fwdWhy : "the exact count differs by \(fwd - f412)"))
    lines.append(
      Line(
        equation: "(4.13)", what: "backward ops per sample", formula: f413, exact: bwd, unit: "ops",
        why: bwd == f413 ? nil
          : "(4.13) counts 2·d_H² = \(CostRenderer.int(2 * h * h)) more: one more d_H×d_H back-propagation "
            + "product than the L−1 = \(l - 1) hidden-to-hidden weight matrices need"
            + (bwd - f413 + 2 * h * h == 0 ? "" : " (remaining gap \(bwd - f413 + 2 * h * h))")))
    lines.append(
      Line(
        equation: "(4.14)", what: "parameters", formula: f414, exact: exactParams, unit: "numbers",
        why: exactParams == f414 ? nil
          : "(4.14) leaves out the first hidden layer's bias b¹ (d_H = \(h) numbers)"
            + (exactParams - f414 == h ? "" : "; gap \(exactParams - f414)")))
    lines.append(
      Line(
        equation: "(4.15)", what: "training memory at batch \(N)", formula: f415, exact: memNumbers,
        unit: "numbers",
        why: "(4.15) counts the parameters and two δ buffers (2·N·d_H); training also keeps "
          + "the gradients, optimizer state, the input batch and every layer's activations "
          + "for backward (docs/cost.md)"))
    // The notes state (4.15) in gigabytes; in bytes, at this plan's scalar size.
    let bytes = f415.multipliedReportingOverflow(by: report.scalarBytes)
    let f415Bytes = bytes.overflow ? Int.max : bytes.partialValue
    lines.append(
      Line(
        equation: "(4.15)", what: "training memory at batch \(N) in bytes",
        formula: f415Bytes, exact: report.memory.totalBytes, unit: "bytes",
        why: "(4.15) × \(report.scalarBytes) bytes per number = \(ByteCount.decimal(f415Bytes)). "
          + "The notes' example (L = 5, d_H = 500, d = 1,000, K = 100, N = 1,000: 2,552,100 "
          + "numbers) gives 10,208,400 bytes ≈ 0.010 GB in float32; their \"≈ 0.08 GB\" only "
          + "works out as gigabits (2,552,100 × 32 bits ≈ 0.082 Gbit)"))
    self.lines = lines
  }

  /// (L, d_H, d, K) when the model has the shape of (4.1).
  static func family(_ m: ModelIR) -> (Int, Int, Int, Int)? {
    guard m.input.rank == 1 else { return nil }
    var layers = m.layers
    if layers.last?.kind.fusion.intoCrossEntropy == .probabilities { layers.removeLast() }
    guard layers.count >= 3, layers.count % 2 == 1, let out = layers.last, isAffine(out)
    else { return nil }
    let hidden = layers.dropLast()
    var width: Int? = nil
    var activation: String? = nil
    for (i, layer) in hidden.enumerated() {
      if i % 2 == 0 {
        let units = layer.outputShape.dims.first ?? 0
        guard isAffine(layer), width == nil || width == units else { return nil }
        width = units
      } else {
        guard layer.kind.isActivation, activation == nil || activation == layer.kindName
        else { return nil }
        activation = layer.kindName
      }
    }
    guard let w = width else { return nil }
    return (hidden.count / 2, w, m.input.dims[0], out.outputShape.dims.first ?? 0)
  }

  /// A layer of the notes' form W x + b on a flat input: one that fuses an activation, with a
  /// weight matrix and a bias (dense with `bias: true`), read from declarations alone.
  static func isAffine(_ l: LayerIR) -> Bool {
    l.kind.fusion.acceptsActivation && l.inputShape.rank == 1 && l.outputShape.rank == 1
      && l.parameters.count == 2 && l.parameters[0].shape.rank == 2
  }
}
