/// `schedule:` how the learning rate α changes with the step or epoch count ℓ (from 0).
public enum ScheduleSection {
  static func unit(_ d: String) -> ParamSpec {
    ParamSpec("unit", .choice(["epoch", "step"]), default: .string(d), doc: "what ℓ counts: optimizer steps or epochs")
  }

  static let positive = ParamType.number(min: 0, max: nil, exclusiveMin: true, exclusiveMax: false)
  static let fraction = ParamType.number(min: 0, max: 1, exclusiveMin: true, exclusiveMax: false)

  public static let variants: [(name: String, params: [ParamSpec], doc: String)] = [
    ("constant", [], "α stays the optimizer's lr"),
    ("exponential", [
      ParamSpec("gamma", fraction, required: true, doc: "factor per unit, in (0, 1]"),
      unit("epoch"),
    ], "α = lr · gamma^ℓ"),
    ("inverse", [
      ParamSpec("c0", positive, required: true, doc: "numerator C0 > 0 of (2.17)"),
      ParamSpec("c1", positive, required: true, doc: "offset C1 > 0 of (2.17)"),
      unit("step"),
    ], "α = C0 / (C1 + ℓ), the notes' (2.17); ignores the optimizer's lr"),
    ("piecewise", [
      ParamSpec("boundaries", .intList(min: 1), required: true, doc: "increasing values of ℓ where α changes"),
      ParamSpec("values", .numberList(min: 0, exclusiveMin: true), required: true, doc: "α on each range: one more than the boundaries"),
      unit("epoch"),
    ], "piecewise constant (§2.2.2): values[i] until boundaries[i]"),
    ("step", [
      ParamSpec("step_size", .int(min: 1, max: nil), required: true, doc: "units between drops"),
      ParamSpec("gamma", fraction, default: .number(0.1), doc: "factor at each drop, in (0, 1]"),
      unit("epoch"),
    ], "α = lr · gamma^⌊ℓ / step_size⌋"),
  ]

  static func read(_ node: SyntaxNode, into bag: inout DiagnosticBag) -> Section<ScheduleConfig>? {
    guard
      let choice = NamedChoice.read(
        node, choices: variants.map(\.name), noun: "schedule", context: "'schedule'",
        unknownCode: .unknownSchedule, into: &bag),
      let specs = variants.first(where: { $0.name == choice.name })?.params
    else { return nil }
    let p = ParamReader.read(
      choice.paramsNode, specs: specs, context: "schedule '\(choice.name)'",
      anchor: choice.nameLocation, into: &bag)
    let unit = ScheduleUnit(rawValue: p.string("unit") ?? "epoch") ?? .epoch
    let config: ScheduleConfig
    switch choice.name {
    case "constant":
      config = .constant
    case "exponential":
      guard let g = p.number("gamma") else { return nil }
      config = .exponential(gamma: g, unit: unit)
    case "inverse":
      guard let c0 = p.number("c0"), let c1 = p.number("c1") else { return nil }
      config = .inverse(c0: c0, c1: c1, unit: unit)
    case "step":
      guard let s = p.int("step_size"), let g = p.number("gamma") else { return nil }
      config = .step(stepSize: s, gamma: g, unit: unit)
    default:
      guard let b = p.ints("boundaries"), let v = p.numbers("values") else { return nil }
      var ok = true
      for i in b.indices.dropFirst() where b[i] <= b[i - 1] {
        bag.error(
          .notIncreasing, at: p.location("boundaries"),
          "piecewise boundaries must increase, but \(b[i]) follows \(b[i - 1])",
          hint: "list the boundaries in increasing order, each once")
        ok = false
        break
      }
      if v.count != b.count + 1 {
        bag.error(
          .countMismatch, at: p.location("values"),
          "piecewise needs one more value than boundaries: \(b.count) boundaries, \(v.count) values",
          hint: "give \(b.count + 1) values: one before the first boundary and one after each")
        ok = false
      }
      guard ok else { return nil }
      config = .piecewise(boundaries: b, values: v, unit: unit)
    }
    return Section(config, variant: choice.name, params: p, origin: .source(choice.nameLocation))
  }

  static var defaultSection: Section<ScheduleConfig> {
    Section(.constant, variant: "constant", params: ParamValues(), origin: .defaulted)
  }
}
