import DLRuntime

/// `conv2d`: 2-D cross-correlation (5.1)–(5.3), generalised to channels, stride and padding.
///
/// Shapes: x [C, H, W] → y [filters, H', W'] with H' = ⌊(H + 2·py − ky) / sy⌋ + 1;
/// weight [filters, C, ky, kx], bias [filters]. `padding: same` pads (k − 1)/2 on each side
/// (odd kernels only), so H' = ⌈H / s⌉.
///
/// ```yaml
/// - conv2d: {filters: 32, kernel: 3, stride: 1, padding: 0}
/// - conv2d: {filters: 8, kernel: [5, 3], padding: same, bias: false}
/// ```
public struct Conv2D: LayerKind {
  public static let name = "conv2d"
  public static let summary = "2-D convolution (cross-correlation) over [C, H, W] input"
  public static let params = [
    ParamSpec("filters", .int(min: 1, max: nil), required: true, doc: "number of output channels"),
    ParamSpec("kernel", .intPair(min: 1), required: true, doc: "kernel size k or [ky, kx]"),
    ParamSpec("stride", .intPair(min: 1), default: .int(1), doc: "stride s or [sy, sx]"),
    ParamSpec(
      "padding", .padding, default: .int(0),
      doc: "zero padding p, [py, px], or 'same' (odd kernels)"),
    ParamSpec("bias", .bool, default: .bool(true), doc: "add a learned bias per filter"),
  ]

  public var filters: Int
  public var kernel: (y: Int, x: Int)
  public var stride: (y: Int, x: Int)
  public var padding: (y: Int, x: Int)
  public var bias: Bool

  public init?(_ values: ParamValues, at location: SourceLocation, bag: inout DiagnosticBag) {
    guard let filters = values.int("filters"), let k = values.pair("kernel"),
      let s = values.pair("stride"), let bias = values.bool("bias"), values["padding"] != nil
    else { return nil }
    self.filters = filters
    self.kernel = (k.0, k.1)
    self.stride = (s.0, s.1)
    self.bias = bias
    if values["padding"] == .same {
      guard k.0 % 2 == 1, k.1 % 2 == 1 else {
        bag.error(
          .outOfRange, at: values.location("padding") ?? location,
          "padding 'same' needs an odd kernel, but the kernel is [\(k.0), \(k.1)]",
          hint: "use an odd kernel size, or give the padding as a number")
        return nil
      }
      self.padding = ((k.0 - 1) / 2, (k.1 - 1) / 2)
    } else {
      guard let p = values.pair("padding") else { return nil }
      self.padding = (p.0, p.1)
    }
  }

  public func outputShape(for input: Shape) -> Result<Shape, ShapeProblem> {
    guard input.rank == 3 else {
      return .failure(
        ShapeProblem(
          .shapeMismatch, "conv2d needs a [C, H, W] input, but it receives \(input)",
          hint: input.rank == 1
            ? "declare the model input as [channels, height, width], e.g. [1, 28, 28]"
            : "conv2d works on images; check the layers before it"))
    }
    // Hostile sizes (padding or kernel near Int.max) must be refused, not overflow: the padded
    // size and the weight [filters, C, ky, kx] are computed with overflow checks.
    let weight = Shape([filters, input.dims[0], kernel.y, kernel.x]).count ?? Int.max
    guard padding.y <= Int(Int32.max), padding.x <= Int(Int32.max),
      weight <= ModelSection.maximumTensorElements
    else {
      return .failure(
        ShapeProblem(
          .tooLarge,
          "conv2d with kernel [\(kernel.y), \(kernel.x)], padding [\(padding.y), \(padding.x)] "
            + "and \(filters) filters on \(input) is too large",
          hint: "OpenBLAS indexes tensors with 32-bit integers; shrink the layer"))
    }
    let h = input.dims[1] + 2 * padding.y
    let w = input.dims[2] + 2 * padding.x
    guard kernel.y <= h, kernel.x <= w else {
      return .failure(
        ShapeProblem(
          .kernelTooLarge,
          "conv2d kernel [\(kernel.y), \(kernel.x)] is larger than its padded input "
            + "[\(h), \(w)] (input \(input))",
          hint: "use a smaller kernel, add padding, or remove a pooling layer before it"))
    }
    return .success(Shape([filters, (h - kernel.y) / stride.y + 1, (w - kernel.x) / stride.x + 1]))
  }

  public func parameterShapes(for input: Shape) -> [ParameterShape] {
    let c = input.dims.first ?? 1
    let fanIn = c * kernel.y * kernel.x
    let fanOut = filters * kernel.y * kernel.x
    var p = [
      ParameterShape(
        "weight", Shape([filters, c, kernel.y, kernel.x]), fanIn: fanIn, fanOut: fanOut)
    ]
    if bias {
      p.append(
        ParameterShape(
          "bias", Shape([filters]), fanIn: fanIn, fanOut: fanOut, initial: .constant(0)))
    }
    return p
  }

  /// Forward: each output is a dot product of length C·ky·kx plus bias: 2 ops per MAC, as dense.
  /// Backward: dW sums Hout·Wout products per weight (2 per MAC), db sums Hout·Wout values per
  /// filter, dx scatters every product back (2 per MAC). Workspace: the im2col matrix of one
  /// sample, [C·ky·kx, Hout·Wout] (`LayerCost.workspaceElements`; the plan's buffer is sized
  /// by `buffers`, for the runtime's group of samples).
  public func cost(input: Shape, output: Shape) -> LayerCost {
    let c = input.dims.first ?? 1
    let positions = output.dims.dropFirst().reduce(1, *)
    let macs = filters * positions * c * kernel.y * kernel.x
    return LayerCost(
      forwardMACs: macs, forwardOps: 2 * macs - (bias ? 0 : filters * positions),
      backwardParamOps: 2 * macs + (bias ? filters * positions : 0),
      backwardInputOps: 2 * macs,
      backwardParamMACs: macs, backwardInputMACs: macs,
      workspaceElements: c * kernel.y * kernel.x * positions)
  }
}

extension Conv2D {
  /// Bias add and a following activation run in one pass over each output row.
  public var fusion: Fusion { Fusion(acceptsActivation: true) }

  /// The runtime's grouped im2col scratch for `batch` samples.
  public func buffers(input: Shape, output: Shape, batch: Int) -> BufferNeeds {
    BufferNeeds(workspace: workspaceCount(input: input, batch: batch))
  }

  func geometry(_ input: Shape) -> Conv2DKernel.Geometry {
    Conv2DKernel.Geometry(
      channels: input.dims[0], height: input.dims[1], width: input.dims[2], filters: filters,
      kernelHeight: kernel.y, kernelWidth: kernel.x, strideY: stride.y, strideX: stride.x,
      paddingY: padding.y, paddingX: padding.x)
  }

  /// Scratch elements the runtime's grouped im2col needs for `batch` samples.
  public func workspaceCount(input: Shape, batch: Int) -> Int {
    Conv2DKernel.workspaceCount(geometry(input), batch: batch)
  }

  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func lower<T: DLScalar>(_ b: LayerBuffers<T>) -> LayerProgram<T> {
    let g = geometry(b.input)
    let activation = b.fusedActivation
    let (x, y, w, dw, workspace) = (b.x, b.y, b.parameters[0], b.gradients[0], b.workspace)
    let (bias, dBias) = self.bias ? (b.parameters[1], b.gradients[1]) : (nil, nil)
    return LayerProgram(
      forward: { n, _ in
        guard let workspace else { return }
        Conv2DKernel.forward(
          x: x, weight: w, bias: bias, y: y, batch: n, geometry: g, workspace: workspace,
          activation: activation)
      },
      backward: { n, dy, dx in
        guard let workspace else { return }
        Conv2DKernel.backward(
          x: x, weight: w, dy: dy, dx: dx, dWeight: dw, dBias: dBias, batch: n,
          geometry: g, workspace: workspace)
      })
  }
}
