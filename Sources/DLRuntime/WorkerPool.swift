import Dispatch
import Foundation
import Synchronization
import _CKernels

/// A fixed pool of worker threads for `Parallel`, created once. Unlike
/// `DispatchQueue.concurrentPerform`, handing out work allocates nothing, so a training step
/// stays allocation-free on several cores (`dlspec bench` counts allocations per step).
///
/// The caller runs chunk 0 itself and workers run the rest. A nested or concurrent call (a
/// kernel inside a chunk, or two test threads at once) finds the pool busy and runs serially
/// instead of waiting, so the pool can never deadlock.
///
/// Waiting spins for `spinNanoseconds` before it sleeps, on both sides: a worker polls for the
/// next job, the caller for the workers' end. A training step hands off every few hundred
/// microseconds, and waking a sleeping thread on a VM whose other vCPU has halted costs tens of
/// microseconds each way (docs/performance.md, "Hand-offs that spin"); OpenMP, which PyTorch
/// uses, spins likewise. A thread that finds nothing within the window sleeps on a semaphore,
/// so an idle pool costs nothing.
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
  /// The current job's ticket, stored by `start` after it sets `job` and `entry`: workers poll
  /// it for new work.
  private let generation = Atomic<Int>(0)
  /// Workers of the current job still running, plus `callerAsleep` once the caller sleeps. One
  /// variable, so the worker whose decrement leaves exactly `callerAsleep` is the one that owes
  /// the caller its signal: a worker still finishing the previous job's bookkeeping cannot
  /// mistake the caller's sleep on the next job for its own.
  private let running = Atomic<Int>(0)
  private static let callerAsleep = 1 << 40
  /// Per worker: set just before it sleeps on its semaphore. Whoever clears a set flag (with
  /// `exchange`) owes that worker one signal, so no wake-up is lost or extra.
  private let workerAsleep: [Flag]
  /// How long a waiting thread polls before it sleeps.
  static let spinNanoseconds: UInt64 = 200_000
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
    workerAsleep = (0..<workers).map { _ in Flag() }
    pthread_mutex_init(&busy, nil)
    entries.reserveCapacity(Self.entryCapacity)
    // Started at once, so the first parallel kernel (a warm-up step) pays for the threads and
    // later steps allocate nothing.
    startWorkers()
  }

  private func startWorkers() {
    for w in 0..<workerCount {
      let thread = Thread { [unowned self] in
        var seen = 0
        while true {
          seen = self.awaitJob(worker: w, after: seen)
          if let job = self.job, let entry = self.entry { entry(job, w + 1) }
          // The last worker out wakes the caller if it went to sleep.
          if self.running.subtract(1, ordering: .sequentiallyConsistent).newValue
            == Self.callerAsleep
          {
            self.finished.signal()
          }
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
    running.store(workers, ordering: .sequentiallyConsistent)
    // The ticket carries the worker count, so a worker reads both in one load.
    let ticket = (handOffs << Self.countBits) | workers
    generation.store(ticket, ordering: .sequentiallyConsistent)
    for w in 0..<workers
    where workerAsleep[w].value.exchange(false, ordering: .sequentiallyConsistent) {
      wake[w].signal()
    }
  }

  /// Low bits of a ticket: how many workers the job uses.
  private static let countBits = 16

  /// Waits for the `workers` started by `start` to finish: polls, then sleeps.
  @usableFromInline func wait(workers: Int) {
    if !Self.spin(until: { running.load(ordering: .acquiring) == 0 }) {
      // Mark the sleep while workers are still running; if they all finished meanwhile, the
      // exchange fails on 0 and there is nothing to wait for.
      var count = running.load(ordering: .sequentiallyConsistent)
      while count != 0 {
        let (exchanged, seen) = running.compareExchange(
          expected: count, desired: count | Self.callerAsleep, ordering: .sequentiallyConsistent)
        if exchanged {
          finished.wait()
          break
        }
        count = seen
      }
    }
    job = nil
    entry = nil
  }

  /// Worker `w`'s wait for a ticket after `seen` whose job includes it; returns the ticket.
  /// `job` and `entry` then hold that job until the worker finishes it: `start` cannot run
  /// again before every worker it included has.
  private func awaitJob(worker w: Int, after seen: Int) -> Int {
    var seen = seen
    while true {
      var now = seen
      let arrived = Self.spin {
        now = generation.load(ordering: .acquiring)
        return now != seen
      }
      if !arrived {
        workerAsleep[w].value.store(true, ordering: .sequentiallyConsistent)
        now = generation.load(ordering: .sequentiallyConsistent)
        if now == seen {
          wake[w].wait()
          now = generation.load(ordering: .acquiring)
        } else if !workerAsleep[w].value.exchange(false, ordering: .sequentiallyConsistent) {
          // `start` cleared the flag first and signalled: take the signal back.
          wake[w].wait()
        }
      }
      if w < now & ((1 << Self.countBits) - 1) { return now }
      // A job for fewer workers: not this one's; wait for the next.
      seen = now
    }
  }

  /// Polls `done` with a pause between tries for up to `spinNanoseconds`; false on timeout.
  /// Every 32 tries it also yields the CPU: a pure spin would hold a core that another runnable
  /// thread needs (OpenBLAS's idle threads poll with sched_yield for ~0.1 s after they start;
  /// spinning against them made the first 100 steps of a 2-thread bench 2× slower).
  private static func spin(until done: () -> Bool) -> Bool {
    let deadline = nanoseconds() + spinNanoseconds
    while true {
      for _ in 0..<32 {
        if done() { return true }
        dl_cpu_relax()
      }
      sched_yield()
      if nanoseconds() >= deadline { return false }
    }
  }

  /// CLOCK_MONOTONIC in nanoseconds (vDSO: no system call).
  private static func nanoseconds() -> UInt64 {
    var clock = timespec()
    clock_gettime(CLOCK_MONOTONIC, &clock)
    return UInt64(clock.tv_sec) * 1_000_000_000 + UInt64(clock.tv_nsec)
  }
}

/// An atomic flag in a box: `Atomic` is not copyable, so an array holds these.
private final class Flag: Sendable {
  let value = Atomic<Bool>(false)
}
