/// `model:` the input shape and the ordered layers; runs shape inference layer by layer.
///
/// ```yaml
/// model:
///   input: [1, 28, 28]
///   layers:
///     - conv2d: {filters: 8, kernel: 5}
///     - relu
///     - flatten
///     - dense: {units: 10}
/// ```
public enum ModelSection {
  public static let keys = ["input", "layers"]
  /// Largest element count of one tensor: OpenBLAS indexes with 32-bit integers.
  public static let maximumTensorElements = Int(Int32.max)

  static func read(
    _ node: SyntaxNode, registry: LayerRegistry, into bag: inout DiagnosticBag
  ) -> ModelIR? {
    guard let pairs = node.mappingPairs else {
      bag.error(
        .wrongType, at: node.location, "'model' must be a mapping, found \(node.kindDescription)",
        hint: "write `model:` with `input: [784]` and `layers:` below it")
      return nil
    }
    var inputNode: SyntaxNode?
    var layersNode: SyntaxNode?
    for (key, value) in pairs {
      switch key.scalar {
      case .string("input")?: inputNode = value
      case .string("layers")?: layersNode = value
      case .string(let k)?:
        bag.error(
          .unknownKey, at: key.location, "unknown key '\(k)' in 'model'",
          hint: Suggest.hint(for: k, among: keys, noun: "valid keys"))
      default:
        bag.error(.wrongType, at: key.location, "keys must be names, found \(key.kindDescription)")
      }
    }
    let input = readInput(inputNode, anchor: node.location, into: &bag)
    guard let layersNode else {
      bag.error(
        .missingKey, at: node.location, "'model' needs 'layers': the ordered list of layers",
        hint: "add `layers:` with one `- kind` or `- kind: {params}` per line")
      return nil
    }
    guard let items = layersNode.sequenceItems else {
      bag.error(
        .wrongType, at: layersNode.location, "'layers' must be a list, found \(layersNode.kindDescription)",
        hint: "start each layer on its own line with `- `")
      return nil
    }
    guard !items.isEmpty else {
      bag.error(
        .emptyModel, at: layersNode.location, "the model has no layers",
        hint: "add at least one layer, e.g. `- dense: {units: 10}`")
      return nil
    }
    let layers = readLayers(items, input: input, registry: registry, into: &bag)
    guard let input = input, let layers else { return nil }
    let seenParameters = layers.contains { !$0.parameters.isEmpty }
    // Nothing to train: the planner, the optimizer and gradcheck all need at least one
    // parameter tensor, so refuse here, where the user can be pointed at the layers.
    guard seenParameters else {
      bag.error(
        .noParameters, at: layersNode.location,
        "the model has no trainable parameters: its \(layers.count) layer"
          + "\(layers.count == 1 ? "" : "s") (\(layers.map(\.kindName).joined(separator: ", ")))"
          + (layers.count == 1 ? " has none" : " have none"),
        hint: "add a layer with weights, e.g. `- dense: {units: 10}` before the softmax")
      return nil
    }
    return ModelIR(input: input, inputOrigin: inputNode.map { .source($0.location) } ?? .defaulted, layers: layers)
  }

  /// Reads layer entries (`model.layers`, or a growth block) and infers their shapes from
  /// `input`; nil when any entry has an error (each reported). Names count per kind and take
  /// `namePrefix` (`g1_` for a growth block); `context` names an entry in messages ("layer 3").
  static func readLayers(
    _ items: [SyntaxNode], input: Shape?, registry: LayerRegistry, namePrefix: String = "",
    context: String = "layer", into bag: inout DiagnosticBag
  ) -> [LayerIR]? {
    var layers: [LayerIR] = []
    var shape = input
    var counts: [String: Int] = [:]
    var seenParameters = false
    for (index, item) in items.enumerated() {
      guard
        let choice = NamedChoice.read(
          item, choices: registry.names, noun: "layer kind", context: "\(context) \(index + 1)",
          unknownCode: .unknownLayer, into: &bag),
        let kindType = registry.kinds[choice.name]
      else {
        shape = nil
        continue
      }
      let before = bag.errors.count
      let values = ParamReader.read(
        choice.paramsNode, specs: kindType.params, context: "\(choice.name) layer",
        anchor: choice.nameLocation, into: &bag)
      guard bag.errors.count == before,
        let kind = kindType.init(values, at: choice.nameLocation, bag: &bag)
      else {
        shape = nil
        continue
      }
      guard let inShape = shape else { continue }
      switch kind.outputShape(for: inShape) {
      case .failure(let problem):
        bag.error(
          problem.code, at: choice.nameLocation,
          "\(context) \(index + 1) (\(choice.name)): \(problem.message)", hint: problem.hint)
        shape = nil
      case .success(let out):
        guard let outCount = out.count, outCount <= maximumTensorElements,
          out.dims.allSatisfy({ $0 >= 1 })
        else {
          bag.error(
            .tooLarge, at: choice.nameLocation,
            "\(context) \(index + 1) (\(choice.name)) outputs \(out) per sample, more than "
              + "\(maximumTensorElements) elements",
            hint: "OpenBLAS indexes tensors with 32-bit integers; shrink the layer")
          shape = nil
          continue
        }
        let params = kind.parameterShapes(for: inShape)
        if let big = params.first(where: { ($0.shape.count ?? Int.max) > maximumTensorElements }) {
          bag.error(
            .tooLarge, at: choice.nameLocation,
            "\(context) \(index + 1) (\(choice.name)) has a \(big.name) of shape \(big.shape), "
              + "more than \(maximumTensorElements) elements",
            hint: "OpenBLAS indexes tensors with 32-bit integers; shrink the layer")
          shape = nil
          continue
        }
        counts[choice.name, default: 0] += 1
        layers.append(
          LayerIR(
            index: index, name: "\(namePrefix)\(choice.name)_\(counts[choice.name] ?? 1)", kind: kind,
            params: values, inputShape: inShape, outputShape: out, parameters: params,
            state: kind.stateShapes(for: inShape), location: choice.nameLocation, needsInputGradient: seenParameters,
            cost: kind.cost(input: inShape, output: out)))
        if !params.isEmpty { seenParameters = true }
        shape = out
      }
    }
    return layers.count == items.count ? layers : nil
  }

  static func readInput(_ node: SyntaxNode?, anchor: SourceLocation, into bag: inout DiagnosticBag) -> Shape? {
    guard let node else {
      bag.error(
        .missingKey, at: anchor, "'model' needs 'input': the shape of one sample",
        hint: "add `input: [784]` for flat input or `input: [1, 28, 28]` for images")
      return nil
    }
    let spec = ParamSpec("input", .intList(min: 1), required: true, doc: "[features] or [channels, height, width]")
    guard case .ints(let dims)? = ParamReader.check(node, spec: spec, context: "'model'", into: &bag) else {
      return nil
    }
    guard dims.count == 1 || dims.count == 3 else {
      bag.error(
        .shapeMismatch, at: node.location,
        "'input' must be [features] or [channels, height, width], found \(dims.count) dimensions",
        hint: "e.g. [784] or [1, 28, 28]")
      return nil
    }
    let shape = Shape(dims)
    guard let c = shape.count, c <= maximumTensorElements else {
      bag.error(
        .tooLarge, at: node.location, "'input' \(shape) has more than \(maximumTensorElements) elements",
        hint: "OpenBLAS indexes tensors with 32-bit integers")
      return nil
    }
    return shape
  }
}
