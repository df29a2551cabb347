import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Whether a live process holds a run's `run.lock`: the trainer keeps an exclusive flock on it
/// while it runs. A lock that can be taken was left by a killed process. When the file has no
/// flock but names a live pid (a trainer that only writes its pid), that counts as held too.
extension RunLock {
  public static func isHeld(path: String) -> Bool {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    if flock(fd, LOCK_EX | LOCK_NB) != 0 { return errno == EWOULDBLOCK }
    flock(fd, LOCK_UN)
    guard let text = try? String(contentsOfFile: path, encoding: .utf8),
      let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0,
      pid != getpid()
    else { return false }
    // kill(pid, 0) probes without sending; EPERM means the process exists (another user's).
    return kill(pid, 0) == 0 || errno == EPERM
  }
}
