import Dispatch

#if canImport(Glibc)
  import Glibc
#endif

/// Splits large element-wise loops across cores.
///
/// Memory-bound kernels run at ≈ 0.16 ns/element (PLATFORM.md), so a dispatch (a few µs) only
/// pays off for long loops: below `threshold` elements the body runs once, serially, on the
/// calling thread. The body receives disjoint half-open ranges that together cover `0..<count`.
public enum Parallel {
  /// Element count from which a loop is split across cores.
  public static let threshold = 1 << 16

  /// Online processors, fixed at first use.
  public static let coreCount: Int = {
    #if canImport(Glibc)
      return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    #else
      return 1
    #endif
  }()

  /// Runs `body` over chunks of `0..<count`: serially if `count < threshold` or there is one
  /// core, otherwise one chunk per core (chunk starts aligned to 16 elements, a cache line of
  /// `Float`, so two threads never write the same line).
  /// Workers the element-wise kernels split across; `BLAS.setThreads` sets it too, so
  /// `--threads 1` means one core for everything.
  public static var threads: Int = coreCount

  @inlinable
  public static func forEachChunk(count: Int, _ body: (Range<Int>) -> Void) {
    let workers = threads
    if count < threshold || workers == 1 {
      body(0..<count)
      return
    }
    let chunk = ((count + workers - 1) / workers + 15) & ~15
    let chunks = (count + chunk - 1) / chunk
    WorkerPool.shared.run(chunks: chunks) { index in
      let start = index * chunk
      body(start..<min(start + chunk, count))
    }
  }

  /// Runs `body` over chunks of the items `0..<count` (e.g. samples of a batch) when each item
  /// costs about `elementsPerItem` element operations: serially if the total is below
  /// `threshold`, otherwise in up to `coreCount` contiguous chunks of items.
  @inlinable
  public static func forEachItemChunk(
    count: Int, elementsPerItem: Int, _ body: (Range<Int>) -> Void
  ) {
    let workers = min(threads, count)
    if count * elementsPerItem < threshold || workers <= 1 {
      body(0..<count)
      return
    }
    let chunk = (count + workers - 1) / workers
    let chunks = (count + chunk - 1) / chunk
    WorkerPool.shared.run(chunks: chunks) { index in
      let start = index * chunk
      body(start..<min(start + chunk, count))
    }
  }
}
