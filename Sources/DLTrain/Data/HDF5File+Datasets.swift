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
