/// `train:` epochs, batch size, seed, initialisation.
public enum TrainSection {
  public static let params = [
    ParamSpec("epochs", .int(min: 1, max: 1_000_000), default: .int(10), doc: "passes over the training set"),
    ParamSpec(
      "batch_size", .int(min: 1, max: 1 << 24), default: .int(100),
      doc: "samples per step; 1 is plain single-sample SGD (§2.2)"),
    ParamSpec("seed", .int(min: 0, max: nil), default: .int(1), doc: "seeds initialisation, shuffling and dropout"),
    ParamSpec(
      "init", .choice(InitScheme.allCases.map(\.rawValue)), default: .string("fan_in_normal"),
      doc: "weight initialisation: fan_in_normal N(0,1)/√fan_in (the notes'), xavier, he"),
    ParamSpec("shuffle", .bool, default: .bool(true), doc: "reshuffle the training set every epoch"),
    ParamSpec(
      "divergence_factor", .number(min: 0, max: nil, exclusiveMin: false, exclusiveMax: false),
      default: .number(1e6),
      doc: "stop when a step's loss exceeds this multiple of the run's first loss; 0 turns it off"),
    ParamSpec(
      "divergence_patience", .int(min: 0, max: 1_000_000), default: .int(50),
      doc: "stop when the loss grows for this many steps in a row; 0 turns it off"),
  ]

  static func read(_ node: SyntaxNode?, into bag: inout DiagnosticBag) -> Section<TrainConfig>? {
    let p = ParamReader.read(node, specs: params, context: "'train'", anchor: node?.location, into: &bag)
    guard let e = p.int("epochs"), let b = p.int("batch_size"), let s = p.int("seed"),
      let i = p.string("init").flatMap(InitScheme.init(rawValue:)), let sh = p.bool("shuffle"),
      let df = p.number("divergence_factor"), let dp = p.int("divergence_patience")
    else { return nil }
    let config = TrainConfig(
      epochs: e, batchSize: b, seed: s, initScheme: i, shuffle: sh, divergenceFactor: df,
      divergencePatience: dp)
    return Section(config, variant: nil, params: p, origin: node.map { .source($0.location) } ?? .defaulted)
  }
}
