/// The JSON Schema (draft 2020-12) of the spec language, generated from the same `ParamSpec`
/// lists and layer registry the checker uses. `schemas/dlspec-v1.schema.json` is its output.
///
/// Rules JSON Schema cannot express (shape inference, increasing boundaries, value counts,
/// class counts) stay with the checker; docs/spec-language.md lists which are which.
public enum SchemaGenerator {
  public static func generate(registry: LayerRegistry = .builtIn) -> String {
    var root = JSONObject()
    root["$schema"] = .string("https://json-schema.org/draft/2020-12/schema")
    root["$id"] = .string("https://dlspec.dev/schemas/dlspec-v1.schema.json")
    root["title"] = .string("dlspec experiment spec, version 1")
    root["type"] = .string("object")
    root["required"] = .array([.string("dlspec"), .string("model"), .string("loss")])
    root["additionalProperties"] = .bool(false)
    var props = JSONObject()
    props["dlspec"] = .object(["const": .int(1), "description": .string("language version")])
    props["name"] = .object(["type": .string("string"), "pattern": .string("^[A-Za-z0-9._-]+$"), "description": .string("run name; defaults to the file name")])
    props["description"] = .object(["type": .string("string")])
    props["data"] = dataSchema()
    props["model"] = modelSchema(registry)
    props["loss"] = choice(LossSection.variants)
    props["optimizer"] = choice(OptimizerSection.variants)
    props["schedule"] = choice(ScheduleSection.variants)
    props["train"] = object(TrainSection.params)
    props["checkpoint"] = object(CheckpointSection.params)
    props["growth"] = growthSchema(registry)
    props["task"] = .object([
      "enum": .array(TaskInference.choices.map { .string($0) }),
      "description": .string("classification or regression; inferred from the loss when left out"),
    ])
    root["properties"] = .object(props)
    return JSONValue.object(root).render(indent: 0) + "\n"
  }

  /// `growth:` (§3.5): the rule's keys and the block, a list of layers as in `model`.
  static func growthSchema(_ registry: LayerRegistry) -> JSONValue {
    guard case .object(var o) = object(GrowthSection.params), case .object(var p)? = o["properties"]
    else { return object(GrowthSection.params) }
    p["layers"] = layersSchema(registry)
    o["properties"] = .object(p)
    o["required"] = .array([.string("before"), .string("layers")])
    return .object(o)
  }

  /// A list of one or more layers: bare names or `{kind: {params}}`.
  static func layersSchema(_ registry: LayerRegistry) -> JSONValue {
    var layerVariants: [JSONValue] = []
    let bare = registry.names.filter { registry.kinds[$0]?.params.allSatisfy { !$0.required } ?? false }
    layerVariants.append(.object(["enum": .array(bare.map { .string($0) }), "description": .string("a kind whose parameters all have defaults")]))
    for name in registry.names {
      guard let kind = registry.kinds[name] else { continue }
      layerVariants.append(.object([
        "type": .string("object"), "description": .string(kind.summary),
        "required": .array([.string(name)]), "additionalProperties": .bool(false),
        "properties": .object([name: paramsValue(kind.params)]),
      ]))
    }
    return .object(["type": .string("array"), "minItems": .int(1), "items": .object(["oneOf": .array(layerVariants)])])
  }

  static func modelSchema(_ registry: LayerRegistry) -> JSONValue {
    .object([
      "type": .string("object"), "required": .array([.string("input"), .string("layers")]),
      "additionalProperties": .bool(false),
      "properties": .object([
        "input": .object([
          "description": .string("[features] or [channels, height, width]"),
          "type": .string("array"), "items": .object(["type": .string("integer"), "minimum": .int(1)]),
          "minItems": .int(1), "maxItems": .int(3), "not": .object(["minItems": .int(2), "maxItems": .int(2)]),
        ]),
        "layers": layersSchema(registry),
      ]),
    ])
  }

  static func dataSchema() -> JSONValue {
    let hdf5 = object(DataSection.hdf5Specs)
    let idx = JSONValue.object([
      "type": .string("object"), "required": .array([.string("idx")]), "additionalProperties": .bool(false),
      "properties": .object(["idx": object(DataSection.idxSpecs)]),
    ])
    var data = object(DataSection.params)
    if case .object(var o) = data, case .object(var p)? = o["properties"] {
      p["train"] = .object(["oneOf": .array([hdf5, idx])])
      p["test"] = .object(["oneOf": .array([hdf5, idx])])
      o["properties"] = .object(p)
      o["not"] = .object(["required": .array([.string("dataset"), .string("train")])])
      o["anyOf"] = .array([.object(["required": .array([.string("dataset")])]), .object(["required": .array([.string("train")])])])
      data = .object(o)
    }
    return data
  }

  /// "bare name or {name: {params}}" for loss/optimizer/schedule.
  static func choice(_ variants: [(name: String, params: [ParamSpec], doc: String)]) -> JSONValue {
    var options: [JSONValue] = []
    let bare = variants.filter { v in v.params.allSatisfy { !$0.required } }.map { JSONValue.string($0.name) }
    if !bare.isEmpty { options.append(.object(["enum": .array(bare)])) }
    for v in variants {
      options.append(.object([
        "type": .string("object"), "description": .string(v.doc),
        "required": .array([.string(v.name)]), "additionalProperties": .bool(false),
        "properties": .object([v.name: paramsValue(v.params)]),
      ]))
    }
    return .object(["oneOf": .array(options)])
  }

  /// A kind's parameter mapping; an empty value (`relu:`) is allowed when nothing is required.
  static func paramsValue(_ params: [ParamSpec]) -> JSONValue {
    if params.allSatisfy({ !$0.required }) {
      return .object(["oneOf": .array([.object(["type": .string("null")]), object(params)])])
    }
    return object(params)
  }

  static func object(_ params: [ParamSpec]) -> JSONValue {
    var props = JSONObject()
    for p in params { props[p.name] = type(p) }
    var o: JSONObject = ["type": .string("object"), "additionalProperties": .bool(false), "properties": .object(props)]
    let required = params.filter(\.required).map { JSONValue.string($0.name) }
    if !required.isEmpty { o["required"] = .array(required) }
    return .object(o)
  }

  static func type(_ p: ParamSpec) -> JSONValue {
    var o = JSONObject()
    o["description"] = .string(p.doc)
    if let d = p.defaultValue { o["default"] = jsonValue(d) }
    func int(_ lo: Int?, _ hi: Int?) -> JSONObject {
      var t: JSONObject = ["type": .string("integer")]
      if let lo { t["minimum"] = .int(lo) }
      if let hi { t["maximum"] = .int(hi) }
      return t
    }
    func pair(_ lo: Int) -> JSONValue {
      .object(["type": .string("array"), "items": .object(int(lo, nil)), "minItems": .int(2), "maxItems": .int(2)])
    }
    switch p.type {
    case .int(let lo, let hi): o.merge(int(lo, hi))
    case .number(let lo, let hi, let el, let eh):
      o["type"] = .string("number")
      if let lo { o[el ? "exclusiveMinimum" : "minimum"] = .number(lo) }
      if let hi { o[eh ? "exclusiveMaximum" : "maximum"] = .number(hi) }
    case .bool: o["type"] = .string("boolean")
    case .string: o["type"] = .string("string")
    case .choice(let c): o["enum"] = .array(c.map { .string($0) })
    case .intPair(let lo): o["oneOf"] = .array([.object(int(lo, nil)), pair(lo)])
    case .padding: o["oneOf"] = .array([.object(int(0, nil)), pair(0), .object(["const": .string("same")])])
    case .intList(let lo):
      o["type"] = .string("array")
      o["items"] = .object(int(lo, nil))
    case .numberList(let lo, let ex):
      o["type"] = .string("array")
      var item: JSONObject = ["type": .string("number")]
      if let lo { item[ex ? "exclusiveMinimum" : "minimum"] = .number(lo) }
      o["items"] = .object(item)
    case .intOrAuto(let lo): o["oneOf"] = .array([.object(int(lo, nil)), .object(["const": .string("auto")])])
    }
    return .object(o)
  }

  static func jsonValue(_ v: ParamValue) -> JSONValue {
    switch v {
    case .int(let i): return .int(i)
    case .number(let d): return .number(d)
    case .bool(let b): return .bool(b)
    case .string(let s): return .string(s)
    case .pair(let a, let b): return .array([.int(a), .int(b)])
    case .same: return .string("same")
    case .ints(let xs): return .array(xs.map { .int($0) })
    case .numbers(let xs): return .array(xs.map { .number($0) })
    case .auto: return .string("auto")
    }
  }
}
