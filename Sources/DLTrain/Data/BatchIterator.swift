import DLRuntime
/// A bad batching or split parameter.
public enum DataBatchError: Error, Equatable, CustomStringConvertible {
  case badBatchSize(Int)
  case badValidationFraction(Double)
  case indexOutOfRange(index: Int, count: Int)

  public var description: String {
    switch self {
    case .badBatchSize(let size):
      return "batch size \(size) must be at least 1"
    case .badValidationFraction(let fraction):
      return "validation fraction \(fraction) must be in [0, 1)"
    case .indexOutOfRange(let index, let count):
      return "sample index \(index) is outside 0..<\(count)"
    }
  }
}

/// A seeded train/validation split of the training set.
///
/// The samples `0..<count` are permuted once with `SplitMix64(seed:)`; the **last**
/// `round(fraction × count)` of that permutation are the validation set, the rest train.
/// Both lists are then sorted, so they do not depend on anything but (count, fraction, seed).
public struct ValidationSplit: Equatable {
  public var train: [Int]
  public var validation: [Int]

  public init(count: Int, fraction: Double, seed: UInt64) throws {
    guard fraction >= 0, fraction < 1, fraction.isFinite else {
      throw DataBatchError.badValidationFraction(fraction)
    }
    var order = Array(0..<max(0, count))
    var rng = SplitMix64(seed: seed)
    rng.shuffle(&order)
    let validationCount = Int((fraction * Double(order.count)).rounded())
    let cut = order.count - validationCount
    train = order[..<cut].sorted()
    validation = order[cut...].sorted()
  }
}

/// Yields mini-batches of sample indices, reshuffled every epoch, and copies a batch into
/// caller-owned buffers without allocating.
///
/// * Shuffling: epoch `e`'s order is the index pool permuted by a `SplitMix64` seeded from
///   `(seed, e)` alone, so any epoch can be reproduced (or resumed) without replaying earlier
///   ones. With `shuffle: false` the pool order is used as is.
/// * Last partial batch: kept. `batchCount` is `ceil(poolSize / batchSize)`, and the last batch
///   may be smaller; `gather` returns how many samples it wrote.
///
/// ```swift
/// var batches = try BatchIterator(indices: split.train, batchSize: 100, seed: 1)
/// for epoch in 0..<epochs {
///   batches.startEpoch(epoch)
///   for b in 0..<batches.batchCount {
///     let n = batches.gather(batch: b, from: train, x: xBuffer, y: yBuffer)
///     // train on n samples
///   }
/// }
/// ```
public struct BatchIterator {
  /// The samples this iterator draws from (e.g. `ValidationSplit.train`).
  public let pool: [Int]
  public let batchSize: Int
  public let seed: UInt64
  public let shuffle: Bool
  /// The order of the current epoch.
  public private(set) var order: [Int]
  /// The current epoch (set by `startEpoch`).
  public private(set) var epoch: Int = 0

  /// An iterator over `indices`; the order of epoch 0 is ready on return.
  public init(indices: [Int], batchSize: Int, seed: UInt64, shuffle: Bool = true) throws {
    guard batchSize >= 1 else { throw DataBatchError.badBatchSize(batchSize) }
    if let bad = indices.first(where: { $0 < 0 }) {
      throw DataBatchError.indexOutOfRange(index: bad, count: indices.count)
    }
    pool = indices
    self.batchSize = batchSize
    self.seed = seed
    self.shuffle = shuffle
    order = indices
    startEpoch(0)
  }

  /// An iterator over all samples `0..<count`.
  public init(count: Int, batchSize: Int, seed: UInt64, shuffle: Bool = true) throws {
    try self.init(indices: Array(0..<max(0, count)), batchSize: batchSize, seed: seed,
                  shuffle: shuffle)
  }

  /// Number of batches per epoch, the last possibly partial.
  public var batchCount: Int { (pool.count + batchSize - 1) / batchSize }

  /// Prepares the order of `epoch`, reusing the order buffer.
  public mutating func startEpoch(_ epoch: Int) {
    self.epoch = epoch
    // Element-wise copy keeps the existing storage (no allocation per epoch).
    for i in order.indices {
      order[i] = pool[i]
    }
    guard shuffle else { return }
    var rng = SplitMix64(seed: Self.epochSeed(seed: seed, epoch: epoch))
    rng.shuffle(&order)
  }

  /// Mixes seed and epoch so neighbouring epochs (and seeds) give unrelated streams.
  static func epochSeed(seed: UInt64, epoch: Int) -> UInt64 {
    var mixer = SplitMix64(seed: seed ^ 0x5DEE_CE66_D1CE_4E5B)
    let base = mixer.next()
    var epochMixer = SplitMix64(seed: base &+ UInt64(truncatingIfNeeded: epoch))
    return epochMixer.next()
  }

  /// The sample indices of batch `b` in the current epoch (`0 <= b < batchCount`).
  public func indices(ofBatch b: Int) -> ArraySlice<Int> {
    precondition(b >= 0 && b < batchCount, "batch \(b) outside 0..<\(batchCount)")
    let start = b * batchSize
    return order[start..<min(start + batchSize, order.count)]
  }

  /// Copies batch `b` of `dataset` into `x` (room for `batchSize × featureCount` floats) and
  /// `y` (room for `batchSize` labels). Returns the number of samples written (less than
  /// `batchSize` only for the last batch). The pool's indices must be valid for `dataset`
  /// (`checkIndices(against:)` verifies this once up front).
  @discardableResult
  public func gather(
    batch b: Int, from dataset: Dataset, x: UnsafeMutablePointer<Float>,
    y: UnsafeMutablePointer<Int32>
  ) -> Int {
    dataset.gather(indices(ofBatch: b), x: x, y: y)
  }

  /// Throws if some pool index is not a sample of `dataset`, so `gather` cannot trap later.
  public func checkIndices(against dataset: Dataset) throws {
    if let bad = pool.first(where: { $0 < 0 || $0 >= dataset.count }) {
      throw DataBatchError.indexOutOfRange(index: bad, count: dataset.count)
    }
  }
}
