/// Inverted dropout: in training each element is kept with probability 1 − p and scaled by
/// 1/(1 − p), so the expected activation is unchanged and evaluation is the identity.
///
/// Shapes: `x`, `y`, `mask`, `dy`, `dx` hold `count` elements. `mask[i]` ∈ {0, 1/(1 − p)} is
/// written by `forward` and read by `backward`:
///
///     y = x ⊙ mask,   dx = dy ⊙ mask
///
/// The mask is drawn serially from the caller's `RandomGenerator`, one 64-bit draw per element,
/// so a run is reproducible from the generator's saved state regardless of thread count.
public enum Dropout {
  /// Draws a fresh mask with drop probability `rate` (0 ≤ p < 1) and applies it. `x` may equal
  /// `y`. With p = 0 the mask is all ones and no random numbers are drawn.
  @inlinable
  public static func forward<T: DLScalar>(
    x: UnsafePointer<T>, y: UnsafeMutablePointer<T>, mask: UnsafeMutablePointer<T>,
    count: Int, rate: Double, generator: inout RandomGenerator
  ) {
    precondition(rate >= 0 && rate < 1, "dropout rate \(rate) outside [0, 1)")
    if rate == 0 {
      mask.update(repeating: 1, count: count)
    } else {
      // Compare 53-bit integers instead of converting each draw to a floating-point uniform:
      // drop iff U < p with U = (bits >> 11) / 2^53.
      let threshold = UInt64(rate * 0x1.0p53)
      let keep = T(1 / (1 - rate))
      for i in 0..<count {
        mask[i] = (generator.next() >> 11) < threshold ? 0 : keep
      }
    }
    Parallel.forEachChunk(count: count) { range in
      for i in range { y[i] = x[i] * mask[i] }
    }
  }

  /// `dx = dy ⊙ mask`. `dy` may equal `dx`.
  @inlinable
  public static func backward<T: DLScalar>(
    dy: UnsafePointer<T>, mask: UnsafePointer<T>, dx: UnsafeMutablePointer<T>, count: Int
  ) {
    Parallel.forEachChunk(count: count) { range in
      for i in range { dx[i] = dy[i] * mask[i] }
    }
  }
}
