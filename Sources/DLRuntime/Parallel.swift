import Dispatch

#if canImport(Glibc)
  import Glibc
#endif

/// Splits large element-wise loops across cores.
///
/// Memory-bound kernels run at ≈ 0.16 ns/element (PLATFORM.md), so a dispatch (a few µs) only
/// pays off for long loops: below `threshold` elements the job runs once, serially, on the
/// calling thread. The job receives disjoint half-open ranges that together cover `0..<count`.
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

  /// Workers the element-wise kernels split across; `BLAS.setThreads` sets it too, so
  /// `--threads 1` means one core for everything.
  public static var threads: Int = coreCount

  /// Runs `job` over chunks of `0..<count`: serially if `count < threshold` or there is one
  /// thread, otherwise one chunk per thread (chunk starts aligned to 16 elements, a cache line
  /// of `Float`, so two threads never write the same line).
  @inlinable
  public static func forEachChunk<J: RangeJob>(count: Int, _ job: J) {
    let workers = threads
    if count < threshold || workers == 1 {
      job.run(0..<count)
      return
    }
    let chunk = ((count + workers - 1) / workers + 15) & ~15
    let chunks = (count + chunk - 1) / chunk
    WorkerPool.shared.run(chunks: chunks, RangeChunks(job, chunk: chunk, count: count))
  }

  /// Runs `job` over chunks of the items `0..<count` (e.g. samples of a batch) when each item
  /// costs about `elementsPerItem` element operations: serially if the total is below
  /// `threshold`, otherwise in up to `threads` contiguous chunks of items.
  @inlinable
  public static func forEachItemChunk<J: RangeJob>(count: Int, elementsPerItem: Int, _ job: J) {
    let workers = min(threads, count)
    if count * elementsPerItem < threshold || workers <= 1 {
      job.run(0..<count)
      return
    }
    let chunk = (count + workers - 1) / workers
    let chunks = (count + chunk - 1) / chunk
    WorkerPool.shared.run(chunks: chunks, RangeChunks(job, chunk: chunk, count: count))
  }
}

/// Chunk `index` of a `RangeJob` as the range `index·chunk ..< min((index + 1)·chunk, count)`.
@usableFromInline
struct RangeChunks<J: RangeJob>: ParallelJob {
  @usableFromInline let job: J
  @usableFromInline let chunk: Int
  @usableFromInline let count: Int

  @inlinable
  init(_ job: J, chunk: Int, count: Int) {
    self.job = job
    self.chunk = chunk
    self.count = count
  }

  @inlinable
  func run(_ index: Int) {
    let start = index * chunk
    job.run(start..<min(start + chunk, count))
  }
}
