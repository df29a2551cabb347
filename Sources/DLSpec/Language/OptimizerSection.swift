/// `optimizer:` sgd (2.10)/(2.43) with momentum, Nesterov and weight decay; rmsprop; adam.
public enum OptimizerSection {
  static let lr = ParamSpec(
    "lr", .number(min: 0, max: nil, exclusiveMin: true, exclusiveMax: false), required: true,
    doc: "learning rate α > 0")
  static let weightDecay = ParamSpec(
    "weight_decay", .number(min: 0, max: nil, exclusiveMin: false, exclusiveMax: false),
    default: .number(0), doc: "L2 penalty λ added to the gradient as λθ")
  static let momentum = ParamSpec(
    "momentum", .number(min: 0, max: 1, exclusiveMin: false, exclusiveMax: true),
    default: .number(0), doc: "momentum coefficient in [0, 1)")
  static let eps = ParamSpec(
    "eps", .number(min: 0, max: nil, exclusiveMin: true, exclusiveMax: false),
    default: .number(1e-8), doc: "added to the denominator for stability")

  public static let variants: [(name: String, params: [ParamSpec], doc: String)] = [
    ("adam", [
      lr,
      ParamSpec(
        "beta1", .number(min: 0, max: 1, exclusiveMin: false, exclusiveMax: true),
        default: .number(0.9), doc: "decay of the first-moment estimate, in [0, 1)"),
      ParamSpec(
        "beta2", .number(min: 0, max: 1, exclusiveMin: false, exclusiveMax: true),
        default: .number(0.999), doc: "decay of the second-moment estimate, in [0, 1)"),
      eps, weightDecay,
    ], "Adam with bias correction"),
    ("rmsprop", [
      lr,
      ParamSpec(
        "rho", .number(min: 0, max: 1, exclusiveMin: false, exclusiveMax: true),
        default: .number(0.99), doc: "decay of the squared-gradient average, in [0, 1)"),
      eps, momentum, weightDecay,
    ], "RMSprop: divide by a running RMS of the gradient"),
    ("sgd", [
      lr, momentum,
      ParamSpec("nesterov", .bool, default: .bool(false), doc: "use Nesterov momentum"),
      weightDecay,
    ], "stochastic gradient descent θ ← θ − α∇θ (2.10), averaged over the mini-batch (2.44)"),
  ]

  /// Used when the spec has no `optimizer:` section.
  static let defaultConfig = OptimizerConfig.sgd(lr: 0.01, momentum: 0, nesterov: false, weightDecay: 0)

  static func read(_ node: SyntaxNode, into bag: inout DiagnosticBag) -> Section<OptimizerConfig>? {
    guard
      let choice = NamedChoice.read(
        node, choices: variants.map(\.name), noun: "optimizer", context: "'optimizer'",
        unknownCode: .unknownOptimizer, into: &bag),
      let specs = variants.first(where: { $0.name == choice.name })?.params
    else { return nil }
    let p = ParamReader.read(
      choice.paramsNode, specs: specs, context: "optimizer '\(choice.name)'",
      anchor: choice.nameLocation, into: &bag)
    guard let lr = p.number("lr"), let wd = p.number("weight_decay") else { return nil }
    let config: OptimizerConfig
    switch choice.name {
    case "sgd":
      guard let m = p.number("momentum"), let n = p.bool("nesterov") else { return nil }
      if n && m == 0 {
        bag.error(
          .conflictingKeys, at: p.location("nesterov"),
          "Nesterov momentum needs a momentum > 0", hint: "set `momentum:` (e.g. 0.9)")
        return nil
      }
      config = .sgd(lr: lr, momentum: m, nesterov: n, weightDecay: wd)
    case "rmsprop":
      guard let rho = p.number("rho"), let eps = p.number("eps"), let m = p.number("momentum")
      else { return nil }
      config = .rmsprop(lr: lr, rho: rho, eps: eps, momentum: m, weightDecay: wd)
    default:
      guard let b1 = p.number("beta1"), let b2 = p.number("beta2"), let eps = p.number("eps")
      else { return nil }
      config = .adam(lr: lr, beta1: b1, beta2: b2, eps: eps, weightDecay: wd)
    }
    return Section(config, variant: choice.name, params: p, origin: .source(choice.nameLocation))
  }

  static var defaultSection: Section<OptimizerConfig> {
    var p = ParamValues()
    p.order = ["lr", "momentum", "nesterov", "weight_decay"]
    p.values = ["lr": .number(0.01), "momentum": .number(0), "nesterov": .bool(false), "weight_decay": .number(0)]
    return Section(defaultConfig, variant: "sgd", params: p, origin: .defaulted)
  }
}
