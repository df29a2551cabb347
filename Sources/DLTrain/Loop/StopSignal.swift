import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A request to end training at the next step boundary: SIGINT or SIGTERM (through
/// `installHandlers()`), or, for tests, a step count.
///
/// The training loop polls `shouldStop(step:)` once per step, before the step starts; it costs
/// one relaxed atomic load and one integer compare. On a stop the trainer writes a checkpoint
/// of that exact step (`checkpoints/last.h5`, with its position in the epoch), marks the run
/// `stopped` and returns; the CLI exits 130 (SIGINT) or 143 (SIGTERM).
///
/// The signal handler only stores the signal number into an atomic (async-signal-safe: no
/// allocation, no lock, no Swift runtime call beyond the already-initialised global). A second
/// signal while a stop is pending calls `_exit(128 + signal)` at once: checkpoints are written
/// to `.tmp` and renamed, so the last complete one stays intact.
///
/// ```swift
/// StopSignal.installHandlers()
/// let trainer = Trainer(e, options: .init(runDirectory: run, specText: text, stop: .process))
/// ```
public final class StopSignal: Sendable {
  /// The signal received (SIGINT, SIGTERM), or 0.
  let raised = Atomic<Int32>(0)
  /// A stop as on a signal once this many steps are done (tests); `Int.max` for never.
  let atStep: Int

  public init(atStep: Int = .max) {
    self.atStep = atStep
  }

  /// The instance the signal handlers set.
  public static let process = StopSignal()

  /// Why training stopped.
  public enum Reason: Equatable, Sendable, CustomStringConvertible {
    case signal(Int32)
    case stepLimit(Int)

    /// `SIGINT`, `SIGTERM`, or `a stop requested at step N`.
    public var description: String {
      switch self {
      case .signal(let s): return StopSignal.name(s)
      case .stepLimit(let n): return "a stop requested at step \(n)"
      }
    }

    /// The exit status a command uses for this stop: 128 + the signal (130, 143); 1 otherwise.
    public var exitStatus: Int32 {
      if case .signal(let s) = self { return 128 + s }
      return 1
    }
  }

  /// Polled once per step: true when a signal came or `step` reached `atStep`.
  @inline(__always)
  func shouldStop(step: Int) -> Bool {
    raised.load(ordering: .relaxed) != 0 || step >= atStep
  }

  /// The reason for a stop that `shouldStop` reported.
  func reason(step: Int) -> Reason {
    let s = raised.load(ordering: .relaxed)
    return s != 0 ? .signal(s) : .stepLimit(step)
  }

  /// Raises the flag as the handler would (tests, and callers that stop training themselves).
  public func request(_ signal: Int32) {
    raised.store(signal, ordering: .relaxed)
  }

  static func name(_ signal: Int32) -> String {
    switch signal {
    case SIGINT: return "SIGINT"
    case SIGTERM: return "SIGTERM"
    default: return "signal \(signal)"
    }
  }

  /// Installs the SIGINT and SIGTERM handlers for `process` with sigaction(2), and unblocks
  /// both signals (a parent may have spawned this process with them blocked). SA_RESTART keeps
  /// file writes in progress from failing with EINTR.
  public static func installHandlers() {
    // The global is initialised here, outside any handler, so the handler's access to it is a
    // plain load.
    _ = process.raised.load(ordering: .relaxed)
    var action = sigaction()
    #if canImport(Glibc)
      action.__sigaction_handler.sa_handler = stopSignalHandler
    #else
      action.__sigaction_u.__sa_handler = stopSignalHandler
    #endif
    action.sa_flags = SA_RESTART
    sigemptyset(&action.sa_mask)
    var unblock = sigset_t()
    sigemptyset(&unblock)
    for s in [SIGINT, SIGTERM] {
      sigaction(s, &action, nil)
      sigaddset(&unblock, s)
    }
    pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
  }
}

/// The handler: the first signal raises the flag and says so on stderr with one write(2) of a
/// static string; a second one exits at once. Only async-signal-safe calls.
private let stopSignalHandler: @convention(c) (Int32) -> Void = { signal in
  let previous = StopSignal.process.raised.exchange(signal, ordering: .relaxed)
  if previous != 0 { _exit(128 + signal) }
  let message: StaticString =
    signal == SIGINT
    ? "\ndlspec: SIGINT: stopping at the next step and writing a checkpoint (Ctrl-C again to quit at once)\n"
    : "\ndlspec: SIGTERM: stopping at the next step and writing a checkpoint\n"
  _ = write(STDERR_FILENO, message.utf8Start, message.utf8CodeUnitCount)
}
