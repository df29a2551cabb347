import Foundation

/// A child process started with `posix_spawn` and waited for with a deadline: the few calls
/// `HDF5Probe` needs, without Foundation's `Process` (whose SIGCHLD machinery and pipes cost
/// more than the probe itself).
enum ChildProcess {
  /// How a child ended.
  enum End: Equatable {
    case exited(Int32)
    case signaled(Int32)
  }

  /// Starts `arguments[0]` with `arguments`, stdin, stdout and stderr on /dev/null, every signal at its default disposition and none blocked.
  static func spawn(_ arguments: [String], environment: [String: String]) -> Result<
    pid_t, POSIXError
  > {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    // Other descriptors: dlspec opens its own (run lock, checkpoint and log writes) with
    // O_CLOEXEC, so none outlives the exec. (glibc's addclosefrom_np is not visible to Swift.)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    // Train's SIGINT handler, or an ignored SIGPIPE, must not carry over.
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(
      &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv = arguments.map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for p in argv { free(p) }
      for p in envp { free(p) }
    }
    var pid: pid_t = 0
    let status = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
    guard status == 0 else { return .failure(POSIXError(POSIXErrorCode(rawValue: status) ?? .EIO)) }
    return .success(pid)
  }

  /// Waits for `pid`; after `deadline` seconds it is killed (SIGKILL), reaped, and nil
  /// returned. Polls with a back-off from 0.2 ms to 10 ms: a probe ends in tens of ms.
  static func wait(_ pid: pid_t, deadline: Double) -> End? {
    let end = Date().addingTimeInterval(deadline)
    var delay: useconds_t = 200
    var status: Int32 = 0
    while true {
      let r = waitpid(pid, &status, WNOHANG)
      if r == pid { return decode(status) }
      if r < 0, errno != EINTR { return .exited(-1) }
      if Date() >= end {
        kill(pid, SIGKILL)
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return nil
      }
      usleep(delay)
      delay = min(delay * 2, 10_000)
    }
  }

  /// The wait status's meaning (the W* macros, which Swift does not import).
  static func decode(_ status: Int32) -> End {
    let signal = status & 0x7f
    return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
  }
}
