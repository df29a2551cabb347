import DLRuntime
import DLSpec

/// One single-precision GEMM shape timed on every backend this machine has (OpenBLAS and the own
/// GEMM per ISA), single-threaded and side by side: `dlspec bench --gemm M×N×K`. It makes the
/// "single products" table of docs/performance.md reproducible and shows where
/// `GemmBackend`'s size rule should sit on a new machine.
///
/// Backends take turns, round by round, and each keeps its best round: on a shared VM a
/// neighbour slows whichever backend it lands on, and the minimum is the figure least touched.
public struct GemmBench {
  /// op(A)·op(B), named as BLAS users write it: `nt` = A·Bᵀ (a dense layer's forward x·Wᵀ),
  /// `nn` = A·B (its dx = dy·W), `tn` = Aᵀ·B (its weight gradient dyᵀ·x).
  public enum Layout: String, CaseIterable, Sendable {
    case nn, nt, tn

    var transA: Bool { self == .tn }
    var transB: Bool { self == .nt }
  }

  /// Who multiplies: OpenBLAS, the own GEMM packing both operands per call, or (layout nt
  /// only: B is then a dense layer's W) the own GEMM with B packed once ahead, as an
  /// evaluation pass runs it (`PackedWeights`).
  enum Backend {
    /// `BLAS.serial` with this ISA of the own GEMM, or OpenBLAS for nil.
    case perCall(KernelISA?)
    /// With B's copies (see `coldOperands`), each packed once for the ISA.
    case packedB(KernelISA, [PackedWeights<Float>])

    var name: String {
      switch self {
      case .perCall(let isa): return isa.map { "dlspec-\($0)" } ?? "openblas"
      case .packedB(let isa, _): return "dlspec-\(isa)-packed-b"
      }
    }
  }

  public struct Timing: Sendable {
    /// "openblas", "dlspec-avx512", "dlspec-avx2", "dlspec-avx512-packed-b", ….
    public var backend: String
    public var gflops: Double
    /// max |C − C_openblas| / max |C_openblas| (0 for OpenBLAS itself).
    public var relativeDifference: Double
  }

  public var m: Int
  public var n: Int
  public var k: Int
  public var layout: Layout
  /// Rounds each backend runs; each round lasts about `roundSeconds`.
  public var rounds = 5
  public var roundSeconds = 0.05
  /// Cycle through copies of A and B that together exceed the caches (64 MiB), so every call
  /// reads its operands from memory as a model's forward reads its weights; otherwise every
  /// call reuses one A and one B that stay in L2 once they fit.
  public var coldOperands = false

  public init(m: Int, n: Int, k: Int, layout: Layout) {
    self.m = m
    self.n = n
    self.k = k
    self.layout = layout
  }

  /// Largest element count of one operand the harness allocates (1 GiB of floats).
  public static let maxElements = 1 << 28

  /// "100x500x784" (or with ×) → (100, 500, 784); nil when it is not three positive integers
  /// whose operands fit in `maxElements` each.
  public static func parseShape(_ text: String) -> (m: Int, n: Int, k: Int)? {
    let parts = text.lowercased().split(whereSeparator: { $0 == "x" || $0 == "×" })
    guard parts.count == 3 else { return nil }
    let d = parts.compactMap { Int($0) }
    guard d.count == 3, d.allSatisfy({ $0 >= 1 }) else { return nil }
    for (r, c) in [(d[0], d[2]), (d[2], d[1]), (d[0], d[1])] {
      let (e, overflow) = r.multipliedReportingOverflow(by: c)
      if overflow || e > maxElements { return nil }
    }
    return (d[0], d[1], d[2])
  }

  /// The own GEMM's ISAs this CPU can run, widest first, limited by DLSPEC_ISA.
  public static var kernelISAs: [KernelISA] {
    switch KernelISA.selected {
    case .avx512: return [.avx512, .avx2]
    case .avx2: return [.avx2]
    case nil: return []
    }
  }

  /// Puts OpenBLAS on one thread (its default is every core, which would compare two cores
  /// against one) and times the product.
  public func run() -> [Timing] {
    BLAS.setThreads(1)
    let ta = layout.transA, tb = layout.transB
    // Operands as stored: A is [m, k] (or [k, m] for Aᵀ), B is [k, n] (or [n, k] for Bᵀ).
    let lda = ta ? m : k, ldb = tb ? k : n
    let copies = coldOperands ? min(64, max(2, (64 << 20) / (4 * (m * k + k * n)))) : 1
    let a = Tensor<Float>(shape: [copies, m * k])
    let b = Tensor<Float>(shape: [copies, k * n])
    // Values in [-0.5, 0.5) that are not all equal, so a wrong index shows in the difference;
    // every copy holds the same values, so every call computes the same C.
    for i in 0..<(copies * m * k) {
      a.pointer[i] = Float((i % (m * k) &* 7919) % 1009) / 1009 - 0.5
    }
    for i in 0..<(copies * k * n) {
      b.pointer[i] = Float((i % (k * n) &* 104_729) % 1013) / 1013 - 0.5
    }
    var turn = 0
    let isas = Self.kernelISAs
    // In A·Bᵀ, B is a dense layer's W: each copy is also packed once per ISA, before any
    // timing, as an evaluation pass packs it once.
    let packed: [Backend] =
      layout != .nt
      ? []
      : isas.map { isa in
        .packedB(
          isa,
          (0..<copies).map { copy in
            let w = PackedWeights(isa: isa, source: b.pointer + copy * k * n, n: n, k: k)
            w.pack()
            return w
          })
      }
    let backends: [Backend] = [.perCall(nil)] + isas.map { .perCall($0) } + packed
    let outputs = backends.map { _ in Tensor<Float>(shape: [m * n]) }

    func product(_ backend: Backend, _ c: UnsafeMutablePointer<Float>) {
      let a = a.pointer + turn * m * k, b = b.pointer + turn * k * n
      defer { turn = (turn + 1) % copies }
      switch backend {
      case .perCall(let isa):
        BLAS.serial(
          isa: isa, transA: ta, transB: tb, m: m, n: n, k: k, alpha: Float(1), a: a, lda: lda,
          b: b, ldb: ldb, beta: 0, c: c, ldc: n)
      case .packedB(_, let copies):
        BLAS.gemm(
          transA: false, m: m, alpha: Float(1), a: a, lda: lda, packed: copies[turn], beta: 0,
          c: c, ldc: n)
      }
    }

    // Calibrate calls per round on OpenBLAS, after one untimed call per backend.
    for (backend, c) in zip(backends, outputs) { product(backend, c.pointer) }
    var calls = 1
    while true {
      let start = Clock.now()
      for _ in 0..<calls { product(.perCall(nil), outputs[0].pointer) }
      let seconds = Clock.now() - start
      if seconds >= roundSeconds / 4 || calls >= 1 << 20 {
        calls = max(1, Int(Double(calls) * roundSeconds / max(seconds, 1e-9)))
        break
      }
      calls *= 4
    }
    var best = [Double](repeating: .infinity, count: backends.count)
    for _ in 0..<rounds {
      for (i, backend) in backends.enumerated() {
        let c = outputs[i].pointer
        let start = Clock.now()
        for _ in 0..<calls { product(backend, c) }
        best[i] = min(best[i], (Clock.now() - start) / Double(calls))
      }
    }

    let reference = outputs[0].pointer
    var scale: Float = 0
    for i in 0..<(m * n) { scale = max(scale, abs(reference[i])) }
    let flops = 2 * Double(m) * Double(n) * Double(k)
    return backends.indices.map { i in
      var diff: Float = 0
      for j in 0..<(m * n) { diff = max(diff, abs(outputs[i].pointer[j] - reference[j])) }
      return Timing(
        backend: backends[i].name,
        gflops: flops / best[i] / 1e9,
        relativeDifference: scale > 0 ? Double(diff / scale) : Double(diff))
    }
  }
}
