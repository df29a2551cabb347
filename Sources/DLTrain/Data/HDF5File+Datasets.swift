import _CHDF5

/// The shape and stored element type of a dataset.
public struct HDF5DatasetInfo: Equatable {
  /// Extent of each dimension, slowest-varying first (row-major, as h5py shows it).
  public var shape: [Int]
  /// The element type on disk.
  public var elementType: HDF5ElementType

  /// Number of elements (1 for a scalar dataset); `Int.max` when the product overflows (a
  /// corrupt header), which the size checks then refuse.
  public var count: Int {
    shape.reduce(1) { n, extent in
      let (product, overflow) = n.multipliedReportingOverflow(by: extent)
      return overflow ? Int.max : product
    }
  }
}

/// An n-dimensional array read from or written to HDF5: row-major values and their shape.
public struct HDF5Array<Element> {
  public var shape: [Int]
  public var values: [Element]

  public init(shape: [Int], values: [Element]) {
    self.shape = shape
    self.values = values
  }
}

/// Gzip compression of a chunked dataset.
public struct HDF5Compression: Equatable {
  /// Deflate level, 0...9.
  public var level: Int
  /// Chunk extent per dimension; nil picks whole rows in blocks of about 1 MiB.
  public var chunkShape: [Int]?

  public init(level: Int = 4, chunkShape: [Int]? = nil) {
    self.level = level
    self.chunkShape = chunkShape
  }
}

extension HDF5File {
  /// Shape and stored element type of the dataset at `name`.
  public func datasetInfo(_ name: String) throws -> HDF5DatasetInfo {
    try HDF5Library.sync {
      let dataset = try openDataset(name)
      defer { H5Dclose(dataset) }
      return try info(ofDataset: dataset, name: name)
    }
  }

  /// Reads a whole numeric dataset, converting the stored type to `T` (float32, float64 and
  /// integer types all convert; floats convert to integers by truncation, as in HDF5).
  public func read<T: HDF5Scalar>(_ name: String, as type: T.Type = T.self) throws -> HDF5Array<T> {
    try HDF5Library.sync {
      let dataset = try openDataset(name)
      defer { H5Dclose(dataset) }
      let info = try info(ofDataset: dataset, name: name)
      guard info.elementType.isNumeric else {
        throw HDF5Error.unsupportedType(
          file: path, object: name, type: info.elementType.description)
      }
      try checkClaimedSize(
        dataset: dataset, info: info, name: name, elements: info.count,
        memoryBytesPerElement: MemoryLayout<T>.stride)
      var values = [T]()
      // A zero-extent dataset has nothing to read, and H5Dread rejects a nil buffer.
      if info.count > 0 {
        values = try [T](unsafeUninitializedCapacity: info.count) { buffer, initialized in
          let status = H5Dread(
            dataset, T.hdf5NativeType(), dl_h5s_all(), dl_h5s_all(), dl_h5p_default(),
            buffer.baseAddress)
          guard status >= 0 else {
            throw HDF5Error.operationFailed(file: path, object: name, operation: "read")
          }
          initialized = info.count
        }
      }
      return HDF5Array(shape: info.shape, values: values)
    }
  }

  /// Writes `values` (row-major) as a dataset of `shape`, replacing nothing: the name must be
  /// new. Parent groups are created. The stored type is `T`'s native type.
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
      guard space >= 0 else {
        throw HDF5Error.operationFailed(file: path, object: name, operation: "create dataspace")
      }
      defer { H5Sclose(space) }
      let plist = try creationProperties(shape: shape, compression: compression, name: name)
      defer { H5Pclose(plist) }
      let type = T.hdf5NativeType()
      let dataset = H5Dcreate2(id, name, type, space, dl_h5p_default(), plist, dl_h5p_default())
      guard dataset >= 0 else {
        throw HDF5Error.operationFailed(file: path, object: name, operation: "create dataset")
      }
      defer { H5Dclose(dataset) }
      if values.isEmpty {
        return
      }
      let status = values.withUnsafeBufferPointer {
        H5Dwrite(dataset, type, dl_h5s_all(), dl_h5s_all(), dl_h5p_default(), $0.baseAddress)
      }
      guard status >= 0 else {
        throw HDF5Error.operationFailed(file: path, object: name, operation: "write")
      }
    }
  }

  /// Writes an `HDF5Array`.
  public func write<T: HDF5Scalar>(
    _ array: HDF5Array<T>, to name: String, compression: HDF5Compression? = nil
  ) throws {
    try write(array.values, shape: array.shape, to: name, compression: compression)
  }

  /// A dataset-creation property list: default, or chunked + deflate.
  private func creationProperties(
    shape: [Int], compression: HDF5Compression?, name: String
  ) throws -> hid_t {
    let plist = H5Pcreate(dl_h5p_dataset_create())
    guard plist >= 0 else {
      throw HDF5Error.operationFailed(file: path, object: name, operation: "create plist")
    }
    // Chunking needs a rank ≥ 1 and no zero extents; fall back to contiguous storage otherwise.
    guard let compression, !shape.isEmpty, !shape.contains(0) else {
      return plist
    }
    let chunk = compression.chunkShape ?? Self.defaultChunk(shape: shape)
    guard chunk.count == shape.count, chunk.allSatisfy({ $0 > 0 }) else {
      H5Pclose(plist)
      throw HDF5Error.shapeMismatch(file: path, object: name, shape: chunk, valueCount: 0)
    }
    let dims = zip(chunk, shape).map { hsize_t(min($0, $1)) }
    let level = UInt32(max(0, min(9, compression.level)))
    guard H5Pset_chunk(plist, Int32(dims.count), dims) >= 0, H5Pset_deflate(plist, level) >= 0
    else {
      H5Pclose(plist)
      throw HDF5Error.operationFailed(file: path, object: name, operation: "set gzip chunking")
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

  func openDataset(_ name: String) throws -> hid_t {
    try checkOpen(name)
    guard exists(name) else { throw HDF5Error.notFound(file: path, object: name) }
    let dataset = H5Dopen2(id, name, dl_h5p_default())
    guard dataset >= 0 else {
      throw HDF5Error.operationFailed(file: path, object: name, operation: "open dataset")
    }
    return dataset
  }

  func info(ofDataset dataset: hid_t, name: String) throws -> HDF5DatasetInfo {
    let type = H5Dget_type(dataset)
    let space = H5Dget_space(dataset)
    defer {
      if type >= 0 { H5Tclose(type) }
      if space >= 0 { H5Sclose(space) }
    }
    guard type >= 0, space >= 0 else {
      throw HDF5Error.operationFailed(file: path, object: name, operation: "query dataset")
    }
    let shape = try Self.shape(ofSpace: space, file: path, object: name)
    return HDF5DatasetInfo(shape: shape, elementType: HDF5ElementType(typeID: type))
  }

  static func shape(ofSpace space: hid_t, file: String, object: String) throws -> [Int] {
    let rank = H5Sget_simple_extent_ndims(space)
    guard rank >= 0 else {
      throw HDF5Error.operationFailed(file: file, object: object, operation: "query dataspace")
    }
    var dims = [hsize_t](repeating: 0, count: Int(rank))
    if rank > 0 {
      guard H5Sget_simple_extent_dims(space, &dims, nil) >= 0 else {
        throw HDF5Error.operationFailed(file: file, object: object, operation: "query dataspace")
      }
    }
    return dims.map { Int($0) }
  }
}
