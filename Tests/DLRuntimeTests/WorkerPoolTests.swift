import Glibc
import Testing

@testable import DLRuntime

/// Counts each chunk it runs in `runs[chunk]`; with `inner > 0`, each chunk also runs a
/// nested job of `inner` chunks on the same pool, counted in `nested[chunk · inner + i]`.
private struct CountingJob: ParallelJob {
  let pool: WorkerPool
  let runs: UnsafeMutablePointer<Int32>
  let nested: UnsafeMutablePointer<Int32>
  let inner: Int

  func run(_ chunk: Int) {
    runs[chunk] += 1
    guard inner > 0 else { return }
    let job = CountingJob(
      pool: pool, runs: nested + chunk * inner, nested: nested, inner: 0)
    pool.run(chunks: inner, job)
  }
}

@Suite(.serialized) struct WorkerPoolTests {
  /// Runs a `CountingJob` of `chunks` chunks and returns the counts of outer and nested runs.
  private func counts(
    _ pool: WorkerPool, chunks: Int, inner: Int = 0
  ) -> (runs: [Int32], nested: [Int32]) {
    var runs = [Int32](repeating: 0, count: max(chunks, 1))
    var nested = [Int32](repeating: 0, count: max(chunks * inner, 1))
    runs.withUnsafeMutableBufferPointer { r in
      nested.withUnsafeMutableBufferPointer { n in
        guard let rp = r.baseAddress, let np = n.baseAddress else { return }
        pool.run(chunks: chunks, CountingJob(pool: pool, runs: rp, nested: np, inner: inner))
      }
    }
    return (Array(runs.prefix(chunks)), Array(nested.prefix(chunks * inner)))
  }

  /// Every chunk runs exactly once: fewer chunks than threads, as many, and more (the caller
  /// runs those beyond the workers), on the shared pool and on a pool of three workers.
  @Test(arguments: [0, 1, 2, 3, 4, 5, 9, 64])
  func everyChunkRunsOnce(chunks: Int) {
    for pool in [WorkerPool.shared, Self.wide] {
      let before = pool.handOffs
      let (runs, _) = counts(pool, chunks: chunks)
      #expect(runs.allSatisfy { $0 == 1 }, "capacity \(pool.capacity): \(runs)")
      // The workers took part whenever there were chunks for them. Only `wide` is checked:
      // other suites run on the shared pool concurrently (a busy pool runs serially).
      if pool === Self.wide {
        #expect(pool.handOffs - before == (chunks > 1 ? 1 : 0))
      }
    }
  }

  /// A job that runs jobs on the same pool finds it busy and runs them serially: no deadlock,
  /// and every nested chunk still runs exactly once.
  @Test func nestedCallsRunSerially() {
    for pool in [WorkerPool.shared, Self.wide] {
      let (runs, nested) = counts(pool, chunks: pool.capacity + 2, inner: 5)
      #expect(runs.allSatisfy { $0 == 1 })
      #expect(nested.count == (pool.capacity + 2) * 5 && nested.allSatisfy { $0 == 1 })
    }
  }

  /// Jobs back to back (workers still polling), jobs after a pause longer than the polling
  /// window (workers asleep on their semaphores), and jobs using fewer workers than the pool
  /// has (the others must skip them and still take part in the next): every chunk of every job
  /// runs exactly once, and each job's workers finish before `run` returns (the counts are read
  /// right after it).
  @Test func handOffsAcrossSpinningAndSleepingWorkers() {
    let pause = timespec(tv_sec: 0, tv_nsec: Int(3 * WorkerPool.spinNanoseconds))
    for pool in [WorkerPool.shared, Self.wide] {
      for (round, chunks) in [4, 2, 3, 4, 2, 2, 4, 3, 4].enumerated() {
        if round % 3 == 2 {
          var request = pause
          var rest = timespec()
          nanosleep(&request, &rest)
        }
        for _ in 0..<50 {
          let (runs, _) = counts(pool, chunks: chunks)
          #expect(runs.allSatisfy { $0 == 1 }, "round \(round), \(chunks) chunks: \(runs)")
        }
      }
    }
  }

  /// A pool of three workers, whatever this machine's core count; this suite's alone (it is
  /// serialized), so its hand-off count is exact.
  private static let wide = WorkerPool(workers: 3)
}
