import DLRuntime
import Testing

@Suite struct ParallelTests {
  @Test(arguments: [
    0, 1, 1000, Parallel.threshold - 1, Parallel.threshold, 3 * Parallel.threshold + 5,
  ])
  func chunksPartitionTheRange(count: Int) {
    // Every index is visited exactly once, whichever path (serial or concurrent) is taken.
    let visits = UnsafeMutablePointer<Int32>.allocate(capacity: max(count, 1))
    defer { visits.deallocate() }
    visits.initialize(repeating: 0, count: max(count, 1))
    Parallel.forEachChunk(count: count) { range in
      for i in range { visits[i] += 1 }
    }
    #expect((0..<count).allSatisfy { visits[$0] == 1 })
  }
}
