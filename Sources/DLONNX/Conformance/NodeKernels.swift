import DLRuntime
import DLSpec

/// Runs one ONNX node on DLRuntime's kernels, or says why the node asks for something outside
/// dlspec's semantics. Each operator's case states the subset dlspec implements; anything else
/// is `Outside` with the reason, never an approximation.
enum NodeKernels {
  struct Outside: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
  }

  /// The node's outputs from `inputs` (by position; nil for an omitted optional input).
  static func run(_ node: Onnx_NodeProto, _ inputs: [FloatTensor?], opset: Int) throws(Outside)
    -> [FloatTensor]
  {
    let a = NodeAttributes(node)
    guard let x = inputs.first ?? nil else { throw Outside("no input") }
    switch node.opType {
    case "Relu": return [elementwise(x, ActivationKernel(ReLUFunction.self, 0))]
    case "Tanh": return [elementwise(x, ActivationKernel(TanhFunction.self, 0))]
    case "Sigmoid": return [elementwise(x, ActivationKernel(SigmoidFunction.self, 0))]
    case "LeakyRelu":
      let alpha = a.float("alpha", 0.01)
      guard alpha >= 0 else {
        throw Outside("alpha \(alpha) < 0: leaky_relu's slope is at least 0")
      }
      return [elementwise(x, ActivationKernel(LeakyReLUFunction.self, alpha))]
    case "Clip": return [try clip(x, inputs)]
    case "Softmax", "LogSoftmax": return [try softmax(node.opType, x, a, opset: opset)]
    case "Flatten":
      let axis = try normalized(a.int("axis", 1), rank: x.dims.count, allowingRank: true)
      guard axis == 1 else {
        throw Outside("axis \(a.int("axis", 1)): dlspec's flatten keeps the batch axis (axis 1)")
      }
      return [FloatTensor(dims: [x.dims[0], x.dims.dropFirst().reduce(1, *)], values: x.values)]
    case "Gemm": return [try gemm(x, inputs, a)]
    case "MatMul": return [try matmul(x, inputs)]
    case "Conv": return [try conv(x, inputs, a)]
    case "MaxPool", "AveragePool":
      guard node.output.filter({ !$0.isEmpty }).count == 1 else {
        throw Outside("the Indices output: dlspec's argmax is internal to maxpool's backward")
      }
      return [try pool(node.opType, x, a)]
    case "BatchNormalization": return [try batchNorm(x, inputs, a)]
    default: throw Outside("\(node.opType) is not an operator dlspec implements")
    }
  }

  static func elementwise(_ x: FloatTensor, _ kernel: ActivationKernel<Float>) -> FloatTensor {
    let (input, output) = (tensor(x), Tensor<Float>(shape: x.dims))
    kernel.forward(input.pointer, output.pointer, x.count)
    return FloatTensor(dims: x.dims, values: output.array)
  }

  /// A runtime tensor holding `t`'s values (kernels take its non-optional pointer).
  static func tensor(_ t: FloatTensor) -> Tensor<Float> { Tensor(shape: t.dims, values: t.values) }

  /// clipped_relu is min(max(z, 0), t) with t > 0: Clip with min 0 and a positive max.
  static func clip(_ x: FloatTensor, _ inputs: [FloatTensor?]) throws(Outside) -> FloatTensor {
    let low = inputs.count > 1 ? inputs[1] : nil
    let high = inputs.count > 2 ? inputs[2] : nil
    guard let low, low.values == [0] else {
      throw Outside(
        "min \(low.map { "\($0.values)" } ?? "absent (−∞)"): clipped_relu clips at 0 below")
    }
    guard let high, high.values.count == 1, high.values[0] > 0 else {
      throw Outside(
        "max \(high.map { "\($0.values)" } ?? "absent (+∞)"): clipped_relu needs a threshold "
          + "t > 0")
    }
    return elementwise(x, ActivationKernel(ClippedReLUFunction.self, high.values[0]))
  }

  /// dlspec's softmax and log_softmax run over each row of [rows, columns]: ONNX's over the last
  /// axis (opset ≥ 13), or before 13 over the input flattened to 2-D at `axis`.
  static func softmax(_ op: String, _ x: FloatTensor, _ a: NodeAttributes, opset: Int)
    throws(Outside) -> FloatTensor
  {
    let rank = x.dims.count
    let given = a.int("axis", opset >= 13 ? -1 : 1)
    let axis = try normalized(given, rank: rank, allowingRank: false)
    if opset >= 13, axis != rank - 1 {
      throw Outside(
        "axis \(given) of a rank-\(rank) input: dlspec's \(op == "Softmax" ? "softmax" : "log_softmax") "
          + "normalises over the last axis (one flat sample)")
    }
    let columns = x.dims[axis...].reduce(1, *)
    let rows = x.count / max(columns, 1)
    let (input, output) = (tensor(x), Tensor<Float>(shape: x.dims))
    if op == "Softmax" {
      SoftmaxKernel.forward(x: input.pointer, y: output.pointer, rows: rows, columns: columns)
    } else {
      LogSoftmaxKernel.forward(x: input.pointer, y: output.pointer, rows: rows, columns: columns)
    }
    return FloatTensor(dims: x.dims, values: output.array)
  }

  /// dense is y = x·Wᵀ + b: Gemm with α = β = 1, A untransposed, and C absent or one bias per
  /// unit (shape [N], [1, N], or one value repeated). B is read as dlspec's [out, in] weight
  /// directly when transB = 1, and transposed into it when transB = 0.
  static func gemm(_ x: FloatTensor, _ inputs: [FloatTensor?], _ a: NodeAttributes) throws(Outside)
    -> FloatTensor
  {
    guard a.int("transA", 0) == 0 else {
      throw Outside("transA = 1: dense reads its input untransposed")
    }
    guard a.float("alpha", 1) == 1 else {
      throw Outside("alpha ≠ 1: dense has no scale factor on x·Wᵀ")
    }
    guard inputs.count > 1, let b = inputs[1], x.dims.count == 2, b.dims.count == 2 else {
      throw Outside("Gemm needs 2-D A and B")
    }
    let weight = a.int("transB", 0) == 1 ? b : transposed(b)
    let (m, k, n) = (x.dims[0], x.dims[1], weight.dims[0])
    var bias: [Float]?
    if inputs.count > 2, let c = inputs[2] {
      guard a.float("beta", 1) == 1 else { throw Outside("beta ≠ 1: dense adds its bias unscaled") }
      switch c.dims {
      case [n], [1, n]: bias = c.values
      case [], [1], [1, 1]: bias = [Float](repeating: c.values[0], count: n)
      default:
        throw Outside("C of shape \(c.dims): dense's bias is one value per unit, not a matrix")
      }
    }
    return dense(x, weight: weight, bias: bias, m: m, k: k, n: n)
  }

  /// dense without bias is a 2-D MatMul, x [M, K] · B [K, N], with W = Bᵀ.
  static func matmul(_ x: FloatTensor, _ inputs: [FloatTensor?]) throws(Outside) -> FloatTensor {
    guard inputs.count > 1, let b = inputs[1] else { throw Outside("MatMul needs two inputs") }
    guard x.dims.count == 2, b.dims.count == 2 else {
      throw Outside(
        "shapes \(x.dims) · \(b.dims): dense multiplies one 2-D batch by one weight matrix (no "
          + "1-D operands, batched or broadcast products)")
    }
    return dense(x, weight: transposed(b), bias: nil, m: x.dims[0], k: x.dims[1], n: b.dims[1])
  }

  static func dense(_ x: FloatTensor, weight: FloatTensor, bias: [Float]?, m: Int, k: Int, n: Int)
    -> FloatTensor
  {
    let (input, w, output) = (tensor(x), tensor(weight), Tensor<Float>(shape: [m, n]))
    let b = bias.map { Tensor(shape: [n], values: $0) }
    DenseKernel.forward(
      x: input.pointer, weight: w.pointer, bias: b?.pointer, y: output.pointer, batch: m,
      inFeatures: k, outFeatures: n)
    return FloatTensor(dims: [m, n], values: output.array)
  }

  static func transposed(_ t: FloatTensor) -> FloatTensor {
    let (r, c) = (t.dims[0], t.dims[1])
    var values = [Float](repeating: 0, count: t.count)
    for i in 0..<r { for j in 0..<c { values[j * r + i] = t.values[i * c + j] } }
    return FloatTensor(dims: [c, r], values: values)
  }

  /// conv2d: 2-D, group 1, dilation 1, symmetric explicit padding (auto_pad NOTSET or VALID).
  static func conv(_ x: FloatTensor, _ inputs: [FloatTensor?], _ a: NodeAttributes) throws(Outside)
    -> FloatTensor
  {
    guard inputs.count > 1, let w = inputs[1] else { throw Outside("Conv needs a weight") }
    guard x.dims.count == 4, w.dims.count == 4 else {
      throw Outside("a \(x.dims.count - 2)-D convolution: conv2d is 2-D ([N, C, H, W])")
    }
    guard a.int("group", 1) == 1 else {
      throw Outside("group \(a.int("group", 1)): conv2d has no groups")
    }
    let (ky, kx) = (w.dims[2], w.dims[3])
    let (py, px) = try windowPadding(a, kernel: [ky, kx], what: "conv2d")
    let strides = a.ints("strides") ?? [1, 1]
    let bias = inputs.count > 2 ? inputs[2]?.values : nil
    let g = Conv2DKernel.Geometry(
      channels: x.dims[1], height: x.dims[2], width: x.dims[3], filters: w.dims[0],
      kernelHeight: ky, kernelWidth: kx, strideY: strides[0], strideX: strides[1],
      paddingY: py, paddingX: px)
    guard g.isValid, w.dims[1] == x.dims[1] else { throw Outside("kernel larger than the input") }
    let n = x.dims[0]
    let dims = [n, g.filters, g.outHeight, g.outWidth]
    let (input, weight, output) = (tensor(x), tensor(w), Tensor<Float>(shape: dims))
    let b = bias.map { Tensor(shape: [$0.count], values: $0) }
    let workspace = Tensor<Float>(shape: [Conv2DKernel.workspaceCount(g, batch: n)])
    Conv2DKernel.forward(
      x: input.pointer, weight: weight.pointer, bias: b?.pointer, y: output.pointer, batch: n,
      geometry: g, workspace: workspace.pointer)
    return FloatTensor(dims: dims, values: output.array)
  }

  /// maxpool/avgpool: 2-D, no padding, floor division (ceil_mode 0), dilation 1, strides as
  /// given (ONNX's default stride is 1, dlspec's the window size: both are passed explicitly).
  static func pool(_ op: String, _ x: FloatTensor, _ a: NodeAttributes) throws(Outside)
    -> FloatTensor
  {
    let name = op == "MaxPool" ? "maxpool" : "avgpool"
    guard x.dims.count == 4, let kernel = a.ints("kernel_shape"), kernel.count == 2 else {
      throw Outside("a \(x.dims.count - 2)-D pooling: \(name) is 2-D ([N, C, H, W])")
    }
    let padding = try windowPadding(a, kernel: kernel, what: name)
    guard a.int("ceil_mode", 0) == 0 else {
      throw Outside("ceil_mode 1: \(name) rounds its output size down")
    }
    guard a.int("storage_order", 0) == 0 else { throw Outside("storage_order 1 (column-major)") }
    guard padding == (0, 0) else {
      throw Outside("pads \(a.ints("pads") ?? []): \(name) does not pad")
    }
    let strides = a.ints("strides") ?? [1, 1]
    let g = Pool.Geometry(
      planes: x.dims[0] * x.dims[1], height: x.dims[2], width: x.dims[3],
      windowHeight: kernel[0], windowWidth: kernel[1], strideY: strides[0], strideX: strides[1])
    guard g.isValid else { throw Outside("window larger than the input") }
    let dims = [x.dims[0], x.dims[1], g.outHeight, g.outWidth]
    let (input, output) = (tensor(x), Tensor<Float>(shape: dims))
    if op == "MaxPool" {
      let argmax = Tensor<Int32>(shape: dims)
      Pool.maxForward(x: input.pointer, y: output.pointer, argmax: argmax.pointer, geometry: g)
    } else {
      Pool.averageForward(x: input.pointer, y: output.pointer, geometry: g)
    }
    return FloatTensor(dims: dims, values: output.array)
  }

  /// The symmetric padding (py, px) of a windowed node, refusing what dlspec cannot say.
  static func windowPadding(_ a: NodeAttributes, kernel: [Int], what: String) throws(Outside)
    -> (Int, Int)
  {
    if let d = a.ints("dilations"), d.contains(where: { $0 != 1 }) {
      throw Outside("dilations \(d): \(what) has no dilation")
    }
    let autoPad = a.string("auto_pad", "NOTSET")
    switch autoPad {
    case "NOTSET": break
    case "VALID": return (0, 0)
    default: throw Outside("auto_pad \(autoPad): \(what) takes explicit padding only")
    }
    let pads = a.ints("pads") ?? [0, 0, 0, 0]
    guard pads.count == 4, pads[0] == pads[2], pads[1] == pads[3] else {
      throw Outside("pads \(pads): \(what)'s padding is the same on both sides")
    }
    return (pads[0], pads[1])
  }

  /// batchnorm in evaluation (training_mode 0): running statistics, per channel of [N, C, …].
  static func batchNorm(_ x: FloatTensor, _ inputs: [FloatTensor?], _ a: NodeAttributes)
    throws(Outside) -> FloatTensor
  {
    guard inputs.count == 5, let scale = inputs[1], let shift = inputs[2], let mean = inputs[3],
      let variance = inputs[4], x.dims.count >= 2
    else { throw Outside("BatchNormalization needs X, scale, B, mean and var") }
    let (n, c) = (x.dims[0], x.dims[1])
    let spatial = x.dims.dropFirst(2).reduce(1, *)
    let (input, output) = (tensor(x), Tensor<Float>(shape: x.dims))
    BatchNormKernel.evaluationForward(
      x: input.pointer, y: output.pointer, scale: scale.values, shift: shift.values,
      runningMean: mean.values, runningVariance: variance.values, batch: n, channels: c,
      spatial: spatial, epsilon: a.float("epsilon", 1e-5))
    return FloatTensor(dims: x.dims, values: output.array)
  }

  /// A node of which only some outputs mean what dlspec computes: those outputs (nil for the
  /// others) and why the rest differ. nil for every other node.
  static func partial(_ node: Onnx_NodeProto, _ inputs: [FloatTensor?])
    -> (outputs: [FloatTensor?], reason: String)?
  {
    guard node.opType == "BatchNormalization", NodeAttributes(node).int("training_mode", 0) == 1,
      inputs.count == 5, let x = inputs[0], let scale = inputs[1], let shift = inputs[2],
      let mean = inputs[3], let variance = inputs[4], x.dims.count >= 2
    else { return nil }
    // dlspec's momentum weighs the batch statistics, ONNX's the running ones.
    let momentum = 1 - NodeAttributes(node).float("momentum", 0.9)
    let (n, c) = (x.dims[0], x.dims[1])
    let spatial = x.dims.dropFirst(2).reduce(1, *)
    let (input, output) = (tensor(x), Tensor<Float>(shape: x.dims))
    let (runningMean, runningVariance) = (tensor(mean), tensor(variance))
    let normalized = Tensor<Float>(shape: x.dims)
    let inverse = Tensor<Float>(shape: [c])
    BatchNormKernel.trainingForward(
      x: input.pointer, y: output.pointer, scale: scale.values, shift: shift.values,
      runningMean: runningMean.pointer, runningVariance: runningVariance.pointer,
      normalized: normalized.pointer, inverseDeviation: inverse.pointer, batch: n, channels: c,
      spatial: spatial, momentum: momentum, epsilon: NodeAttributes(node).float("epsilon", 1e-5))
    return (
      [
        FloatTensor(dims: x.dims, values: output.array),
        FloatTensor(dims: mean.dims, values: runningMean.array), nil,
      ],
      "training_mode 1: y and the running mean are dlspec's training forward's; the running "
        + "variance is not compared: ONNX folds in the biased batch variance, dlspec (like "
        + "PyTorch) the unbiased one"
    )
  }

  /// `axis` in 0..<rank (0...rank when `allowingRank`, as Flatten allows), negative from the end.
  static func normalized(_ axis: Int, rank: Int, allowingRank: Bool) throws(Outside) -> Int {
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0, a < rank || (allowingRank && a == rank) else {
      throw Outside("axis \(axis) out of range for rank \(rank)")
    }
    return a
  }
}
