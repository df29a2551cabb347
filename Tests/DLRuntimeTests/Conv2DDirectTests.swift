import DLRuntime
import DLSpecTestSupport
import Testing

/// The direct convolution kernels (`_CKernels`), on every ISA variant this CPU can run (AVX2
/// always when the CPU has it; AVX-512 too on an AVX-512 machine), against the plain-loop
/// reference (`Reference.conv2d`) and central differences, in Float and Double.
@Suite struct Conv2DDirectTests {
  typealias Case = Conv2DTests.Case

  static let cases: [Case] = [
    // The fashion CNN's first layer, cut down: one channel, 3×3 'same', a row of 20 pixels
    // (one full chunk of 16 floats and a partial one).
    Case(
      batch: 2,
      geometry: .init(
        channels: 1, height: 9, width: 20, filters: 5, kernelHeight: 3, kernelWidth: 3,
        paddingY: 1, paddingX: 1)),
    // Channels, a filter count that is no multiple of any block, 'valid' 5×5 (no padding),
    // several groups.
    Case(
      batch: 3,
      geometry: .init(
        channels: 3, height: 12, width: 13, filters: 10, kernelHeight: 5, kernelWidth: 5),
      group: 1),
    // Rectangular kernel and padding, rows narrower than a chunk.
    Case(
      batch: 2,
      geometry: .init(
        channels: 2, height: 6, width: 5, filters: 3, kernelHeight: 2, kernelWidth: 3,
        paddingY: 1, paddingX: 2)),
    // 1×1 kernel.
    Case(
      batch: 1,
      geometry: .init(
        channels: 2, height: 4, width: 17, filters: 9, kernelHeight: 1, kernelWidth: 1)),
    // More taps than one tap group of the weight-gradient kernel (7×3 = 21 > 16).
    Case(
      batch: 2,
      geometry: .init(
        channels: 2, height: 9, width: 8, filters: 4, kernelHeight: 7, kernelWidth: 3,
        paddingY: 3, paddingX: 1)),
  ]

  /// Every direct variant this machine can run.
  static var algorithms: [Conv2DKernel.Algorithm] {
    guard let supported = KernelISA.supported else { return [] }
    return supported == .avx512 ? [.direct(.avx2), .direct(.avx512)] : [.direct(.avx2)]
  }

  /// im2col's workspace, or more when a tiny shape needs more for the direct kernels.
  static func workspaceCount<T>(
    _ c: Case, _ algorithm: Conv2DKernel.Algorithm, _ type: T.Type
  ) -> Int {
    let im2col = Conv2DKernel.workspaceCount(c.geometry, batch: c.batch, samplesPerGroup: c.group)
    guard case .direct(let isa) = algorithm else { return im2col }
    return max(
      im2col,
      Conv2DKernel.directWorkspaceCount(
        c.geometry, batch: c.batch, isa: isa, elementSize: MemoryLayout<T>.stride,
        samplesPerGroup: c.group))
  }

  static func reference(_ c: Case, x: [Double], w: [Double], b: [Double]) -> [Double] {
    Conv2DTests.reference(c, x: x, w: w, b: b)
  }

  /// Forward output of one variant in T (NaN-filled buffers, so unwritten entries show).
  func forward<T: DLScalar>(
    _ type: T.Type, _ c: Case, _ algorithm: Conv2DKernel.Algorithm, bias: Bool,
    activation: ActivationKernel<T>? = nil
  ) -> [Double] {
    let g = c.geometry
    let x = tensor(
      T.self, [c.batch * g.inputSampleCount], randomValues(c.batch * g.inputSampleCount, seed: 40))
    let w = tensor(T.self, [g.weightCount], randomValues(g.weightCount, seed: 41))
    let b = tensor(T.self, [g.filters], randomValues(g.filters, seed: 42))
    let y = Tensor<T>(shape: [c.batch * g.outputSampleCount])
    let workspace = Tensor<T>(shape: [Self.workspaceCount(c, algorithm, T.self)])
    y.fill(T.nan)
    workspace.fill(T.nan)
    Conv2DKernel.forward(
      x: x.pointer, weight: w.pointer, bias: bias ? b.pointer : nil, y: y.pointer,
      batch: c.batch, geometry: g, workspace: workspace.pointer, samplesPerGroup: c.group,
      activation: activation, algorithm: algorithm)
    return doubles(y)
  }

  @Test(arguments: cases)
  func forwardMatchesTheReference(_ c: Case) {
    let g = c.geometry
    #expect(Conv2DKernel.supportsDirect(g))
    let xs = randomValues(c.batch * g.inputSampleCount, seed: 40)
    let ws = randomValues(g.weightCount, seed: 41)
    let bs = randomValues(g.filters, seed: 42)
    for algorithm in Self.algorithms {
      for bias in [true, false] {
        let expected = Self.reference(c, x: xs, w: ws, b: bias ? bs : [])
        expectClose(
          forward(Float.self, c, algorithm, bias: bias), expected, tolerance: tolerance(Float.self),
          "Float \(algorithm) bias \(bias) \(c)")
        expectClose(
          forward(Double.self, c, algorithm, bias: bias), expected,
          tolerance: tolerance(Double.self), "Double \(algorithm) bias \(bias) \(c)")
      }
      // A fused activation is applied after the bias.
      let relu = ActivationKernel<Double>(ReLUFunction.self, 0)
      expectClose(
        forward(Double.self, c, algorithm, bias: true, activation: relu),
        Self.reference(c, x: xs, w: ws, b: bs).map { max($0, 0) },
        tolerance: tolerance(Double.self), "relu \(algorithm) \(c)")
    }
  }

  /// Gradients of the loss Σ up ⊙ conv(x, W, b) from the direct kernels, in T.
  func gradients<T: DLScalar>(
    _ type: T.Type, _ c: Case, _ algorithm: Conv2DKernel.Algorithm, accumulateTwice: Bool = false
  ) -> (dx: [Double], dw: [Double], db: [Double]) {
    let g = c.geometry
    let x = tensor(
      T.self, [c.batch * g.inputSampleCount], randomValues(c.batch * g.inputSampleCount, seed: 43))
    let w = tensor(T.self, [g.weightCount], randomValues(g.weightCount, seed: 44))
    let dy = tensor(
      T.self, [c.batch * g.outputSampleCount], randomValues(c.batch * g.outputSampleCount, seed: 46)
    )
    let dx = Tensor<T>(shape: [c.batch * g.inputSampleCount])
    let dw = Tensor<T>(shape: [g.weightCount])
    let db = Tensor<T>(shape: [g.filters])
    let workspace = Tensor<T>(shape: [Self.workspaceCount(c, algorithm, T.self)])
    for t in [dx, dw, db, workspace] { t.fill(T.nan) }
    for pass in 0..<(accumulateTwice ? 2 : 1) {
      Conv2DKernel.backward(
        x: x.pointer, weight: w.pointer, dy: dy.pointer, dx: dx.pointer, dWeight: dw.pointer,
        dBias: db.pointer, batch: c.batch, geometry: g, workspace: workspace.pointer,
        accumulate: pass > 0, samplesPerGroup: c.group, algorithm: algorithm)
    }
    return (doubles(dx), doubles(dw), doubles(db))
  }

  @Test(arguments: cases)
  func backwardMatchesCentralDifferences(_ c: Case) {
    let g = c.geometry
    let xs = randomValues(c.batch * g.inputSampleCount, seed: 43)
    let ws = randomValues(g.weightCount, seed: 44)
    let bs = randomValues(g.filters, seed: 45)
    let up = randomValues(c.batch * g.outputSampleCount, seed: 46)
    // The loss is linear in each argument, so central differences are exact up to rounding.
    func loss(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
      weightedSum(Self.reference(c, x: x, w: w, b: b), up)
    }
    let ndx = numericGradient(xs) { loss($0, ws, bs) }
    let ndw = numericGradient(ws) { loss(xs, $0, bs) }
    let ndb = numericGradient(bs) { loss(xs, ws, $0) }
    for algorithm in Self.algorithms {
      let d = gradients(Double.self, c, algorithm)
      expectGradient(d.dx, ndx, "dx \(algorithm) \(c)")
      expectGradient(d.dw, ndw, "dW \(algorithm) \(c)")
      expectGradient(d.db, ndb, "db \(algorithm) \(c)")
      // With `accumulate`, a second call adds the same dW and db again (dx is overwritten).
      let twice = gradients(Double.self, c, algorithm, accumulateTwice: true)
      expectGradient(twice.dx, ndx, "dx after accumulate \(algorithm) \(c)")
      expectGradient(twice.dw, ndw.map { 2 * $0 }, "accumulated dW \(algorithm) \(c)")
      expectGradient(twice.db, ndb.map { 2 * $0 }, "accumulated db \(algorithm) \(c)")
      // Float against the Double gradients: same maths, rounding only.
      let f = gradients(Float.self, c, algorithm)
      let tol = 1e-4
      expectClose(f.dx, d.dx, tolerance: tol, "Float dx \(algorithm) \(c)")
      expectClose(f.dw, d.dw, tolerance: tol, "Float dW \(algorithm) \(c)")
      expectClose(f.db, d.db, tolerance: tol, "Float db \(algorithm) \(c)")
    }
  }

  /// The ISA changes speed only: AVX2 and AVX-512 give the same bits (run where both exist).
  @Test(arguments: cases)
  func isaVariantsAreBitIdentical(_ c: Case) {
    guard KernelISA.supported == .avx512 else { return }
    #expect(
      forward(Float.self, c, .direct(.avx2), bias: true)
        == forward(Float.self, c, .direct(.avx512), bias: true))
    #expect(
      forward(Double.self, c, .direct(.avx2), bias: true)
        == forward(Double.self, c, .direct(.avx512), bias: true))
    let a = gradients(Float.self, c, .direct(.avx2))
    let b = gradients(Float.self, c, .direct(.avx512))
    #expect(a.dx == b.dx && a.dw == b.dw && a.db == b.db)
  }

  /// The rule: direct for the example CNNs' stride-1 layers when the CPU has AVX2; im2col for
  /// strides, for padding as large as the kernel, for narrow rows and with no ISA.
  @Test func algorithmRule() {
    let first = Conv2DKernel.Geometry(
      channels: 1, height: 28, width: 28, filters: 16, kernelHeight: 3, kernelWidth: 3,
      paddingY: 1, paddingX: 1)
    #expect(Conv2DKernel.algorithm(for: first, batch: 100, isa: .avx2) == .direct(.avx2))
    #expect(Conv2DKernel.algorithm(for: first, batch: 100, isa: .avx512) == .direct(.avx512))
    #expect(Conv2DKernel.algorithm(for: first, batch: 100, isa: nil) == .im2col)
    var strided = first
    strided.strideX = 2
    #expect(!Conv2DKernel.supportsDirect(strided))
    #expect(Conv2DKernel.algorithm(for: strided, batch: 100, isa: .avx512) == .im2col)
    var padded = first
    padded.paddingY = 3
    #expect(!Conv2DKernel.supportsDirect(padded))
    let narrow = Conv2DKernel.Geometry(
      channels: 4, height: 7, width: 7, filters: 8, kernelHeight: 3, kernelWidth: 3,
      paddingY: 1, paddingX: 1)
    #expect(Conv2DKernel.algorithm(for: narrow, batch: 100, isa: .avx512) == .im2col)
    let wide = Conv2DKernel.Geometry(
      channels: 128, height: 14, width: 14, filters: 32, kernelHeight: 3, kernelWidth: 3,
      paddingY: 1, paddingX: 1)
    #expect(Conv2DKernel.algorithm(for: wide, batch: 100, isa: .avx512) == .im2col)
    #expect(Conv2DKernel.Algorithm.direct(.avx512).description == "direct-avx512")
  }
}
