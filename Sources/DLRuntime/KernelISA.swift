import _CKernels

/// The instruction set the C kernels (`_CKernels`) run with, found by CPUID once per process.
///
/// `DLSPEC_ISA=avx2` forces the AVX2 variants on an AVX-512 machine and `DLSPEC_ISA=none` turns
/// the direct kernels off (convolutions fall back to im2col + GEMM), so tests and benchmarks
/// can cover every path on one machine. The variable can only lower the choice. Every variant
/// computes each output with the same operations in the same order, so the ISA changes speed,
/// never results; the algorithm (`Conv2DKernel.algorithm`) is what changes bits.
public enum KernelISA: Int32, Sendable, CustomStringConvertible {
  case avx2 = 1
  case avx512 = 2

  /// The ISA the kernels use: the best the CPU has, limited by DLSPEC_ISA; nil when the CPU has
  /// no AVX2 + FMA (or DLSPEC_ISA=none).
  public static let selected: KernelISA? = KernelISA(rawValue: dl_isa_selected())

  /// What the CPU supports, ignoring DLSPEC_ISA.
  public static var supported: KernelISA? { KernelISA(rawValue: dl_isa_supported()) }

  /// The DLSPEC_ISA values the runtime understands.
  public static let environmentValues = ["avx512", "avx2", "none"]

  public var description: String {
    switch self {
    case .avx2: return "avx2"
    case .avx512: return "avx512"
    }
  }

  /// Output channels one pass of the direct kernels computes (the packed weights' block).
  @inlinable public var block: Int { Int(dl_conv_block(rawValue, false)) }
}
