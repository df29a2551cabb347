import DLRuntime

/// `dense`: a fully connected layer, y = W x + b.
///
/// Shapes: x [in] → y [units]; W [units, in], b [units]. Input must be flat (rank 1): a
/// [C, H, W] tensor needs an explicit `flatten` first, so the order in which pixels meet the
/// weights is never a guess (docs/spec-language.md, "shape rules").
///
/// ```yaml
/// - dense: {units: 100}          # bias: true by default
/// ```
public struct Dense: LayerKind {
  public static let name = "dense"
  public static let summary = "fully connected layer y = Wx + b; input must be flat"
  public static let params = [
    ParamSpec("units", .int(min: 1, max: nil), required: true, doc: "number of output units"),
    ParamSpec("bias", .bool, default: .bool(true), doc: "add a learned bias b"),
  ]

  public var units: Int
  public var bias: Bool

  public init?(_ values: ParamValues, at location: SourceLocation, bag: inout DiagnosticBag) {
    guard let units = values.int("units"), let bias = values.bool("bias") else { return nil }
    self.units = units
    self.bias = bias
  }

  public func outputShape(for input: Shape) -> Result<Shape, ShapeProblem> {
    guard input.rank == 1 else {
      return .failure(
        ShapeProblem(
          .needsFlatten, "dense needs a flat input, but it receives \(input)",
          hint: "insert `- flatten` before this layer to turn \(input) into "
            + "[\(input.count.map(String.init) ?? "…")]"))
    }
    return .success(Shape([units]))
  }

  public func parameterShapes(for input: Shape) -> [ParameterShape] {
    let fanIn = input.elementCount
    var p = [ParameterShape("weight", Shape([units, fanIn]), fanIn: fanIn, fanOut: units)]
    if bias {
      p.append(
        ParameterShape("bias", Shape([units]), fanIn: fanIn, fanOut: units, initial: .constant(0)))
    }
    return p
  }

  /// Forward: a length-`in` dot product per unit is `in` multiplies and `in − 1` adds; the
  /// bias add makes it 2·in·units exactly, as in (4.12). Backward per sample, as in (4.13):
  /// dW = δ xᵀ is `in·units` multiplies; db = δ is free; dx = Wᵀδ is 2·in·units.
  public func cost(input: Shape, output: Shape) -> LayerCost {
    let macs = input.elementCount * units
    return LayerCost(
      forwardMACs: macs, forwardOps: 2 * macs - (bias ? 0 : units),
      backwardParamOps: macs, backwardInputOps: 2 * macs,
      backwardParamMACs: macs, backwardInputMACs: macs)
  }
}

extension Dense {
  /// Bias add and a following activation run in one pass over the GEMM's output.
  public var fusion: Fusion { Fusion(acceptsActivation: true) }

  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func lower<T: DLScalar>(_ b: LayerBuffers<T>) -> LayerProgram<T> {
    let inCount = b.input.elementCount
    let units = self.units
    let activation = b.fusedActivation
    let (x, y, w, dw) = (b.x, b.y, b.parameters[0], b.gradients[0])
    let (bias, dBias) = self.bias ? (b.parameters[1], b.gradients[1]) : (nil, nil)
    let prepared = PreparedWeights(source: w, n: units, k: inCount)
    var program = LayerProgram(
      forward: { n, mode in
        DenseKernel.forward(
          x: x, weight: w, bias: bias, y: y, batch: n, inFeatures: inCount,
          outFeatures: units, activation: activation,
          packed: mode == .evaluation ? prepared.current : nil)
      },
      backward: { n, dy, dx in
        DenseKernel.backward(
          x: x, weight: w, dy: dy, dx: dx, dWeight: dw, dBias: dBias, batch: n,
          inFeatures: inCount, outFeatures: units)
      })
    program.backwardApplyingSGD = { dy, dx, rate in
      DenseKernel.backwardApplyingSGD(
        x: x, weight: w, bias: bias, dy: dy, dx: dx, inFeatures: inCount, outFeatures: units,
        rate: rate)
    }
    if prepared.isa != nil {
      program.evaluationPreparation = (begin: prepared.begin, end: prepared.end)
    }
    return program
  }
}

/// A dense layer's W packed for evaluation, allocated at the first pass (training-only plans
/// never hold the copy), and current only between `begin` and `end` of a pass.
final class PreparedWeights<T: DLScalar> {
  /// The ISA W is packed for; nil when the layer's products stay with `BLAS.gemm`
  /// (`GemmBackend.packedWeightsISA`).
  let isa: KernelISA?
  private let source: UnsafePointer<T>
  private let n: Int
  private let k: Int
  private var packed: PackedWeights<T>?
  private(set) var current: PackedWeights<T>?

  init(source: UnsafePointer<T>, n: Int, k: Int) {
    (self.source, self.n, self.k) = (source, n, k)
    isa = GemmBackend.selected.packedWeightsISA(n: n, k: k)
  }

  func begin() {
    guard let isa else { return }
    let weights = packed ?? PackedWeights(isa: isa, source: source, n: n, k: k)
    weights.pack()
    (packed, current) = (weights, weights)
  }

  func end() { current = nil }
}
