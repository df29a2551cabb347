import DLRuntime
import Testing

/// Adds 1 to `visits[i]` for every index of a range.
private struct Visit: RangeJob {
  let visits: UnsafeMutablePointer<Int32>
  func run(_ range: Range<Int>) {
    for i in range { visits[i] += 1 }
  }
}

@Suite struct ParallelTests {
  @Test(arguments: [
    0, 1, 1000, Parallel.threshold - 1, Parallel.threshold, 3 * Parallel.threshold + 5,
  ])
  func chunksPartitionTheRange(count: Int) {
    // Every index is visited exactly once, whichever path (serial or concurrent) is taken.
    let visits = UnsafeMutablePointer<Int32>.allocate(capacity: max(count, 1))
    defer { visits.deallocate() }
    visits.initialize(repeating: 0, count: max(count, 1))
    Parallel.forEachChunk(count: count, Visit(visits: visits))
    #expect((0..<count).allSatisfy { visits[$0] == 1 })
  }

  @Test(arguments: [0, 1, 2, 3, 7, 100])
  func itemChunksPartitionTheItems(count: Int) {
    let visits = UnsafeMutablePointer<Int32>.allocate(capacity: max(count, 1))
    defer { visits.deallocate() }
    visits.initialize(repeating: 0, count: max(count, 1))
    Parallel.forEachItemChunk(
      count: count, elementsPerItem: Parallel.threshold, Visit(visits: visits))
    #expect((0..<count).allSatisfy { visits[$0] == 1 })
  }
}
