/// `task: classification | regression`, and the rule that fills it in when the spec leaves it
/// out. The rule reads the spec only (never the data), so `validate` decides the IR without
/// opening a file; `validate --check-data` then checks the data against it.
///
/// * `cross_entropy` → classification (`task: regression` with it is an error).
/// * `mse` / `l1` → regression when the model outputs one value per sample and `data.classes`
///   is not set (one class cannot be classified); classification otherwise, so a spec that
///   trains mse against one-hot class targets keeps its meaning. Write `task: regression` for
///   targets of width K > 1.
public enum TaskInference {
  public static let choices = TaskKind.allCases.map(\.rawValue)

  static func read(
    _ node: SyntaxNode?, loss: Section<LossKind>?, model: ModelIR?, data: DataConfig?,
    into bag: inout DiagnosticBag
  ) -> Section<TaskKind>? {
    guard let node else {
      let task = infer(loss: loss?.value, outputWidth: model?.output.elementCount, data: data)
      return Section(task, variant: nil, params: ParamValues(), origin: .defaulted)
    }
    guard case .string(let name)? = node.scalar else {
      bag.error(
        .wrongType, at: node.location,
        "'task' must be classification or regression, found \(node.kindDescription)",
        hint: "write `task: regression` or `task: classification`")
      return nil
    }
    guard let task = TaskKind(rawValue: name) else {
      bag.error(
        .unknownTask, at: node.location, "unknown task '\(name)'",
        hint: Suggest.nearestHint(for: name, among: choices, noun: "known tasks"))
      return nil
    }
    if task == .regression, let loss, loss.value == .crossEntropy {
      bag.error(
        .lossMismatch, at: loss.origin.location ?? node.location,
        "cross_entropy needs class labels, but the task is regression",
        hint: "use `loss: mse` or `loss: l1` for real-valued targets")
    }
    if task == .regression, let classes = data?.classes {
      bag.error(
        .conflictingKeys, at: node.location,
        "the task is regression, but `data.classes` says the targets are \(classes) classes",
        hint: "remove `classes:` from `data:` (regression targets are real values)")
    }
    if task == .regression, let data, case .named(let name) = data.source {
      bag.error(
        .conflictingKeys, at: node.location,
        "the task is regression, but the dataset '\(name)' holds class labels",
        hint: "give `train: {hdf5: …}` files with real-valued targets")
    }
    return Section(task, variant: nil, params: ParamValues(), origin: .source(node.location))
  }

  /// The task of a spec without `task:` (see the type's documentation).
  public static func infer(loss: LossKind?, outputWidth: Int?, data: DataConfig?) -> TaskKind {
    guard let loss, loss != .crossEntropy else { return .classification }
    if data?.classes != nil { return .classification }
    if let data, case .named = data.source { return .classification }
    return outputWidth == 1 ? .regression : .classification
  }
}
