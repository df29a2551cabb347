import DLSpec
import Foundation

/// Reads an HDF5 file's metadata in a child process before dlspec opens it, so a file that
/// crashes or hangs libhdf5 becomes an error instead of killing dlspec.
///
/// libhdf5 1.10.8 segfaults on some damaged files (a corrupt local heap in `H5Lexists`, a
/// corrupt global heap in `H5Aread` of a variable-length string) and loops or allocates
/// without end on others (docs/reliability.md, "Fuzzing"). No check dlspec could make in
/// process avoids that, so `check` runs `command` + `--cpu-seconds N --memory-mb M -- FILE`
/// (the `dlspec _probe-hdf5` subcommand, `runChild`), which walks the metadata under
/// `setrlimit` limits, and waits for it with a wall-clock deadline. The child's death by a
/// signal, its time limit or its memory limit becomes `HDF5Error.damagedMetadata`.
///
/// `HDF5File.open` calls the installed probe (`install`) for every file; the `dlspec` binary
/// installs one running itself (`/proc/self/exe`). Without one (library use, unit tests, the
/// fuzz harness) files are opened in process, unprotected. A file that passed is remembered by
/// device, inode, size and times, so opening it again costs nothing.
public struct HDF5Probe: Sendable {
  /// The child's resource limits.
  public struct Limits: Sendable, Equatable {
    /// CPU seconds; a walk of a real file takes milliseconds (docs/reliability.md).
    public var cpuSeconds: Int
    /// Wall-clock seconds before the parent kills the child (a loaded machine, a slow disk).
    public var wallSeconds: Double
    /// Address space the child may add to its own mapping.
    public var memoryBytes: Int

    public init(cpuSeconds: Int = 2, wallSeconds: Double = 30, memoryBytes: Int = 512 << 20) {
      self.cpuSeconds = cpuSeconds
      self.wallSeconds = wallSeconds
      self.memoryBytes = memoryBytes
    }
  }

  /// What the child's end says about a file.
  public enum Outcome: Equatable, Sendable {
    case passed
    /// Killed by `signal` (a crash in libhdf5: SIGSEGV, SIGBUS, SIGABRT...).
    case crashed(signal: Int32)
    /// Hit the CPU limit (`wall` false) or the wall-clock deadline (`wall` true).
    case timedOut(seconds: Double, wall: Bool)
    case tooMuchMemory(bytes: Int)
    /// Exited with a status the probe does not use.
    case exited(status: Int32)
    /// The child could not be started (`errno`); says nothing about the file.
    case notRun(errno: Int32)
  }

  /// Executable and leading arguments of the probe subcommand.
  public var command: [String]
  public var limits: Limits

  public init(command: [String], limits: Limits = Limits()) {
    self.command = command
    self.limits = limits
  }

  /// The probe of the running `dlspec` binary: `/proc/self/exe _probe-hdf5`.
  public static func selfExecutable(limits: Limits = Limits()) -> HDF5Probe? {
    let exe = "/proc/self/exe"
    guard access(exe, X_OK) == 0 else { return nil }
    return HDF5Probe(command: [exe, "_probe-hdf5"], limits: limits)
  }

  /// Throws `damagedMetadata` unless the child walks `path`'s metadata within the limits. A
  /// child that cannot be started (no process left, a sandbox) leaves the file to the
  /// in-process loader, with a note on stderr.
  public func check(_ path: String) throws {
    let outcome = Self.cached(path) ?? run(path)
    Self.remember(path, outcome)
    switch outcome {
    case .passed:
      return
    case .notRun(let code):
      Self.noteOnce(
        "note: could not start the HDF5 metadata check (\(String(cString: strerror(code)))); "
          + "reading '\(path)' without it")
    case .crashed(let signal):
      throw HDF5Error.damagedMetadata(
        file: path, reason: "libhdf5 crashed (signal \(signal), \(Self.signalName(signal)))")
    case .timedOut(let seconds, let wall):
      throw HDF5Error.damagedMetadata(
        file: path,
        reason: "libhdf5 did not finish within \(Self.seconds(seconds)) s"
          + (wall ? "" : " of CPU time"))
    case .tooMuchMemory(let bytes):
      throw HDF5Error.damagedMetadata(
        file: path, reason: "libhdf5 needed more than \(bytes >> 20) MiB of memory")
    case .exited(let status):
      throw HDF5Error.damagedMetadata(
        file: path, reason: "the metadata check exited with status \(status)")
    }
  }

  /// Runs the child on `path` and waits for it (uncached).
  public func run(_ path: String) -> Outcome {
    let arguments =
      command + [
        "--cpu-seconds", "\(limits.cpuSeconds)", "--memory-mb",
        "\(max(1, limits.memoryBytes >> 20))",
        "--", path,
      ]
    var environment = ProcessInfo.processInfo.environment
    // The child does no arithmetic: one BLAS thread starts fastest.
    environment["OPENBLAS_NUM_THREADS"] = "1"
    // A crash is expected here: Swift's backtracer would spend a second symbolicating it.
    environment["SWIFT_BACKTRACE"] = "enable=no"
    let pid: pid_t
    switch ChildProcess.spawn(arguments, environment: environment) {
    case .success(let p): pid = p
    case .failure(let error): return .notRun(errno: error.code.rawValue)
    }
    switch ChildProcess.wait(pid, deadline: limits.wallSeconds) {
    case nil:
      return .timedOut(seconds: limits.wallSeconds, wall: true)
    case .exited(ChildStatus.walked):
      return .passed
    case .exited(ChildStatus.tooMuchMemory):
      return .tooMuchMemory(bytes: limits.memoryBytes)
    case .exited(let status):
      return .exited(status: status)
    case .signaled(let signal):
      // SIGXCPU at the soft CPU limit, SIGKILL at the hard one a second later.
      if signal == SIGXCPU || signal == SIGKILL {
        return .timedOut(seconds: Double(limits.cpuSeconds), wall: false)
      }
      return .crashed(signal: signal)
    }
  }

  /// `2` for 2.0, `0.5` for 0.5.
  static func seconds(_ s: Double) -> String {
    s == s.rounded() && abs(s) < 1e9 ? "\(Int(s))" : "\(s)"
  }

  static func signalName(_ signal: Int32) -> String {
    let names: [Int32: String] = [
      SIGSEGV: "SIGSEGV", SIGBUS: "SIGBUS", SIGABRT: "SIGABRT", SIGILL: "SIGILL", SIGFPE: "SIGFPE",
      SIGTRAP: "SIGTRAP", SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP",
    ]
    return names[signal] ?? "signal \(signal)"
  }
}

// MARK: The installed probe and the per-file cache

extension HDF5Probe {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var installedProbe: HDF5Probe?
  nonisolated(unsafe) private static var outcomes: [FileIdentity: Outcome] = [:]
  nonisolated(unsafe) private static var noted = false

  /// The probe `HDF5File.open` runs before opening a file; nil (the default) opens in process.
  public static var installed: HDF5Probe? {
    get { lock.withLock { installedProbe } }
    set { lock.withLock { installedProbe = newValue } }
  }

  /// Runs the installed probe on `path`, if there is one.
  static func checkInstalled(_ path: String) throws {
    try installed?.check(path)
  }

  /// A file's identity and version: the same inode with the same size and times is the file
  /// that was probed.
  struct FileIdentity: Hashable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modified: Int
    var changed: Int

    init?(_ path: String) {
      var info = stat()
      guard stat(path, &info) == 0 else { return nil }
      device = UInt64(info.st_dev)
      inode = UInt64(info.st_ino)
      size = Int64(info.st_size)
      modified = info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec
      changed = info.st_ctim.tv_sec * 1_000_000_000 + info.st_ctim.tv_nsec
    }
  }

  static func cached(_ path: String) -> Outcome? {
    guard let id = FileIdentity(path) else { return nil }
    return lock.withLock { outcomes[id] }
  }

  static func remember(_ path: String, _ outcome: Outcome) {
    if case .notRun = outcome { return }
    guard let id = FileIdentity(path) else { return }
    lock.withLock { outcomes[id] = outcome }
  }

  /// Records the file dlspec has just written at `path` as passed, so reading it back in this
  /// process (the divergence report reads `last.h5`) costs no probe. Any later change to the
  /// file changes its times, and it is probed again.
  public static func trustWritten(_ path: String) {
    remember(path, .passed)
  }

  static func noteOnce(_ text: String) {
    let first = lock.withLock { () -> Bool in
      defer { noted = true }
      return !noted
    }
    if first { FileHandle.standardError.write(Data((text + "\n").utf8)) }
  }
}
