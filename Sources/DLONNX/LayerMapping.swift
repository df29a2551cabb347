import DLSpec

/// How each dlspec layer kind becomes ONNX nodes (docs/onnx.md, "Mapping", has the table and
/// why each is exact). Every layer's last node writes a value named after the layer (`conv2d_1`),
/// so a difference found by `export --verify` names the layer; its weights are initializers
/// named `layer.parameter` (`conv2d_1.weight`), as in dlspec's checkpoints.
enum LayerMapping {
  /// Appends the nodes of `layer`, reading `input`; returns the ONNX operators used. `weights`
  /// holds the layer's parameters and state by name (`weight`, `running_mean`, …).
  static func emit(
    _ layer: LayerIR, input: String, weights: [String: FloatTensor],
    into g: inout ONNXGraphBuilder
  ) throws(Diagnostic) -> [String] {
    let name = layer.name
    // The weights come from the plan of this very model, so a missing one is a bug here.
    func w(_ key: String) throws(Diagnostic) -> String {
      guard let t = weights[key] else {
        throw Diagnostic(
          .onnxInexpressible, at: layer.location, "\(name) has no '\(key)' to export",
          hint: "this is a bug in dlspec's exporter; please report it with the spec")
      }
      return g.constant("\(name).\(key)", t)
    }
    switch layer.kind {
    case let d as Dense:
      // x [N, in] · Wᵀ with W [units, in] (DenseKernel's layout, PyTorch's too): transB = 1.
      var inputs = [input, try w("weight")]
      if d.bias { inputs.append(try w("bias")) }
      g.node(
        "Gemm", name: name, inputs: inputs, output: name,
        attributes: [Attribute.int("transB", 1)])
      return ["Gemm"]
    case let c as Conv2D:
      // Weight [filters, C, ky, kx] is ONNX's [M, C/group, kH, kW]; padding is symmetric.
      var inputs = [input, try w("weight")]
      if c.bias { inputs.append(try w("bias")) }
      g.node(
        "Conv", name: name, inputs: inputs, output: name,
        attributes: [
          Attribute.ints("kernel_shape", [c.kernel.y, c.kernel.x]),
          Attribute.ints("strides", [c.stride.y, c.stride.x]),
          Attribute.ints("pads", [c.padding.y, c.padding.x, c.padding.y, c.padding.x]),
          Attribute.ints("dilations", [1, 1]), Attribute.int("group", 1),
        ])
      return ["Conv"]
    case let p as MaxPool:
      g.node("MaxPool", name: name, inputs: [input], output: name, attributes: pooling(p))
      return ["MaxPool"]
    case let p as AvgPool:
      g.node("AveragePool", name: name, inputs: [input], output: name, attributes: pooling(p))
      return ["AveragePool"]
    case is ReLU: return [unary("Relu", layer, input, &g)]
    case is Sigmoid: return [unary("Sigmoid", layer, input, &g)]
    case is Tanh: return [unary("Tanh", layer, input, &g)]
    case let l as LeakyReLU:
      g.node(
        "LeakyRelu", name: name, inputs: [input], output: name,
        attributes: [Attribute.float("alpha", Float(l.slope))])
      return ["LeakyRelu"]
    case let c as ClippedReLU:
      // Clip's bounds are inputs since opset 11: scalar constants 0 and t.
      let low = g.constant("\(name).min", FloatTensor(dims: [], values: [0]))
      let high = g.constant("\(name).max", FloatTensor(dims: [], values: [Float(c.t)]))
      g.node("Clip", name: name, inputs: [input, low, high], output: name)
      return ["Clip"]
    // dlspec's softmax and log_softmax run over a flat sample, [N, K]; flatten turns
    // [N, C, H, W] into [N, C·H·W] in row-major order (a flat input stays): axis 1 for all.
    case is Softmax: return [alongAxis1("Softmax", layer, input, &g)]
    case is LogSoftmax: return [alongAxis1("LogSoftmax", layer, input, &g)]
    case is Flatten: return [alongAxis1("Flatten", layer, input, &g)]
    case is Dropout:
      // Inference: inverted dropout is the identity (its scaling happens in training only).
      return [unary("Identity", layer, input, &g)]
    case let b as BatchNorm:
      // Inference form: the running statistics. ONNX's momentum weighs the old running value,
      // dlspec's the batch's, so ONNX's is 1 − dlspec's (used only if someone trains it).
      g.node(
        "BatchNormalization", name: name,
        inputs: [
          input, try w("scale"), try w("shift"), try w("running_mean"), try w("running_var"),
        ],
        output: name,
        attributes: [
          Attribute.float("epsilon", Float(b.eps)),
          Attribute.float("momentum", Float(1 - b.momentum)),
        ])
      return ["BatchNormalization"]
    default:
      throw Diagnostic(
        .onnxInexpressible, at: layer.location,
        "layer kind '\(layer.kindName)' (\(name)) has no ONNX mapping, so the model cannot be "
          + "exported exactly",
        hint: "give the kind a mapping in Sources/DLONNX/LayerMapping.swift, or leave it out")
    }
  }

  static func unary(
    _ op: String, _ layer: LayerIR, _ input: String, _ g: inout ONNXGraphBuilder
  ) -> String {
    g.node(op, name: layer.name, inputs: [input], output: layer.name)
    return op
  }

  static func alongAxis1(
    _ op: String, _ layer: LayerIR, _ input: String, _ g: inout ONNXGraphBuilder
  ) -> String {
    g.node(
      op, name: layer.name, inputs: [input], output: layer.name,
      attributes: [Attribute.int("axis", 1)])
    return op
  }

  /// No padding and floor division (ceil_mode 0), as `Pool`'s kernels.
  static func pooling(_ p: some PoolingLayerKind) -> [Onnx_AttributeProto] {
    [
      Attribute.ints("kernel_shape", [p.size.y, p.size.x]),
      Attribute.ints("strides", [p.stride.y, p.stride.x]),
      Attribute.ints("pads", [0, 0, 0, 0]), Attribute.int("ceil_mode", 0),
    ]
  }
}
