import Dispatch
import Foundation

/// A fixed pool of worker threads for `Parallel`, created once. Unlike
/// `DispatchQueue.concurrentPerform`, handing out work allocates nothing, so a training step
/// stays allocation-free on several cores (`dlspec bench` counts allocations per step).
///
/// The caller runs chunk 0 itself and workers run the rest. A nested or concurrent call (a
/// kernel inside a chunk, or two test threads at once) finds the pool busy and runs serially
/// instead of waiting, so the pool can never deadlock.
public final class WorkerPool: @unchecked Sendable {
  public static let shared = WorkerPool(workers: max(0, Parallel.coreCount - 1))

  private let workerCount: Int
  /// Chunks that can run at once: the workers and the caller.
  public var capacity: Int { workerCount + 1 }
  private let wake: [DispatchSemaphore]
  private let finished = DispatchSemaphore(value: 0)
  private var busy = pthread_mutex_t()
  private var body: ((Int) -> Void)?

  init(workers: Int) {
    workerCount = workers
    wake = (0..<workers).map { _ in DispatchSemaphore(value: 0) }
    pthread_mutex_init(&busy, nil)
    // Started at once, so the first parallel kernel (a warm-up step) pays for the threads and
    // later steps allocate nothing.
    startWorkers()
  }

  private func startWorkers() {
    for w in 0..<workerCount {
      let thread = Thread { [unowned self] in
        while true {
          self.wake[w].wait()
          self.body?(w + 1)
          self.finished.signal()
        }
      }
      thread.stackSize = 1 << 20
      thread.start()
    }
  }

  /// Runs `body(0) … body(chunks − 1)`, in parallel when the pool is free.
  public func run(chunks: Int, _ body: (Int) -> Void) {
    let extra = min(chunks - 1, workerCount)
    guard extra > 0, pthread_mutex_trylock(&busy) == 0 else {
      for i in 0..<chunks { body(i) }
      return
    }
    defer { pthread_mutex_unlock(&busy) }
    withoutActuallyEscaping(body) { escapable in
      self.body = escapable
      for w in 0..<extra { wake[w].signal() }
      escapable(0)
      // Chunks beyond the workers (more chunks than cores) run here too.
      var next = extra + 1
      while next < chunks {
        escapable(next)
        next += 1
      }
      for _ in 0..<extra { finished.wait() }
      self.body = nil
    }
  }
}
