import DLRuntime
import Testing

@testable import DLTrain

@Suite struct BatchIteratorTests {
  @Test func splitMix64KnownSequence() {
    // Reference values of SplitMix64 seeded with 1234567 (from the published C reference).
    var rng = SplitMix64(seed: 1_234_567)
    #expect(rng.next() == 6_457_827_717_110_365_317)
    #expect(rng.next() == 3_203_168_211_198_807_973)
    #expect(rng.next() == 9_817_491_932_198_370_423)
  }

  @Test func epochOrderIsDeterministicPermutationAndVaries() throws {
    var a = try BatchIterator(count: 100, batchSize: 10, seed: 7)
    var b = try BatchIterator(count: 100, batchSize: 10, seed: 7)
    a.startEpoch(3)
    b.startEpoch(3)
    #expect(a.order == b.order)
    #expect(a.order.sorted() == Array(0..<100))
    let epoch3 = a.order
    a.startEpoch(4)
    #expect(a.order != epoch3)
    // Epoch orders depend on (seed, epoch) only, not on history.
    a.startEpoch(3)
    #expect(a.order == epoch3)
    let other = try BatchIterator(count: 100, batchSize: 10, seed: 8)
    var c = other
    c.startEpoch(3)
    #expect(c.order != epoch3)
    let plain = try BatchIterator(count: 5, batchSize: 2, seed: 7, shuffle: false)
    #expect(plain.order == [0, 1, 2, 3, 4])
  }

  @Test func lastPartialBatchIsKept() throws {
    let iterator = try BatchIterator(count: 10, batchSize: 4, seed: 1)
    #expect(iterator.batchCount == 3)
    #expect(iterator.indices(ofBatch: 2).count == 2)
    let all = (0..<3).flatMap { iterator.indices(ofBatch: $0) }
    #expect(all.sorted() == Array(0..<10))
    #expect(try BatchIterator(count: 0, batchSize: 4, seed: 1).batchCount == 0)
    #expect(throws: DataBatchError.badBatchSize(0)) {
      try BatchIterator(count: 10, batchSize: 0, seed: 1)
    }
  }

  @Test func gatherCopiesRowsAndLabels() throws {
    let x = (0..<30).map(Float.init)  // 10 samples × 3 features
    let y = (0..<10).map { Int32($0 % 4) }
    let data = try Dataset(x: x, y: y, sampleShape: [3], classCount: 4)
    let iterator = try BatchIterator(count: 10, batchSize: 4, seed: 5)
    try iterator.checkIndices(against: data)
    let xs = UnsafeMutablePointer<Float>.allocate(capacity: 12)
    let ys = UnsafeMutablePointer<Int32>.allocate(capacity: 4)
    defer {
      xs.deallocate()
      ys.deallocate()
    }
    for b in 0..<iterator.batchCount {
      let indices = Array(iterator.indices(ofBatch: b))
      let n = iterator.gather(batch: b, from: data, x: xs, y: ys)
      #expect(n == indices.count)
      for (row, index) in indices.enumerated() {
        #expect(Array(UnsafeBufferPointer(start: xs + row * 3, count: 3))
                == Array(x[index * 3..<index * 3 + 3]))
        #expect(ys[row] == y[index])
      }
    }
    let tooBig = try BatchIterator(indices: [0, 10], batchSize: 2, seed: 1)
    #expect(throws: DataBatchError.indexOutOfRange(index: 10, count: 10)) {
      try tooBig.checkIndices(against: data)
    }
  }

  @Test func validationSplitIsSeededDisjointAndComplete() throws {
    let split = try ValidationSplit(count: 1000, fraction: 0.1, seed: 3)
    #expect(split.validation.count == 100)
    #expect(split.train.count == 900)
    #expect(Set(split.train).isDisjoint(with: split.validation))
    #expect((split.train + split.validation).sorted() == Array(0..<1000))
    #expect(try ValidationSplit(count: 1000, fraction: 0.1, seed: 3) == split)
    #expect(try ValidationSplit(count: 1000, fraction: 0.1, seed: 4) != split)
    // Not simply the last 10%: the permutation mixes the whole set in.
    #expect(split.validation != Array(900..<1000))
    #expect(try ValidationSplit(count: 10, fraction: 0, seed: 1).validation.isEmpty)
    #expect(throws: DataBatchError.badValidationFraction(1)) {
      try ValidationSplit(count: 10, fraction: 1, seed: 1)
    }
  }
}
