/// `loss:` cross_entropy (1.11)/(2.6), mse ‖y − z‖² (1.3), or l1 Σ|z − y| (3.25).
/// None takes parameters; all three average over the batch.
public enum LossSection {
  public static let variants: [(name: String, params: [ParamSpec], doc: String)] = [
    ("cross_entropy", [], "negative log-likelihood −log softmax(u)_y, fused and stable"),
    ("l1", [], "Σ_k |z_k − y_k| against real targets (regression) or one-hot class targets"),
    ("mse", [], "Σ_k (z_k − y_k)² against real targets (regression) or one-hot class targets"),
  ]

  static func read(_ node: SyntaxNode, into bag: inout DiagnosticBag) -> Section<LossKind>? {
    guard
      let choice = NamedChoice.read(
        node, choices: variants.map(\.name), noun: "loss", context: "'loss'",
        unknownCode: .unknownLoss, into: &bag),
      let kind = LossKind(rawValue: choice.name)
    else { return nil }
    let params = ParamReader.read(
      choice.paramsNode, specs: [], context: "loss '\(choice.name)'",
      anchor: choice.nameLocation, into: &bag)
    return Section(kind, variant: choice.name, params: params, origin: .source(choice.nameLocation))
  }
}
