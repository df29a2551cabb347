/// Inverted dropout: in training each element is kept with probability 1 − p and scaled by
/// 1/(1 − p), so the expected activation is unchanged and evaluation is the identity.
///
/// Shapes: `x`, `y`, `mask`, `dy`, `dx` hold `count` elements. `mask[i]` ∈ {0, 1/(1 − p)} is
/// written by `forward` and read by `backward`:
///
///     y = x ⊙ mask,   dx = dy ⊙ mask
///
/// The mask is drawn serially from the caller's `RandomGenerator`, one 64-bit draw per two
/// elements, so a run is reproducible from the generator's saved state regardless of threads.
public enum DropoutKernel {
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
      // Each 64-bit draw serves two elements: element 2j uses the low and 2j + 1 the high 32
      // bits u, dropped iff u < p·2³² (so p is resolved to 2⁻³²). Integer compares avoid a
      // float conversion per element; the draw order is fixed, so masks are reproducible.
      let threshold = UInt64(rate * 0x1.0p32)
      let keep = T(1 / (1 - rate))
      var i = 0
      while i + 1 < count {
        let bits = generator.next()
        mask[i] = (bits & 0xFFFF_FFFF) < threshold ? 0 : keep
        mask[i + 1] = (bits >> 32) < threshold ? 0 : keep
        i += 2
      }
      if i < count {
        mask[i] = (generator.next() & 0xFFFF_FFFF) < threshold ? 0 : keep
      }
    }
    Parallel.forEachChunk(count: count, MaskJob(source: x, mask: mask, target: y))
  }

  /// `dx = dy ⊙ mask`. `dy` may equal `dx`.
  @inlinable
  public static func backward<T: DLScalar>(
    dy: UnsafePointer<T>, mask: UnsafePointer<T>, dx: UnsafeMutablePointer<T>, count: Int
  ) {
    Parallel.forEachChunk(count: count, MaskJob(source: dy, mask: mask, target: dx))
  }

  /// `target[i] = source[i] · mask[i]` over a range (a job, not a closure: see `ParallelJob`).
  @usableFromInline
  struct MaskJob<T: DLScalar>: RangeJob {
    @usableFromInline let source: UnsafePointer<T>
    @usableFromInline let mask: UnsafePointer<T>
    @usableFromInline let target: UnsafeMutablePointer<T>

    @inlinable
    init(source: UnsafePointer<T>, mask: UnsafePointer<T>, target: UnsafeMutablePointer<T>) {
      self.source = source
      self.mask = mask
      self.target = target
    }

    @inlinable
    func run(_ range: Range<Int>) {
      for i in range { target[i] = source[i] * mask[i] }
    }
  }
}
