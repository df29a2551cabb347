/// Collects the nodes and initializers of one ONNX graph, naming values so that a node's output
/// can be traced back to the dlspec layer that made it.
struct ONNXGraphBuilder {
  var nodes: [Onnx_NodeProto] = []
  var initializers: [Onnx_TensorProto] = []

  /// Adds `tensor` as a constant named `name` (an initializer that is not a graph input).
  mutating func constant(_ name: String, _ tensor: FloatTensor) -> String {
    initializers.append(tensor.proto(named: name))
    return name
  }

  /// Adds one node; returns its (single) output's name.
  @discardableResult
  mutating func node(
    _ opType: String, name: String, inputs: [String], output: String,
    attributes: [Onnx_AttributeProto] = []
  ) -> String {
    var n = Onnx_NodeProto()
    n.opType = opType
    n.name = name
    n.input = inputs
    n.output = [output]
    n.attribute = attributes
    nodes.append(n)
    return output
  }
}

/// Attribute constructors (ONNX attributes are a tagged union; these set the tag and value).
enum Attribute {
  static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .ints
    a.ints = values.map(Int64.init)
    return a
  }

  static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .int
    a.i = Int64(value)
    return a
  }

  static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .float
    a.f = value
    return a
  }
}
