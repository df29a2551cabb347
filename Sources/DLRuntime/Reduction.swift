/// Whole-buffer reductions, e.g. gradient norms for the vanishing-gradient diagnostic (§4.3)
/// and L2 penalties.
///
/// Eight SIMD accumulators break the loop-carried dependency on one running sum (PLATFORM.md
/// measured ≈ 4.7× for explicit SIMD reductions); their order of summation is fixed, so results
/// are deterministic for a given count.
public enum Reduction {
  /// Σ_i x[i].
  @inlinable
  public static func sum<T: DLScalar>(_ x: UnsafePointer<T>, count: Int) -> T {
    reduce(x, count: count) { $0 }
  }

  /// Σ_i x[i]², the squared L2 norm.
  @inlinable
  public static func sumOfSquares<T: DLScalar>(_ x: UnsafePointer<T>, count: Int) -> T {
    reduce(x, count: count) { $0 * $0 }
  }

  /// Σ_i x[i]² summed in Double (a Float square overflows from |x| ≈ 1.8e19): gradient norms.
  /// Eight independent sums, so the additions pipeline and vectorise; one running sum waits
  /// ~4 cycles per element (at batch 1 that was a third of a logistic-regression step).
  @inlinable
  public static func squaredNormInDouble<T: DLScalar>(_ x: UnsafePointer<T>, count: Int) -> Double {
    var s = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    var i = 0
    while i + 8 <= count {
      let (a, b, c, d) = (Double(x[i]), Double(x[i + 1]), Double(x[i + 2]), Double(x[i + 3]))
      let (e, f, g, h) = (Double(x[i + 4]), Double(x[i + 5]), Double(x[i + 6]), Double(x[i + 7]))
      s.0 += a * a
      s.1 += b * b
      s.2 += c * c
      s.3 += d * d
      s.4 += e * e
      s.5 += f * f
      s.6 += g * g
      s.7 += h * h
      i += 8
    }
    var total = ((s.0 + s.1) + (s.2 + s.3)) + ((s.4 + s.5) + (s.6 + s.7))
    while i < count {
      total += Double(x[i]) * Double(x[i])
      i += 1
    }
    return total
  }

  /// Largest |x[i]| (0 for an empty buffer); NaN entries are skipped.
  @inlinable
  public static func maxMagnitude<T: DLScalar>(_ x: UnsafePointer<T>, count: Int) -> T {
    var m: T = 0
    for i in 0..<count where abs(x[i]) > m { m = abs(x[i]) }
    return m
  }

  // `f` is applied per element inside one specialised loop; the helper is always inlined into
  // its two public callers so the closure is a literal at the point of use.
  @inlinable @inline(__always)
  static func reduce<T: DLScalar>(
    _ x: UnsafePointer<T>, count: Int, _ f: (SIMD8<T>) -> SIMD8<T>
  ) -> T {
    var accumulator = SIMD8<T>()
    var i = 0
    let raw = UnsafeRawPointer(x)
    while i + 8 <= count {
      accumulator += f(
        raw.loadUnaligned(
          fromByteOffset: i * MemoryLayout<T>.stride,
          as: SIMD8<T>.self))
      i += 8
    }
    var tail = SIMD8<T>()
    for j in i..<count { tail[j - i] = x[j] }
    accumulator += f(tail)
    return accumulator.sum()
  }
}
