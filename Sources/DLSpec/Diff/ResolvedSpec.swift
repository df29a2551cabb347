import Foundation

/// The resolved experiment as ordered keys and YAML values: the one walk over every setting
/// that both `CanonicalSpec` (which writes it) and `SpecDiff` (which compares it) read, so the
/// canonical text and the diff can never disagree about what a spec says.
struct ResolvedSpec: Equatable {
  /// One key and its value, written as a YAML flow scalar or list (`100`, `0.1`, `[5, 5]`).
  struct Entry: Equatable {
    var key: String
    var value: String
  }

  /// A `{variant: {params}}` choice: optimizer, schedule, loss, or one layer.
  struct Choice: Equatable {
    var name: String
    var params: [Entry]

    /// `dense {units: 100, bias: true}`, or the bare name when it takes no parameters.
    var summary: String { params.isEmpty ? name : "\(name) \(ResolvedSpec.flow(params))" }
  }

  var version: Int
  var name: String
  /// `dataset`, `validation_split`, `classes`, then `train` and `test` as flow mappings.
  var data: [Entry]?
  var input: String
  var layers: [Choice]
  var loss: Choice
  var optimizer: Choice
  var schedule: Choice
  var train: [Entry]
  var checkpoint: [Entry]
  /// `growth:`'s keys, then `layers` as one list of layer summaries; nil without one.
  var growth: [Entry]?

  /// - Parameter path: how a resolved data file path is written (relative to the spec's
  ///   directory for the canonical text; as given for the diff).
  init(_ e: Experiment, path: (String) -> String) {
    version = e.version
    name = e.name
    input = ResolvedSpec.value(.ints(e.model.input.dims))
    layers = e.model.layers.map { l in
      Choice(
        name: l.kindName, params: ResolvedSpec.entries(l.params, specs: type(of: l.kind).params))
    }
    loss = Choice(name: e.loss.value.rawValue, params: [])
    optimizer = Choice(
      name: e.optimizer.variant ?? "sgd",
      params: ResolvedSpec.entries(e.optimizer.params, specs: nil))
    schedule = Choice(
      name: e.schedule.variant ?? "constant",
      params: ResolvedSpec.entries(e.schedule.params, specs: nil))
    train = ResolvedSpec.entries(e.train.params, specs: TrainSection.params)
    checkpoint = ResolvedSpec.entries(e.checkpoint.params, specs: CheckpointSection.params)
    data = e.data.map { ResolvedSpec.data($0, path: path) }
    growth = e.growth.map { g in
      let block = g.value.block.map { l in
        Choice(name: l.kindName, params: ResolvedSpec.entries(l.params, specs: type(of: l.kind).params))
          .summary
      }
      return ResolvedSpec.entries(g.params, specs: GrowthSection.params)
        + [Entry(key: "layers", value: "[" + block.joined(separator: ", ") + "]")]
    }
  }

  /// The values in declaration order; pairs `[a, a]` of kernel-like keys become `a`, since the
  /// checker reads both the same way.
  static func entries(_ p: ParamValues, specs: [ParamSpec]?) -> [Entry] {
    let order = specs?.map(\.name) ?? p.order
    return order.compactMap { key in
      guard var v = p[key] else { return nil }
      if case .pair(let a, let b) = v, a == b { v = .int(a) }
      return Entry(key: key, value: value(v))
    }
  }

  static func data(_ d: DataConfig, path: (String) -> String) -> [Entry] {
    var out: [Entry] = []
    if case .named(let n) = d.source { out.append(Entry(key: "dataset", value: scalar(n))) }
    out.append(Entry(key: "validation_split", value: value(.number(d.validationSplit))))
    if let c = d.classes { out.append(Entry(key: "classes", value: String(c))) }
    if case .files(let train, let test) = d.source {
      out.append(Entry(key: "train", value: file(train, path: path)))
      if let test { out.append(Entry(key: "test", value: file(test, path: path))) }
    }
    return out
  }

  static func file(_ f: DataFile, path: (String) -> String) -> String {
    switch f.format {
    case .hdf5(let p, let x, let y):
      return flow([
        Entry(key: "hdf5", value: scalar(path(p))), Entry(key: "x", value: scalar(x)),
        Entry(key: "y", value: scalar(y)),
      ])
    case .idx(let images, let labels):
      let inner = flow([
        Entry(key: "images", value: scalar(path(images))),
        Entry(key: "labels", value: scalar(path(labels))),
      ])
      return "{idx: \(inner)}"
    }
  }

  /// `{a: 1, b: 2}`.
  static func flow(_ entries: [Entry]) -> String {
    "{" + entries.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
  }

  /// A checked value as YAML that reads back as the same value.
  static func value(_ v: ParamValue) -> String {
    switch v {
    case .string(let s): return scalar(s)
    case .number(let d): return number(d)
    case .numbers(let xs): return "[" + xs.map(number).joined(separator: ", ") + "]"
    default: return v.description
    }
  }

  /// Numbers keep their full precision (`0.1`, `1e-08`, `3`): YAML reads them back exactly.
  static func number(_ d: Double) -> String { JSONText.number(d) }

  /// A string plain when YAML reads it back as that string, double-quoted otherwise
  /// (`"true"`, `"1"`, `"a: b"`).
  static func scalar(_ s: String) -> String {
    let safe = s.unicodeScalars.allSatisfy { c in
      (c.properties.isAlphabetic || ("0"..."9").contains(c) || "-_./".unicodeScalars.contains(c))
        && c.isASCII
    }
    let first = s.unicodeScalars.first
    let reads = ScalarValue(plain: s)
    if safe, let first, first != "-", first != ".", case .string(s) = reads { return s }
    return JSONText.string(s)
  }
}
