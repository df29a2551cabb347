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

  /// Runs chunk `Int` of the job at the pointer: the job's type is fixed inside the function,
  /// so workers call specialised code (see `entry(for:)`).
  @usableFromInline typealias Entry = (UnsafeRawPointer, Int) -> Void

  @usableFromInline let workerCount: Int
  /// Chunks that can run at once: the workers and the caller.
  public var capacity: Int { workerCount + 1 }
  private let wake: [DispatchSemaphore]
  private let finished = DispatchSemaphore(value: 0)
  private var busy = pthread_mutex_t()
  /// The job being run and its entry; set only while `busy` is held.
  private var job: UnsafeRawPointer?
  private var entry: Entry?
  /// Entries made so far, by job type; read and written only while `busy` is held.
  @usableFromInline var entries: [CachedEntry] = []
  /// Jobs handed to workers so far (serial fallbacks not counted): `dlspec bench` reports it
  /// per step, so a test of the 2-thread path can check the path was taken.
  public private(set) var handOffs = 0
  /// Job types cached; `reserveCapacity` up front, so caching never grows the arrays.
  @usableFromInline static let entryCapacity = 512

  init(workers: Int) {
    workerCount = workers
    wake = (0..<workers).map { _ in DispatchSemaphore(value: 0) }
    pthread_mutex_init(&busy, nil)
    entries.reserveCapacity(Self.entryCapacity)
    // Started at once, so the first parallel kernel (a warm-up step) pays for the threads and
    // later steps allocate nothing.
    startWorkers()
  }

  private func startWorkers() {
    for w in 0..<workerCount {
      let thread = Thread { [unowned self] in
        while true {
          self.wake[w].wait()
          if let job = self.job, let entry = self.entry { entry(job, w + 1) }
          self.finished.signal()
        }
      }
      thread.stackSize = 1 << 20
      thread.start()
    }
  }

  /// Runs `job.run(0) … job.run(chunks − 1)`, in parallel when the pool is free. `job` stays
  /// on the caller's stack; workers get a pointer to it, so nothing is allocated.
  @inlinable
  public func run<J: ParallelJob>(chunks: Int, _ job: J) {
    let extra = min(chunks - 1, workerCount)
    guard extra > 0, acquire() else {
      for i in 0..<chunks { job.run(i) }
      return
    }
    defer { release() }
    let entry = entry(for: J.self)
    withUnsafePointer(to: job) { pointer in
      start(UnsafeRawPointer(pointer), entry, workers: extra)
      job.run(0)
      // Chunks beyond the workers (more chunks than cores) run here too.
      var next = extra + 1
      while next < chunks {
        job.run(next)
        next += 1
      }
      wait(workers: extra)
    }
  }

  /// The entry that runs a chunk of a `J` behind a raw pointer. Workers cannot be given `J`
  /// itself: calling `run` through its existential metatype would use the unspecialised
  /// generic witness (measured 55× slower for an element-wise loop). The closure made here is
  /// specialised with its caller and then captures nothing, so forming it costs nothing; in
  /// unspecialised (debug) code it captures `J`'s metadata and would allocate per hand-off, so
  /// entries are cached by type. Call only while `busy` is held.
  @inlinable
  func entry<J: ParallelJob>(for type: J.Type) -> Entry {
    let id = ObjectIdentifier(type)
    for i in entries.indices where entries[i].type == id { return entries[i].entry }
    let made: Entry = { pointer, chunk in
      pointer.assumingMemoryBound(to: J.self).pointee.run(chunk)
    }
    if entries.count < Self.entryCapacity { entries.append(CachedEntry(type: id, entry: made)) }
    return made
  }

  /// A cached entry. The struct matters: an `[Entry]` stores closures at the generic element's
  /// abstraction, and reading one back allocates a reabstraction thunk per hand-off.
  @usableFromInline
  struct CachedEntry {
    @usableFromInline let type: ObjectIdentifier
    @usableFromInline let entry: Entry

    @inlinable
    init(type: ObjectIdentifier, entry: @escaping Entry) {
      self.type = type
      self.entry = entry
    }
  }

  /// Takes the pool; false when another call holds it.
  @usableFromInline func acquire() -> Bool { pthread_mutex_trylock(&busy) == 0 }

  @usableFromInline func release() { pthread_mutex_unlock(&busy) }

  /// Hands `job` to the first `workers` workers, which run chunks 1 … `workers`.
  @usableFromInline func start(_ job: UnsafeRawPointer, _ entry: @escaping Entry, workers: Int) {
    self.job = job
    self.entry = entry
    handOffs += 1
    for w in 0..<workers { wake[w].signal() }
  }

  /// Waits for the `workers` started by `start` to finish.
  @usableFromInline func wait(workers: Int) {
    for _ in 0..<workers { finished.wait() }
    job = nil
    entry = nil
  }
}
