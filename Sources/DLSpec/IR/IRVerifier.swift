/// Checks the invariants every `Experiment` built by `SpecChecker` must satisfy, and returns the
/// violations (empty when the IR is sound). Tests run it after checking every example spec and
/// every fuzzed spec that the checker accepts (T's `SPEC=2` verifier).
///
/// Invariants:
/// * layer indices run 0..n−1 in order and layer names are unique;
/// * the first layer's input is `model.input`, each later input is the previous output;
/// * each output shape is `kind.outputShape(for: input)` and the parameter shapes are
///   `kind.parameterShapes(for: input)`;
/// * `needsInputGradient` is true exactly when some earlier layer has parameters;
/// * every dimension and count is positive and computing it does not overflow;
/// * every section's params hold a value for each declared key that has a default.
public enum IRVerifier {
  public struct Violation: Hashable, Sendable, CustomStringConvertible {
    /// What the violation is about: `model`, `layer 3 (dense_2)`, `train`, …
    public var subject: String
    public var message: String

    public var description: String { "\(subject): \(message)" }
  }

  public static func verify(_ e: Experiment) -> [Violation] {
    var out: [Violation] = []
    func fail(_ subject: String, _ message: String) {
      out.append(Violation(subject: subject, message: message))
    }
    let model = e.model
    if model.layers.isEmpty { fail("model", "has no layers") }
    if !positive(model.input) { fail("model", "input \(model.input) has a non-positive or overflowing size") }
    var names: Set<String> = []
    var previous = model.input
    var seenParameters = false
    var totalParameters = 0
    for (i, l) in model.layers.enumerated() {
      let subject = "layer \(i + 1) (\(l.name))"
      if l.index != i { fail(subject, "index is \(l.index), expected \(i)") }
      if !names.insert(l.name).inserted { fail(subject, "name '\(l.name)' is not unique") }
      if l.inputShape != previous {
        fail(subject, "input shape \(l.inputShape) differs from the previous output \(previous)")
      }
      switch l.kind.outputShape(for: l.inputShape) {
      case .success(let s) where s == l.outputShape: break
      case .success(let s): fail(subject, "output shape \(l.outputShape), but the kind infers \(s)")
      case .failure(let p): fail(subject, "the kind rejects its input shape: \(p.message)")
      }
      if !positive(l.outputShape) { fail(subject, "output \(l.outputShape) has a non-positive or overflowing size") }
      if l.parameters != l.kind.parameterShapes(for: l.inputShape) {
        fail(subject, "parameter shapes differ from what the kind declares for \(l.inputShape)")
      }
      if l.state != l.kind.stateShapes(for: l.inputShape) {
        fail(subject, "state shapes differ from what the kind declares for \(l.inputShape)")
      }
      for p in l.parameters where !positive(p.shape) || p.fanIn < 1 || p.fanOut < 1 {
        fail(subject, "parameter \(p.name) \(p.shape) has a non-positive or overflowing size")
      }
      let count = l.parameters.reduce(Optional(0)) { acc, p in
        guard let acc, let c = p.shape.count else { return nil }
        let (s, o) = acc.addingReportingOverflow(c)
        return o ? nil : s
      }
      if let count {
        let (s, o) = totalParameters.addingReportingOverflow(count)
        if o { fail(subject, "the model's parameter count overflows") } else { totalParameters = s }
      } else {
        fail(subject, "parameter count overflows")
      }
      if l.needsInputGradient != seenParameters {
        fail(subject, "needsInputGradient is \(l.needsInputGradient), expected \(seenParameters)")
      }
      let c = l.cost
      for (what, v) in [
        ("forwardOps", c.forwardOps), ("forwardMACs", c.forwardMACs),
        ("backwardParamOps", c.backwardParamOps), ("backwardInputOps", c.backwardInputOps),
        ("backwardParamMACs", c.backwardParamMACs), ("backwardInputMACs", c.backwardInputMACs),
        ("workspaceElements", c.workspaceElements),
      ] where v < 0 {
        fail(subject, "cost \(what) is negative (\(v)): it overflowed")
      }
      if c != l.kind.cost(input: l.inputShape, output: l.outputShape) {
        fail(subject, "cost differs from the kind's cost for its shapes")
      }
      defaults(l.params, Swift.type(of: l.kind).params, subject, &out)
      if !l.parameters.isEmpty { seenParameters = true }
      previous = l.outputShape
    }
    let batch = e.train.value.batchSize
    if batch < 1 { fail("train", "batch_size \(batch) is not positive") }
    if e.train.value.epochs < 1 { fail("train", "epochs \(e.train.value.epochs) is not positive") }
    if e.checkpoint.value.every < 1 { fail("checkpoint", "every \(e.checkpoint.value.every) is not positive") }
    defaults(e.train.params, TrainSection.params, "train", &out)
    defaults(e.checkpoint.params, CheckpointSection.params, "checkpoint", &out)
    if let v = e.optimizer.variant, let specs = OptimizerSection.variants.first(where: { $0.name == v })?.params {
      defaults(e.optimizer.params, specs, "optimizer", &out)
    } else {
      fail("optimizer", "unknown variant \(e.optimizer.variant ?? "nil")")
    }
    if let v = e.schedule.variant, let specs = ScheduleSection.variants.first(where: { $0.name == v })?.params {
      defaults(e.schedule.params, specs, "schedule", &out)
    } else {
      fail("schedule", "unknown variant \(e.schedule.variant ?? "nil")")
    }
    if let data = e.data {
      for spec in DataSection.params where spec.defaultValue != nil && data.params.values[spec.name] == nil {
        fail("data", "default of '\(spec.name)' was not filled in")
      }
    }
    return out
  }

  /// Every declared key with a default has a value.
  static func defaults(_ p: ParamValues, _ specs: [ParamSpec], _ subject: String, _ out: inout [Violation]) {
    for spec in specs where spec.defaultValue != nil && p[spec.name] == nil {
      out.append(Violation(subject: subject, message: "default of '\(spec.name)' was not filled in"))
    }
  }

  /// Every dimension ≥ 1 and the element count fits in `Int`.
  static func positive(_ s: Shape) -> Bool {
    !s.dims.isEmpty && s.dims.allSatisfy { $0 >= 1 } && s.count != nil
  }
}
