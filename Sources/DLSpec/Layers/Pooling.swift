import DLRuntime

/// Shared by `maxpool` and `avgpool`: window `size`, `stride` (default: the size, so windows
/// tile the input), no padding, floor division: H' = ⌊(H − ky) / sy⌋ + 1.
public protocol PoolingLayerKind: LayerKind {
  var size: (y: Int, x: Int) { get }
  var stride: (y: Int, x: Int) { get }
  init(size: (y: Int, x: Int), stride: (y: Int, x: Int))
}

enum PoolingParams {
  static let specs = [
    ParamSpec("size", .intPair(min: 1), required: true, doc: "window size k or [ky, kx]"),
    ParamSpec(
      "stride", .intOrAuto(min: 1), default: .auto,
      doc: "step between windows; 'auto' means the window size"),
  ]
}

extension PoolingLayerKind {
  public static var params: [ParamSpec] { PoolingParams.specs }

  public init?(_ values: ParamValues, at location: SourceLocation, bag: inout DiagnosticBag) {
    guard let size = values.pair("size") else { return nil }
    let stride = values.int("stride").map { ($0, $0) } ?? size
    self.init(size: (size.0, size.1), stride: (stride.0, stride.1))
  }

  public func outputShape(for input: Shape) -> Result<Shape, ShapeProblem> {
    guard input.rank == 3 else {
      return .failure(
        ShapeProblem(
          .shapeMismatch, "\(Self.name) needs a [C, H, W] input, but it receives \(input)",
          hint: "pooling works on images; declare the input as [channels, height, width]"))
    }
    guard size.y <= input.dims[1], size.x <= input.dims[2] else {
      return .failure(
        ShapeProblem(
          .kernelTooLarge,
          "\(Self.name) window [\(size.y), \(size.x)] is larger than its input \(input)",
          hint: "use a smaller window, or remove an earlier pooling layer"))
    }
    return .success(
      Shape([
        input.dims[0], (input.dims[1] - size.y) / stride.y + 1,
        (input.dims[2] - size.x) / stride.x + 1,
      ]))
  }
}

extension PoolingLayerKind {
  func geometry(_ input: Shape) -> Pool.Geometry {
    Pool.Geometry(
      planes: input.dims[0], height: input.dims[1], width: input.dims[2], windowHeight: size.y,
      windowWidth: size.x, strideY: stride.y, strideX: stride.x)
  }

  /// Geometry for a batch: the kernels treat N·C planes alike.
  func batchGeometry(_ input: Shape, _ n: Int) -> Pool.Geometry {
    var g = geometry(input)
    g.planes *= n
    return g
  }
}
