import Foundation

/// `run.lock` in a run directory: an exclusive flock(2) held for as long as one trainer writes
/// there, the file holding its pid. A second trainer is refused at once (LOCK_NB), naming the
/// pid; the kernel drops the lock when the process dies, so a kill -9 leaves no stale lock.
public final class RunLock {
  public let path: String
  private var descriptor: Int32

  public struct Held: Error, CustomStringConvertible {
    public var directory: String
    /// The holder's pid as written in the lock file (nil when unreadable).
    public var pid: Int32?
    public var description: String {
      let who = pid.map { "another training (pid \($0))" } ?? "another training"
      return "\(who) is writing to the run directory '\(directory)'\n"
        + "  = hint: wait for it to finish, or train into another --out"
    }
  }

  private init(path: String, descriptor: Int32) {
    self.path = path
    self.descriptor = descriptor
  }

  /// Takes `directory/run.lock`, or throws `Held` when another process (or another lock in
  /// this process) holds it.
  public static func acquire(_ directory: String) throws -> RunLock {
    let path = directory + "/run.lock"
    // The holder unlinks the file before it unlocks; a descriptor opened on the unlinked file
    // can win the lock, so the inode is compared with the path's and the open retried.
    // A brief holder (a reader probing the lock, `evaluate` recording test metrics) is waited
    // out for about 0.1 s before the lock counts as held by another training.
    var waits = 0
    for _ in 0..<100 {
      let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
      guard fd >= 0 else {
        throw RunDirectory.Failure("cannot create '\(path)': \(String(cString: strerror(errno)))")
      }
      if flock(fd, LOCK_EX | LOCK_NB) != 0 {
        let busy = errno == EWOULDBLOCK
        let why = String(cString: strerror(errno))
        let pid = readPID(fd)
        close(fd)
        if busy && waits < 5 {
          waits += 1
          usleep(20_000)
          continue
        }
        if busy { throw Held(directory: directory, pid: pid) }
        throw RunDirectory.Failure("cannot lock '\(path)': \(why)")
      }
      var held = stat()
      var named = stat()
      if fstat(fd, &held) == 0, stat(path, &named) == 0, held.st_ino == named.st_ino,
        held.st_dev == named.st_dev
      {
        let text = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        return RunLock(path: path, descriptor: fd)
      }
      close(fd)
    }
    throw RunDirectory.Failure("cannot lock '\(path)': it keeps being replaced")
  }

  /// The pid written in a lock file, if any.
  static func readPID(_ fd: Int32) -> Int32? {
    var buffer = [UInt8](repeating: 0, count: 32)
    let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 31, 0) }
    guard n > 0 else { return nil }
    return Int32(
      String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    )
  }

  /// Removes the lock file and unlocks; idempotent.
  public func release() {
    guard descriptor >= 0 else { return }
    unlink(path)
    flock(descriptor, LOCK_UN)
    close(descriptor)
    descriptor = -1
  }

  deinit { release() }
}
