/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast, seedable generator. It seeds
/// `RandomGenerator`, and the data layer shuffles with it directly so shuffles are identical
/// across platforms and Swift versions (the standard library's `SystemRandomNumberGenerator`
/// cannot be seeded, and `shuffle(using:)`'s algorithm is not guaranteed stable).
public struct SplitMix64: RandomNumberGenerator, Sendable {
  /// The whole generator state; saving it in a checkpoint resumes the stream exactly.
  public var state: UInt64

  public init(seed: UInt64) {
    state = seed
  }

  @inlinable
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A value in `0..<bound` by multiply-high (Lemire); the bias is below 2^-32 for data-set
  /// sizes, and unlike rejection sampling it consumes exactly one draw, which keeps streams
  /// easy to reason about.
  public mutating func nextIndex(below bound: Int) -> Int {
    precondition(bound > 0, "bound must be positive")
    return Int(UInt64(bound).multipliedFullWidth(by: next()).high)
  }

  /// Fisher–Yates shuffle of `values` in place, drawing from this generator.
  public mutating func shuffle(_ values: inout [Int]) {
    guard values.count > 1 else { return }
    for i in stride(from: values.count - 1, to: 0, by: -1) {
      values.swapAt(i, nextIndex(below: i + 1))
    }
  }
}
