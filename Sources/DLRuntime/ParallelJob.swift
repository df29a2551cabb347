/// Work handed to `WorkerPool` and `Parallel`: a small struct holding the pointers and sizes a
/// loop needs, run once per chunk.
///
/// Why not a closure: a non-escaping closure cannot be handed to another thread without
/// converting it to an escaping one (`withoutActuallyEscaping`), and that conversion
/// heap-allocates a thunk on every hand-off — 8 to 18 mallocs per training step on two
/// threads. A job struct stays on the caller's stack; the pool passes workers a pointer to it.
/// Jobs are read concurrently by all workers, so `run` must not mutate shared state except the
/// disjoint outputs its chunk owns.
public protocol ParallelJob {
  /// Runs chunk `chunk` of `0..<chunks` (the count given to `WorkerPool.run`).
  func run(_ chunk: Int)
}

/// A loop over half-open index ranges, for `Parallel.forEachChunk` and
/// `Parallel.forEachItemChunk`: the ranges are disjoint and together cover `0..<count`.
public protocol RangeJob {
  func run(_ range: Range<Int>)
}
