#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Who multiplies the matrices of `BLAS.gemm`: dlspec's own GEMM in `_CKernels` (gemm_body.h),
/// OpenBLAS, or the own one for some products and OpenBLAS for the rest.
///
/// The default follows what measured (docs/performance.md, "The own GEMM"): on an AVX-512 CPU
/// whose OpenBLAS runs AVX2 kernels (Haswell or Zen, as `OPENBLAS_CORETYPE` may force) the own
/// AVX-512 GEMM takes every product (1.1–1.6× OpenBLAS's speed on the dense layers' shapes);
/// beside OpenBLAS's own AVX-512 kernels (SkylakeX, Cooperlake) it takes the A·Bᵀ and Aᵀ·B
/// products of at least 2²¹ multiply-adds (a dense layer's forward and weight gradient at
/// batch 100: 1.05–1.14×) and leaves OpenBLAS the A·B ones (a tie) and the small ones, where
/// OpenBLAS's unpacked small-matrix kernels lead by 30%; on AVX2 the two tie, so OpenBLAS keeps
/// everything. `DLSPEC_GEMM=dlspec` gives every product to the own
/// GEMM (on AVX2 too), `DLSPEC_GEMM=openblas` (or `DLSPEC_ISA=none`) none, for comparisons.
public enum GemmBackend: Equatable, Sendable, CustomStringConvertible {
  /// The own GEMM for every product large enough for its tiles (`BLAS.kernelISA`).
  case kernels(KernelISA)
  /// The own GEMM for A·Bᵀ and Aᵀ·B products of at least `largeProduct` multiply-adds,
  /// OpenBLAS for the others.
  case kernelsForLargeMixed(KernelISA)
  case openBLAS

  /// Read once per process.
  public static let selected: GemmBackend = {
    let requested = getenv("DLSPEC_GEMM").map { String(cString: $0) }
    return choose(isa: KernelISA.selected, openBLASCore: BLAS.coreName, requested: requested)
  }()

  /// The rule behind `selected`, separate so tests can check it for any machine.
  public static func choose(
    isa: KernelISA?, openBLASCore: String, requested: String?
  ) -> GemmBackend {
    guard let isa, requested != "openblas" else { return .openBLAS }
    if requested == "dlspec" { return .kernels(isa) }
    guard isa == .avx512 else { return .openBLAS }
    return coreHasAVX512(openBLASCore) ? .kernelsForLargeMixed(isa) : .kernels(isa)
  }

  /// Whether an OpenBLAS core name ("SkylakeX", "Haswell", …) stands for AVX-512 kernels.
  public static func coreHasAVX512(_ core: String) -> Bool {
    let name = core.lowercased()
    return ["skylakex", "cooperlake", "sapphirerapids"].contains { name.contains($0) }
  }

  /// The DLSPEC_GEMM values the runtime understands (unset: the rule above).
  public static let environmentValues = ["dlspec", "openblas"]

  /// Multiply-adds from which `kernelsForLargeMixed` takes a product (also where `BLAS.split`
  /// starts splitting).
  public static let largeProduct = 1 << 21

  /// The ISA of the own GEMM for an m×n×k product with these transposes, or nil for OpenBLAS.
  @inlinable
  public func isa(transA: Bool, transB: Bool, m: Int, n: Int, k: Int) -> KernelISA? {
    switch self {
    case .kernels(let isa): return isa
    case .kernelsForLargeMixed(let isa):
      return transA != transB && m * n * k >= Self.largeProduct ? isa : nil
    case .openBLAS: return nil
    }
  }

  /// "dlspec-avx512", "dlspec-avx512 for large A·Bᵀ and Aᵀ·B + openblas for the rest" or
  /// "openblas", as runs and benchmarks record it.
  public var description: String {
    switch self {
    case .kernels(let isa): return "dlspec-\(isa)"
    case .kernelsForLargeMixed(let isa):
      return "dlspec-\(isa) for large A·Bᵀ and Aᵀ·B + openblas for the rest"
    case .openBLAS: return "openblas"
    }
  }
}
