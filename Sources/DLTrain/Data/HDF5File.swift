import DLSpec
import Foundation
import _CHDF5

/// Serialises every call into the HDF5 library.
///
/// Debian's HDF5 is built thread-safe, but other builds are not, and a multi-call sequence
/// (open, create, write, close) should not interleave with another thread's; so every public
/// entry point of the wrapper takes this recursive lock.
enum HDF5Library {
  static let lock = NSRecursiveLock()

  static func sync<T>(_ body: () throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    // The wrapper reports failures as `HDF5Error`s, and probing must not spray stderr with
    // HDF5's error stack. In a thread-safe build the printing switch is per thread, so it is
    // turned off on whichever thread is calling (a cheap call).
    H5Eset_auto2(dl_h5e_default(), watchesAllocations ? allocationWatcher : nil, nil)
    return try body()
  }

  /// Set in the probe's child (`HDF5Probe.runChild`): every failed call's error stack is
  /// searched for a failed allocation, which `allocationFailed` then records. Under the
  /// child's address-space limit a damaged header's huge claim fails there, where in process
  /// it would succeed and fill gigabytes.
  nonisolated(unsafe) static var watchesAllocations = false
  nonisolated(unsafe) static var allocationFailed = false

  /// HDF5's automatic error handler, called when an API call fails.
  static let allocationWatcher: H5E_auto2_t = { stack, _ in
    let walker: H5E_walk2_t = { _, error, _ in
      guard let error else { return 0 }
      let e = error.pointee
      if e.maj_num == H5E_RESOURCE_g, e.min_num == H5E_NOSPACE_g || e.min_num == H5E_CANTALLOC_g {
        HDF5Library.allocationFailed = true
      }
      return 0
    }
    _ = H5Ewalk2(stack, H5E_WALK_DOWNWARD, walker, nil)
    return 0
  }
}

/// An open HDF5 file: a thin, thread-safe wrapper over the C API.
///
/// Objects are addressed by slash-separated paths from the root (`"weights/conv1/kernel"`).
/// The file is closed by `close()` or when the value is released.
///
/// ```swift
/// let file = try HDF5File.create("/tmp/a.h5")
/// try file.createGroup("weights/dense1")
/// try file.write([1, 2, 3, 4] as [Float], shape: [2, 2], to: "weights/dense1/kernel")
/// try file.setAttribute("format", .string("dlspec-checkpoint"))
/// ```
public final class HDF5File {
  /// The path the file was opened or created with; used in every error.
  public let path: String
  /// The HDF5 file identifier; negative once closed.
  var id: hid_t

  init(path: String, id: hid_t) {
    self.path = path
    self.id = id
  }

  deinit {
    close()
  }

  /// Opens an existing file, read-only unless `writable` is true.
  ///
  /// The installed `HDF5Probe` (the `dlspec` binary installs one) first walks the file's
  /// metadata in a child process: a file that would crash or hang libhdf5 is refused with
  /// `damagedMetadata` before this process parses a byte of it.
  public static func open(_ path: String, writable: Bool = false) throws -> HDF5File {
    try checkKind(path)
    try HDF5Probe.checkInstalled(path)
    return try openWithoutProbe(path, writable: writable)
  }

  /// H5Fopen on a missing file still works through the error stack; check first so the
  /// message can say the simple thing. A FIFO would block H5Fopen until a writer came; a
  /// directory or device is not a file.
  static func checkKind(_ path: String) throws {
    switch FileKind.of(path) {
    case .missing: throw HDF5Error.openFailed(file: path)
    case .regular: break
    case let kind: throw HDF5Error.notRegularFile(file: path, kind: kind.description)
    }
  }

  /// `open` without the probe: for the probe's own walk, in the child.
  static func openWithoutProbe(_ path: String, writable: Bool = false) throws -> HDF5File {
    try HDF5Library.sync {
      try checkKind(path)
      let flags = writable ? dl_h5f_acc_rdwr() : dl_h5f_acc_rdonly()
      let id = H5Fopen(path, flags, dl_h5p_default())
      guard id >= 0 else { throw HDF5Error.openFailed(file: path) }
      return HDF5File(path: path, id: id)
    }
  }

  /// Creates a file, replacing any existing one at `path`.
  public static func create(_ path: String) throws -> HDF5File {
    try HDF5Library.sync {
      let id = H5Fcreate(path, dl_h5f_acc_trunc(), dl_h5p_default(), dl_h5p_default())
      guard id >= 0 else { throw HDF5Error.createFailed(file: path) }
      return HDF5File(path: path, id: id)
    }
  }

  /// Flushes and closes the file. Later calls on this value throw `operationFailed`.
  public func close() {
    HDF5Library.sync {
      if id >= 0 {
        H5Fclose(id)
        id = -1
      }
    }
  }

  /// True if a link exists at `path` (every intermediate group must exist too).
  ///
  /// `H5Lexists` fails rather than answering false when an intermediate group is missing, so
  /// the path is checked one component at a time.
  public func exists(_ path: String) -> Bool {
    HDF5Library.sync {
      guard id >= 0 else { return false }
      var prefix = ""
      for component in Self.components(path) {
        prefix += prefix.isEmpty ? component : "/" + component
        if H5Lexists(id, prefix, dl_h5p_default()) <= 0 {
          return false
        }
      }
      return true
    }
  }

  /// Creates the group at `path` and any missing parents; existing groups are left alone.
  public func createGroup(_ path: String) throws {
    try HDF5Library.sync {
      try checkOpen(path)
      var prefix = ""
      for component in Self.components(path) {
        prefix += prefix.isEmpty ? component : "/" + component
        if H5Lexists(id, prefix, dl_h5p_default()) > 0 {
          continue
        }
        let group = H5Gcreate2(id, prefix, dl_h5p_default(), dl_h5p_default(), dl_h5p_default())
        guard group >= 0 else {
          throw HDF5Error.operationFailed(
            file: self.path, object: prefix, operation: "create group")
        }
        H5Gclose(group)
      }
    }
  }

  /// Throws if the file has been closed.
  func checkOpen(_ object: String) throws {
    if id < 0 {
      throw HDF5Error.operationFailed(file: path, object: object, operation: "use of closed file")
    }
  }

  /// Splits an object path into its non-empty components.
  static func components(_ path: String) -> [String] {
    path.split(separator: "/").map(String.init)
  }

  /// Creates the parent groups of an object path so `write(..., to: "a/b/c")` just works.
  func createParents(of path: String) throws {
    let parts = Self.components(path)
    if parts.count > 1 {
      try createGroup(parts.dropLast().joined(separator: "/"))
    }
  }
}
