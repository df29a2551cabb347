import Foundation

/// A file dlspec could not write: the path, the bytes it needed, the free space of its file
/// system and the OS's reason (ENOSPC, EDQUOT, EROFS, EACCES, …), with a hint.
public struct WriteFailure: Error, CustomStringConvertible {
  public var path: String
  /// Bytes the write needed (for a checkpoint, the estimated size of the file).
  public var bytesNeeded: Int
  /// Bytes available to this user on the file system holding `path`, when statvfs answers.
  public var bytesFree: Int?
  /// The errno behind the failure, when known.
  public var code: Int32?

  public init(path: String, bytesNeeded: Int, code: Int32?) {
    self.path = path
    self.bytesNeeded = bytesNeeded
    self.bytesFree = DiskSpace.available(at: path)
    self.code = code ?? Self.diagnose(path: path, bytesNeeded: bytesNeeded, free: bytesFree)
  }

  public var description: String {
    let reason = code.map { String(cString: strerror($0)) } ?? "the write failed"
    let free = bytesFree.map { ", \($0) bytes free on its file system" } ?? ""
    var hint: String
    switch code {
    case ENOSPC, EDQUOT:
      hint =
        "free some space (or quota) there, or train into another --out; nothing past the "
        + "last good checkpoint was lost"
    case EROFS: hint = "the file system is read-only; choose another --out"
    case EACCES, EPERM: hint = "you may not write there; choose another --out or fix permissions"
    default: hint = "check the disk and the directory"
    }
    return "cannot write '\(path)': \(reason) (\(bytesNeeded) bytes needed\(free))\n"
      + "  = hint: \(hint)"
  }

  /// Why a write into `path`'s directory fails when the writer could not say (HDF5 without an
  /// errno on its stack): a read-only file system, no permission, or too little space.
  static func diagnose(path: String, bytesNeeded: Int, free: Int?) -> Int32? {
    let directory = (path as NSString).deletingLastPathComponent
    let dir = directory.isEmpty ? "." : directory
    var s = statvfs()
    if statvfs(dir, &s) == 0, s.f_flag & UInt(ST_RDONLY) != 0 { return EROFS }
    if access(dir, W_OK) != 0 { return errno == ENOENT ? ENOENT : EACCES }
    if let free, free < bytesNeeded + 4096 { return ENOSPC }
    return nil
  }
}

/// Free space of a file system, as statvfs reports it to an unprivileged writer.
public enum DiskSpace {
  /// Bytes available at `path` (a file's directory is used when the file does not exist yet).
  public static func available(at path: String) -> Int? {
    var s = statvfs()
    var probe = path
    for _ in 0..<2 {
      if statvfs(probe, &s) == 0 { return Int(s.f_bavail) * Int(s.f_frsize) }
      probe = (probe as NSString).deletingLastPathComponent
      if probe.isEmpty { probe = "." }
    }
    return nil
  }

  /// Whether the file system holding `path` is mounted read-only.
  public static func isReadOnly(_ path: String) -> Bool {
    var s = statvfs()
    return statvfs(path, &s) == 0 && s.f_flag & UInt(ST_RDONLY) != 0
  }
}

/// Whole-file and append writes that never leave half a file behind.
///
/// `write` goes to `PATH.tmp`, is fsynced, closed (checked) and renamed over `PATH`; on any
/// failure the temporary file is removed and `PATH` keeps its old content. `append` writes one
/// record with one write(2) and fsyncs it; a failed or short write is cut off again with
/// ftruncate, so the file never ends in half a record.
public enum FileWrite {
  public static func write(_ text: String, to path: String) throws {
    try write(Array(text.utf8), to: path)
  }

  public static func write(_ bytes: [UInt8], to path: String) throws {
    let temporary = path + ".tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw WriteFailure(path: path, bytesNeeded: bytes.count, code: errno)
    }
    var failure: Int32? = nil
    if !writeAll(fd, bytes) { failure = errno }
    // fsync makes the data durable before the rename publishes it (a crash then shows the old
    // file or the whole new one); tmpfs and others report a full disk only here, sometimes.
    if failure == nil, fsync(fd) != 0 { failure = errno }
    if close(fd) != 0, failure == nil { failure = errno }
    if failure == nil, rename(temporary, path) != 0 { failure = errno }
    if let failure {
      unlink(temporary)
      throw WriteFailure(path: path, bytesNeeded: bytes.count, code: failure)
    }
  }

  /// Appends `bytes` to the existing file at `path` as one record (see the type's comment).
  public static func append(_ bytes: [UInt8], to path: String) throws {
    let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
    guard fd >= 0 else { throw WriteFailure(path: path, bytesNeeded: bytes.count, code: errno) }
    defer { close(fd) }
    var info = stat()
    let size = fstat(fd, &info) == 0 ? info.st_size : -1
    var failure: Int32? = nil
    if !writeAll(fd, bytes) { failure = errno }
    if failure == nil, fsync(fd) != 0 { failure = errno }
    if let failure {
      if size >= 0 { _ = ftruncate(fd, size) }
      throw WriteFailure(path: path, bytesNeeded: bytes.count, code: failure)
    }
  }

  /// write(2) until every byte is out; false (errno set) on an error or a zero-length write.
  static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { buffer in
      var done = 0
      while done < buffer.count {
        guard let base = buffer.baseAddress else { return true }
        let n = Foundation.write(fd, base + done, buffer.count - done)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 {
          if n == 0 { errno = ENOSPC }
          return false
        }
        done += n
      }
      return true
    }
  }
}

/// The free space a run needs before it starts: two checkpoints (the newest and the one
/// being written) plus its logs, from the plan's parameter, optimizer and state sizes.
public enum RunSpace {
  /// Bytes of one metrics.csv row per layer column (a double printed in full is ≤ 24 bytes).
  static let bytesPerCell = 24
  /// summary.json, ir.txt and learning-curves.svg, generously (an SVG of many epochs ≈ 40 KiB).
  static let fixedLogBytes = 96 * 1024

  /// The bytes of the logs of `epochs` epochs of a model of `layers` layers.
  public static func logBytes(epochs: Int, layers: Int, specBytes: Int) -> Int {
    fixedLogBytes + specBytes + max(0, epochs) * (8 + layers) * bytesPerCell
  }

  /// Refuses to start when `directory`'s file system is read-only or has less free space
  /// than two checkpoints plus the logs, with the numbers.
  public static func check(
    _ directory: String, checkpointBytes: Int, epochs: Int, layers: Int, specBytes: Int
  ) throws {
    let logs = logBytes(epochs: epochs, layers: layers, specBytes: specBytes)
    let needed = 2 * checkpointBytes + logs
    if DiskSpace.isReadOnly(directory) {
      throw WriteFailure(path: directory, bytesNeeded: needed, code: EROFS)
    }
    guard let free = DiskSpace.available(at: directory), free < needed else { return }
    throw RunDirectory.Failure(
      "not enough free space for the run in '\(directory)': it needs \(needed) bytes (2 "
        + "checkpoints of \(checkpointBytes) bytes + \(logs) bytes of logs), the file system "
        + "has \(free) bytes free\n"
        + "  = hint: free some space, or train into another --out")
  }
}
