import Foundation

/// What a path names, as `stat(2)` sees it (symlinks followed), so a reader can refuse anything
/// that is not a regular file before opening it. Opening a FIFO blocks until a writer appears,
/// and a directory or a device reads as nonsense: every file dlspec reads (spec, HDF5, IDX,
/// checkpoint) goes through `FileKind.requireRegular` first.
public enum FileKind: Equatable, Sendable {
  case regular(size: Int)
  case missing
  case directory
  case fifo
  case socket
  case characterDevice
  case blockDevice
  case other

  /// The kind of `path`, following symlinks.
  public static func of(_ path: String) -> FileKind {
    var info = stat()
    guard stat(path, &info) == 0 else { return .missing }
    return of(mode: info.st_mode, size: Int(info.st_size))
  }

  /// The kind of an open descriptor (`fstat`), for readers that open first and check after.
  public static func of(descriptor fd: Int32) -> FileKind {
    var info = stat()
    guard fstat(fd, &info) == 0 else { return .missing }
    return of(mode: info.st_mode, size: Int(info.st_size))
  }

  static func of(mode: mode_t, size: Int) -> FileKind {
    switch mode & S_IFMT {
    case S_IFREG: return .regular(size: size)
    case S_IFDIR: return .directory
    case S_IFIFO: return .fifo
    case S_IFSOCK: return .socket
    case S_IFCHR: return .characterDevice
    case S_IFBLK: return .blockDevice
    default: return .other
    }
  }

  /// "a directory", "a FIFO (named pipe)", …: what the path is, for an error message.
  public var description: String {
    switch self {
    case .regular: return "a regular file"
    case .missing: return "missing"
    case .directory: return "a directory"
    case .fifo: return "a FIFO (named pipe)"
    case .socket: return "a socket"
    case .characterDevice: return "a character device"
    case .blockDevice: return "a block device"
    case .other: return "not a regular file"
    }
  }

  /// The size of a regular file; nil for anything else.
  public var regularSize: Int? {
    if case .regular(let size) = self { return size }
    return nil
  }

  /// Throws `FileKindError` unless `path` is a regular file; returns its size in bytes.
  @discardableResult
  public static func requireRegular(_ path: String, role: String) throws -> Int {
    let kind = of(path)
    switch kind {
    case .regular(let size): return size
    case .missing: throw FileKindError.missing(path: path, role: role)
    default: throw FileKindError.notRegular(path: path, role: role, kind: kind)
    }
  }
}

/// A path that cannot be read as a file: missing, or a directory, FIFO, socket or device.
public enum FileKindError: Error, Equatable, CustomStringConvertible {
  case missing(path: String, role: String)
  case notRegular(path: String, role: String, kind: FileKind)

  public var description: String {
    switch self {
    case .missing(let path, let role):
      return "cannot read \(role) '\(path)': no such file"
    case .notRegular(let path, let role, let kind):
      return "cannot read \(role) '\(path)': it is \(kind.description), not a regular file"
    }
  }
}
