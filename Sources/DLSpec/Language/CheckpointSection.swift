/// `checkpoint:` how often to write epoch checkpoints and how many to keep.
public enum CheckpointSection {
  public static let params = [
    ParamSpec("every", .int(min: 1, max: nil), default: .int(1), doc: "write checkpoints/epoch-NNN.h5 every this many epochs"),
    ParamSpec("keep_last", .int(min: 0, max: nil), default: .int(0), doc: "keep only the newest N epoch checkpoints; 0 keeps all"),
  ]

  static func read(_ node: SyntaxNode?, into bag: inout DiagnosticBag) -> Section<CheckpointConfig>? {
    let p = ParamReader.read(node, specs: params, context: "'checkpoint'", anchor: node?.location, into: &bag)
    guard let every = p.int("every"), let keep = p.int("keep_last") else { return nil }
    return Section(
      CheckpointConfig(every: every, keepLast: keep), variant: nil, params: p,
      origin: node.map { .source($0.location) } ?? .defaulted)
  }
}
