#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A seeded, explicit-state pseudo-random generator: xoshiro256** (Blackman & Vigna), seeded
/// by expanding a 64-bit seed with SplitMix64.
///
/// A value type: copying it forks the stream, and `state` can be saved in a checkpoint and
/// restored with `init(state:)` to continue bit-identically. Conforms to
/// `RandomNumberGenerator`, so `array.shuffle(using: &rng)` works too (its algorithm is the
/// standard library's, which may change between Swift versions; dlspec's own shuffles
/// should draw from `next(below:)`).
public struct RandomGenerator: RandomNumberGenerator, Equatable, Hashable, Sendable {
  @usableFromInline var s0: UInt64
  @usableFromInline var s1: UInt64
  @usableFromInline var s2: UInt64
  @usableFromInline var s3: UInt64

  /// A generator whose four state words are SplitMix64(seed) outputs 1–4 (never all zero).
  public init(seed: UInt64) {
    var seeder = SplitMix64(seed: seed)
    s0 = seeder.next()
    s1 = seeder.next()
    s2 = seeder.next()
    s3 = seeder.next()
  }

  /// Restores a generator from `state` (four words, as returned by `state`, not all zero).
  public init(state: [UInt64]) {
    precondition(state.count == 4, "xoshiro256 state has 4 words, got \(state.count)")
    precondition(state.contains { $0 != 0 }, "xoshiro256 state must not be all zero")
    s0 = state[0]
    s1 = state[1]
    s2 = state[2]
    s3 = state[3]
  }

  /// The four state words, for checkpoints.
  public var state: [UInt64] { [s0, s1, s2, s3] }

  /// The next 64 random bits.
  @inlinable
  public mutating func next() -> UInt64 {
    let result = rotateLeft(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotateLeft(s3, 45)
    return result
  }

  /// Uniform in [0, 1) with 53 random bits.
  @inlinable
  public mutating func nextUniform() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// Uniform integer in `0..<bound` (bound > 0), unbiased (Lemire's multiply-and-reject).
  @inlinable
  public mutating func next(below bound: Int) -> Int {
    precondition(bound > 0, "bound must be positive")
    let b = UInt64(bound)
    var product = next().multipliedFullWidth(by: b)
    if product.low < b {
      let threshold = (0 &- b) % b
      while product.low < threshold { product = next().multipliedFullWidth(by: b) }
    }
    return Int(product.high)
  }

  /// Two independent N(0, 1) samples by the Box–Muller transform.
  @inlinable
  public mutating func nextNormalPair() -> (Double, Double) {
    // 1 − U lies in (0, 1], so the log is finite.
    let u1 = 1 - nextUniform()
    let u2 = nextUniform()
    let radius = (-2 * Double.log(u1)).squareRoot()
    let angle = 2 * Double.pi * u2
    return (radius * cos(angle), radius * sin(angle))
  }

  @inlinable @inline(__always)
  func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
  }
}
