/// Overflow-checked arithmetic for the counts that scale with the batch size.
///
/// Per-sample counts are bounded by the checker (every tensor ≤ 2^31 − 1 elements), but
/// `cost --batch 9223372036854775807` multiplies them by the batch: the product wraps (or, with
/// overflow checks, traps). dlspec refuses such a batch before any report is built, with an
/// error that says the count overflows, rather than printing saturated figures: no machine
/// runs a batch whose FLOPs or bytes exceed 2^63, so there is nothing useful to show.
public enum CountBound {
  /// Headroom for the few sums and small factors (bytes per scalar, optimizer slots, the
  /// notes' 2·N·h) applied after the batch product.
  public static let headroom = 64

  /// Nil when every batch-scaled count of `e` at `batch` fits in `Int` with headroom;
  /// otherwise the message to show.
  public static func overflow(_ e: Experiment, batch: Int) -> String? {
    var perSample = 1
    func add(_ n: Int) -> Bool {
      let (sum, overflow) = perSample.addingReportingOverflow(max(0, n))
      perSample = sum
      return !overflow
    }
    var ok = add(e.model.input.elementCount)
    for l in e.model.layers where ok {
      let c = l.cost
      ok =
        add(c.forwardOps) && add(c.forwardMACs) && add(c.backwardParamOps)
        && add(c.backwardInputOps) && add(c.backwardParamMACs) && add(c.backwardInputMACs)
        && add(c.workspaceElements) && add(l.outputShape.elementCount)
        && add(l.inputShape.elementCount)
    }
    let total = ok ? product(perSample, batch, headroom) : nil
    guard total == nil else { return nil }
    return "at batch size \(batch) the model's counts overflow 64-bit integers (batch × "
      + "per-sample operations or bytes > 9.2e18); use a batch size that fits in memory"
  }

  /// `a × b × c`, or nil when it overflows.
  public static func product(_ a: Int, _ b: Int, _ c: Int = 1) -> Int? {
    let (ab, o1) = a.multipliedReportingOverflow(by: b)
    guard !o1 else { return nil }
    let (abc, o2) = ab.multipliedReportingOverflow(by: c)
    return o2 ? nil : abc
  }
}
