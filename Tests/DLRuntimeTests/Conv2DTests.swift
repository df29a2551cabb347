import DLRuntime
import DLSpecTestSupport
import Testing

@Suite struct Conv2DTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var batch: Int
    var geometry: Conv2DKernel.Geometry
    /// Samples per GEMM group; nil takes the kernel's choice (the whole batch here).
    var group: Int? = nil
    var testDescription: String {
      let g = geometry
      return "N\(batch) C\(g.channels) \(g.height)x\(g.width) F\(g.filters) "
        + "k\(g.kernelHeight)x\(g.kernelWidth) s\(g.strideY),\(g.strideX) "
        + "p\(g.paddingY),\(g.paddingX) G\(group.map(String.init) ?? "auto")"
    }
  }

  static let cases: [Case] = [
    // The notes' setting: one channel, stride 1, no padding.
    Case(
      batch: 2,
      geometry: .init(
        channels: 1, height: 6, width: 6, filters: 2,
        kernelHeight: 3, kernelWidth: 3)),
    // Channels, rectangular kernel, padding.
    Case(
      batch: 2,
      geometry: .init(
        channels: 3, height: 5, width: 7, filters: 4,
        kernelHeight: 2, kernelWidth: 3, paddingY: 1, paddingX: 2)),
    // Strides that do not divide evenly (floor output) with padding; groups of 2 + 1 samples.
    Case(
      batch: 3,
      geometry: .init(
        channels: 2, height: 7, width: 8, filters: 3,
        kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 3, paddingY: 1, paddingX: 1),
      group: 2),
    // One sample per group.
    Case(
      batch: 2,
      geometry: .init(
        channels: 2, height: 5, width: 5, filters: 2,
        kernelHeight: 2, kernelWidth: 2, strideY: 2, strideX: 1, paddingY: 1, paddingX: 0),
      group: 1),
    // 1×1 kernel and a kernel as large as the padded image.
    Case(
      batch: 1,
      geometry: .init(
        channels: 2, height: 4, width: 4, filters: 2,
        kernelHeight: 1, kernelWidth: 1)),
    Case(
      batch: 1,
      geometry: .init(
        channels: 1, height: 3, width: 3, filters: 1,
        kernelHeight: 5, kernelWidth: 5, paddingY: 1, paddingX: 1)),
  ]

  static func reference(_ c: Case, x: [Double], w: [Double], b: [Double]) -> [Double] {
    let g = c.geometry
    return Reference.conv2d(
      x: x, weight: w, bias: b, batch: c.batch, channels: g.channels, height: g.height,
      width: g.width, filters: g.filters, kernel: (g.kernelHeight, g.kernelWidth),
      stride: (g.strideY, g.strideX), padding: (g.paddingY, g.paddingX))
  }

  func forwardMatches<T: DLScalar>(_ type: T.Type, _ c: Case, bias: Bool) {
    let g = c.geometry
    let xs = randomValues(c.batch * g.inputSampleCount, seed: 30)
    let ws = randomValues(g.weightCount, seed: 31)
    let bs = bias ? randomValues(g.filters, seed: 32) : []
    let x = tensor(T.self, [c.batch, g.channels, g.height, g.width], xs)
    let w = tensor(T.self, [g.filters, g.channels, g.kernelHeight, g.kernelWidth], ws)
    let b = tensor(T.self, [g.filters], bias ? bs : Array(repeating: 0, count: g.filters))
    let y = Tensor<T>(shape: [c.batch, g.filters, g.outHeight, g.outWidth])
    let workspace = Tensor<T>(
      shape: [Conv2DKernel.workspaceCount(g, batch: c.batch, samplesPerGroup: c.group)])
    y.fill(T.nan)
    workspace.fill(T.nan)
    Conv2DKernel.forward(
      x: x.pointer, weight: w.pointer, bias: bias ? b.pointer : nil, y: y.pointer,
      batch: c.batch, geometry: g, workspace: workspace.pointer, samplesPerGroup: c.group)
    let expected = Self.reference(c, x: xs, w: ws, b: bs)
    expectClose(doubles(y), expected, tolerance: tolerance(T.self), "conv \(T.self) \(c)")
  }

  @Test(arguments: cases)
  func forward(_ c: Case) {
    #expect(c.geometry.isValid)
    forwardMatches(Float.self, c, bias: true)
    forwardMatches(Double.self, c, bias: true)
    forwardMatches(Double.self, c, bias: false)
  }

  @Test(arguments: cases)
  func backwardMatchesCentralDifferences(_ c: Case) {
    let g = c.geometry
    let xs = randomValues(c.batch * g.inputSampleCount, seed: 33)
    let ws = randomValues(g.weightCount, seed: 34)
    let bs = randomValues(g.filters, seed: 35)
    let up = randomValues(c.batch * g.outputSampleCount, seed: 36)
    let x = Tensor<Double>(shape: [xs.count], values: xs)
    let w = Tensor<Double>(shape: [ws.count], values: ws)
    let dy = Tensor<Double>(shape: [up.count], values: up)
    let dx = Tensor<Double>(shape: [xs.count])
    let dw = Tensor<Double>(shape: [ws.count])
    let db = Tensor<Double>(shape: [bs.count])
    let workspace = Tensor<Double>(
      shape: [Conv2DKernel.workspaceCount(g, batch: c.batch, samplesPerGroup: c.group)])
    dx.fill(.nan)
    dw.fill(.nan)
    db.fill(.nan)
    Conv2DKernel.backward(
      x: x.pointer, weight: w.pointer, dy: dy.pointer, dx: dx.pointer, dWeight: dw.pointer,
      dBias: db.pointer, batch: c.batch, geometry: g, workspace: workspace.pointer,
      samplesPerGroup: c.group)
    // The loss is linear in each argument, so central differences are exact up to rounding.
    func loss(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
      weightedSum(Self.reference(c, x: x, w: w, b: b), up)
    }
    expectGradient(dx.array, numericGradient(xs) { loss($0, ws, bs) }, "dx \(c)")
    expectGradient(dw.array, numericGradient(ws) { loss(xs, $0, bs) }, "dW \(c)")
    expectGradient(db.array, numericGradient(bs) { loss(xs, ws, $0) }, "db \(c)")

    // With `accumulate`, a second call adds the same gradients again.
    Conv2DKernel.backward(
      x: x.pointer, weight: w.pointer, dy: dy.pointer, dx: nil, dWeight: dw.pointer,
      dBias: db.pointer, batch: c.batch, geometry: g, workspace: workspace.pointer,
      accumulate: true, samplesPerGroup: c.group)
    expectGradient(
      dw.array, numericGradient(ws) { 2 * loss(xs, $0, bs) }, "accumulated dW \(c)")
    expectGradient(
      db.array, numericGradient(bs) { 2 * loss(xs, ws, $0) }, "accumulated db \(c)")
  }

  @Test func outputSizeFormula() {
    let g = Conv2DKernel.Geometry(
      channels: 1, height: 28, width: 28, filters: 32, kernelHeight: 3, kernelWidth: 3,
      strideY: 2, strideX: 2, paddingY: 1, paddingX: 1)
    #expect(g.outHeight == 14 && g.outWidth == 14)
    #expect(Conv2DKernel.groupSize(g, batch: 64) == 64)
    #expect(Conv2DKernel.workspaceCount(g, batch: 64) == (9 + 32) * 14 * 14 * 64)
    #expect(Conv2DKernel.workspaceCount(g, batch: 64, samplesPerGroup: 1) == (9 + 32) * 14 * 14)
    let notes = Conv2DKernel.Geometry(
      channels: 1, height: 28, width: 28, filters: 1, kernelHeight: 5, kernelWidth: 4)
    #expect(notes.outHeight == 24 && notes.outWidth == 25)
  }
}
