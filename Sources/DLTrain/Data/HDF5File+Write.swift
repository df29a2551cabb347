import Foundation
import _CHDF5

/// The write path: datasets chunked with HDF5's Fletcher32 checksum filter, every handle closed
/// on every path (success or failure), close and flush results checked, and the OS's reason for
/// a failed write (ENOSPC, EDQUOT, EROFS, EACCES) taken from HDF5's error stack.
extension HDF5File {
  /// Writes `values` (row-major) as a dataset of `shape`, replacing nothing: the name must be
  /// new. Parent groups are created. The stored type is `T`'s native type.
  ///
  /// A dataset of rank ≥ 1 with no zero extent is chunked and carries HDF5's Fletcher32
  /// checksum (h5py verifies it transparently); `compression` adds gzip before the checksum,
  /// so a damaged chunk is caught before inflate reads it. Scalars and empty datasets cannot be
  /// chunked and are stored contiguously.
  public func write<T: HDF5Scalar>(
    _ values: [T], shape: [Int], to name: String, compression: HDF5Compression? = nil
  ) throws {
    try HDF5Library.sync {
      try checkOpen(name)
      guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == values.count else {
        throw HDF5Error.shapeMismatch(
          file: path, object: name, shape: shape, valueCount: values.count)
      }
      try createParents(of: name)
      let dims = shape.map { hsize_t($0) }
      let space = H5Screate_simple(Int32(dims.count), dims, nil)
      guard space >= 0 else { throw writeFailure(name, "create dataspace") }
      defer { H5Sclose(space) }
      let plist = try checkedCreationProperties(shape: shape, compression: compression, name: name)
      defer { H5Pclose(plist) }
      let type = T.hdf5NativeType()
      let dataset = H5Dcreate2(id, name, type, space, dl_h5p_default(), plist, dl_h5p_default())
      guard dataset >= 0 else { throw writeFailure(name, "create dataset") }
      var status: herr_t = 0
      if !values.isEmpty {
        status = values.withUnsafeBufferPointer {
          H5Dwrite(dataset, type, dl_h5s_all(), dl_h5s_all(), dl_h5p_default(), $0.baseAddress)
        }
      }
      // The failure is read off the error stack before H5Dclose pushes its own entries; the
      // dataset is closed either way (a handle left open after a failed write is what made
      // the file's later close crash inside libhdf5).
      let writeError = status < 0 ? writeFailure(name, "write") : nil
      let closed = H5Dclose(dataset)
      if let writeError { throw writeError }
      // Closing flushes the chunk cache: on a full disk this is where the write fails.
      guard closed >= 0 else { throw writeFailure(name, "close dataset") }
    }
  }

  /// Writes an `HDF5Array`.
  public func write<T: HDF5Scalar>(
    _ array: HDF5Array<T>, to name: String, compression: HDF5Compression? = nil
  ) throws {
    try write(array.values, shape: array.shape, to: name, compression: compression)
  }

  /// Flushes and closes the file, reporting failure (a full disk usually shows here, when
  /// HDF5 writes its metadata). The handle is released either way; a file whose close failed
  /// must be treated as unreadable.
  public func closeChecked() throws {
    try HDF5Library.sync {
      guard id >= 0 else { return }
      let flushed = H5Fflush(id, H5F_SCOPE_GLOBAL)
      let flushError = flushed < 0 ? writeFailure("/", "flush") : nil
      let closed = H5Fclose(id)
      id = -1
      if let flushError { throw flushError }
      guard closed >= 0 else { throw writeFailure("/", "close") }
    }
  }

  /// An `operationFailed` error whose operation carries the OS's reason when HDF5 recorded one
  /// (`write (No space left on device)`).
  func writeFailure(_ object: String, _ operation: String) -> HDF5Error {
    let code = HDF5Library.systemErrno()
    if let code { HDF5Library.lastErrno = code }
    let reason = code.map { " (\(String(cString: strerror($0))))" } ?? ""
    return .operationFailed(file: path, object: object, operation: operation + reason)
  }

  /// A dataset-creation property list: chunked with Fletcher32 (and gzip when asked) for a
  /// dataset that can be chunked, default (contiguous) otherwise. The caller closes it.
  func checkedCreationProperties(
    shape: [Int], compression: HDF5Compression?, name: String
  ) throws -> hid_t {
    let plist = H5Pcreate(dl_h5p_dataset_create())
    guard plist >= 0 else { throw writeFailure(name, "create plist") }
    // Chunking needs a rank ≥ 1 and no zero extents; fall back to contiguous storage otherwise.
    guard !shape.isEmpty, !shape.contains(0) else {
      return plist
    }
    let chunk = compression?.chunkShape ?? Self.defaultChunk(shape: shape)
    guard chunk.count == shape.count, chunk.allSatisfy({ $0 > 0 }) else {
      H5Pclose(plist)
      throw HDF5Error.shapeMismatch(file: path, object: name, shape: chunk, valueCount: 0)
    }
    let dims = zip(chunk, shape).map { hsize_t(min($0, $1)) }
    var ok = H5Pset_chunk(plist, Int32(dims.count), dims) >= 0
    if ok, let compression {
      ok = H5Pset_deflate(plist, UInt32(max(0, min(9, compression.level)))) >= 0
    }
    // Added last, so it runs first on read: the stored (compressed) bytes are checked.
    if ok { ok = H5Pset_fletcher32(plist) >= 0 }
    guard ok else {
      H5Pclose(plist)
      throw writeFailure(name, "set chunking and checksum")
    }
    return plist
  }

  /// Whole trailing dimensions and as many leading rows as fit in about 1 MiB (at 8 bytes per
  /// element), the usual compromise between compression ratio and random access.
  static func defaultChunk(shape: [Int]) -> [Int] {
    let rowElements = max(1, shape.dropFirst().reduce(1, *))
    let rows = max(1, min(shape[0], (1 << 17) / rowElements))
    return [rows] + shape.dropFirst()
  }

  /// The filters of the dataset at `name`, by HDF5 filter id (`H5Z_FILTER_FLETCHER32` = 3,
  /// `H5Z_FILTER_DEFLATE` = 1); empty for contiguous storage.
  public func filters(of name: String) throws -> [Int] {
    try HDF5Library.sync {
      let dataset = try openDataset(name)
      defer { H5Dclose(dataset) }
      let plist = H5Dget_create_plist(dataset)
      guard plist >= 0 else {
        throw HDF5Error.operationFailed(file: path, object: name, operation: "query filters")
      }
      defer { H5Pclose(plist) }
      let n = H5Pget_nfilters(plist)
      var ids: [Int] = []
      for k in 0..<max(0, n) {
        var flags: UInt32 = 0
        var count = 0
        var config: UInt32 = 0
        let filter = H5Pget_filter2(plist, UInt32(k), &flags, &count, nil, 0, nil, &config)
        ids.append(Int(filter))
      }
      return ids
    }
  }

  /// True when `name` is a group (false for a dataset or a missing link).
  public func isGroup(_ name: String) -> Bool {
    HDF5Library.sync {
      guard id >= 0, Self.components(name).isEmpty || exists(name) else { return false }
      let handle = H5Oopen(id, Self.components(name).isEmpty ? "/" : name, dl_h5p_default())
      guard handle >= 0 else { return false }
      defer { H5Oclose(handle) }
      return H5Iget_type(handle) == H5I_GROUP
    }
  }

  /// Every dataset below `group` (recursively), as full paths, sorted byte-wise. Each group
  /// is entered once: a hard link back to a parent (a cycle h5py can make in one line) once
  /// recursed without end.
  public func datasets(under group: String) -> [String] {
    var visited = Set<UInt64>()
    return datasets(under: group, visited: &visited)
      .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
  }

  private func datasets(under group: String, visited: inout Set<UInt64>) -> [String] {
    guard let address = objectAddress(group), visited.insert(address).inserted else { return [] }
    var found: [String] = []
    for member in members(of: group) {
      let full = (group == "/" ? "" : group) + "/" + member
      if isGroup(full) {
        found += datasets(under: full, visited: &visited)
      } else {
        found.append(full)
      }
    }
    return found
  }
}

extension HDF5Library {
  /// The errno of the latest failed write, for callers that report it (guarded by `lock`).
  nonisolated(unsafe) static var lastErrno: Int32?

  /// Returns and clears `lastErrno`.
  static func takeLastErrno() -> Int32? {
    sync {
      defer { lastErrno = nil }
      return lastErrno
    }
  }

  /// The `errno` HDF5's file driver recorded on the current error stack ("errno = 28"), if any.
  static func systemErrno() -> Int32? {
    var found: Int32 = 0
    let walker: H5E_walk2_t = { _, error, data in
      guard let error, let data, let desc = error.pointee.desc else { return 0 }
      let text = String(cString: desc)
      if let range = text.range(of: "errno = ") {
        let digits = text[range.upperBound...].prefix { $0.isNumber }
        if let n = Int32(digits) { data.assumingMemoryBound(to: Int32.self).pointee = n }
      }
      return 0
    }
    withUnsafeMutablePointer(to: &found) {
      _ = H5Ewalk2(dl_h5e_default(), H5E_WALK_DOWNWARD, walker, $0)
    }
    return found == 0 ? nil : found
  }
}

extension HDF5File {
  /// Creates a file that lives in memory only (HDF5's core driver without a backing store):
  /// HDF5 never touches the disk, so a full or read-only disk cannot fail inside libhdf5
  /// (where a failed flush left state that crashed the process at exit). `closeReturningImage`
  /// hands back the bytes for the caller to write with plain, checked POSIX calls.
  /// `path` is only the name used in errors.
  public static func createInMemory(_ path: String) throws -> HDF5File {
    try HDF5Library.sync {
      let fapl = H5Pcreate(dl_h5p_file_access())
      guard fapl >= 0 else { throw HDF5Error.createFailed(file: path) }
      defer { H5Pclose(fapl) }
      guard H5Pset_fapl_core(fapl, 1 << 20, false) >= 0 else {
        throw HDF5Error.createFailed(file: path)
      }
      let id = H5Fcreate(path, dl_h5f_acc_trunc(), dl_h5p_default(), fapl)
      guard id >= 0 else { throw HDF5Error.createFailed(file: path) }
      return HDF5File(path: path, id: id)
    }
  }

  /// Flushes an in-memory file, returns its bytes (a complete HDF5 file) and closes it.
  public func closeReturningImage() throws -> [UInt8] {
    try HDF5Library.sync {
      try checkOpen("/")
      defer {
        H5Fclose(id)
        id = -1
      }
      guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else { throw writeFailure("/", "flush") }
      let size = H5Fget_file_image(id, nil, 0)
      guard size > 0 else { throw writeFailure("/", "get file image") }
      return try [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
        guard H5Fget_file_image(id, buffer.baseAddress, size) == size else {
          throw writeFailure("/", "get file image")
        }
        initialized = size
      }
    }
  }
}
