import _CHDF5

/// Partial reads and growing writes, so a file larger than memory can be streamed through.
///
/// ```swift
/// let rows = try file.readRows("x_test", start: 256, count: 256, as: Float.self)
/// try file.createExtendible("predicted", rowShape: [], as: Int64.self, chunkRows: 256)
/// try file.appendRows([3, 1], to: "predicted", as: Int64.self)
/// ```
extension HDF5File {
  /// Reads rows `start..<start+count` along the first dimension (a hyperslab), converting to
  /// `T` as `read` does. Returns `count × (product of the other extents)` values, row-major.
  public func readRows<T: HDF5Scalar>(
    _ name: String, start: Int, count: Int, as type: T.Type = T.self
  ) throws -> [T] {
    try HDF5Library.sync {
      let dataset = try openDataset(name)
      defer { H5Dclose(dataset) }
      let info = try info(ofDataset: dataset, name: name)
      guard info.elementType.isNumeric else {
        throw HDF5Error.unsupportedType(
          file: path, object: name, type: info.elementType.description)
      }
      guard let rows = info.shape.first, start >= 0, count >= 0, start + count <= rows else {
        throw HDF5Error.shapeMismatch(
          file: path, object: name, shape: info.shape, valueCount: start + count)
      }
      let rowElements = info.shape.dropFirst().reduce(1, *)
      let (total, overflow) = count.multipliedReportingOverflow(by: rowElements)
      guard !overflow else {
        throw HDF5Error.shapeMismatch(
          file: path, object: name, shape: info.shape, valueCount: Int.max)
      }
      if total == 0 { return [] }
      try checkClaimedSize(
        dataset: dataset, info: info, name: name, elements: total,
        memoryBytesPerElement: MemoryLayout<T>.stride)
      let (fileSpace, memorySpace) = try selectRows(
        dataset, name: name, start: start, count: count, rowShape: info.shape.dropFirst())
      defer {
        H5Sclose(memorySpace)
        H5Sclose(fileSpace)
      }
      return try [T](unsafeUninitializedCapacity: total) { buffer, initialized in
        let status = H5Dread(
          dataset, T.hdf5NativeType(), memorySpace, fileSpace, dl_h5p_default(),
          buffer.baseAddress)
        guard status >= 0 else {
          throw HDF5Error.operationFailed(file: path, object: name, operation: "read rows")
        }
        initialized = total
      }
    }
  }

  /// Creates an empty dataset of shape `[0] + rowShape` that can grow without limit along its
  /// first dimension, chunked by `chunkRows` rows (growing datasets must be chunked).
  public func createExtendible<T: HDF5Scalar>(
    _ name: String, rowShape: [Int], as type: T.Type = T.self, chunkRows: Int
  ) throws {
    try HDF5Library.sync {
      try checkOpen(name)
      guard rowShape.allSatisfy({ $0 >= 1 }), chunkRows >= 1 else {
        throw HDF5Error.shapeMismatch(file: path, object: name, shape: rowShape, valueCount: 0)
      }
      try createParents(of: name)
      let dims = [hsize_t(0)] + rowShape.map { hsize_t($0) }
      // H5S_UNLIMITED is a macro Swift cannot import; it is (hsize_t)-1.
      let maxDims = [hsize_t.max] + rowShape.map { hsize_t($0) }
      let space = H5Screate_simple(Int32(dims.count), dims, maxDims)
      guard space >= 0 else {
        throw HDF5Error.operationFailed(file: path, object: name, operation: "create dataspace")
      }
      defer { H5Sclose(space) }
      let plist = H5Pcreate(dl_h5p_dataset_create())
      guard plist >= 0 else {
        throw HDF5Error.operationFailed(file: path, object: name, operation: "create plist")
      }
      defer { H5Pclose(plist) }
      let chunk = [hsize_t(chunkRows)] + rowShape.map { hsize_t($0) }
      // Fletcher32 on every dataset dlspec writes (docs/reliability.md).
      guard H5Pset_chunk(plist, Int32(chunk.count), chunk) >= 0, H5Pset_fletcher32(plist) >= 0
      else {
        throw HDF5Error.operationFailed(file: path, object: name, operation: "set chunking")
      }
      let dataset = H5Dcreate2(
        id, name, T.hdf5NativeType(), space, dl_h5p_default(), plist, dl_h5p_default())
      guard dataset >= 0 else {
        throw HDF5Error.operationFailed(file: path, object: name, operation: "create dataset")
      }
      H5Dclose(dataset)
    }
  }

  /// Appends whole rows (row-major, a multiple of the row size) to a dataset made by
  /// `createExtendible`, growing its first dimension.
  public func appendRows<T: HDF5Scalar>(
    _ values: [T], to name: String, as type: T.Type = T.self
  ) throws {
    try HDF5Library.sync {
      let dataset = try openDataset(name)
      defer { H5Dclose(dataset) }
      let info = try info(ofDataset: dataset, name: name)
      let rowElements = info.shape.dropFirst().reduce(1, *)
      guard !info.shape.isEmpty, rowElements > 0, values.count % rowElements == 0 else {
        throw HDF5Error.shapeMismatch(
          file: path, object: name, shape: info.shape, valueCount: values.count)
      }
      let rows = values.count / rowElements
      if rows == 0 { return }
      let old = info.shape[0]
      let newDims = [hsize_t(old + rows)] + info.shape.dropFirst().map { hsize_t($0) }
      guard H5Dset_extent(dataset, newDims) >= 0 else {
        throw HDF5Error.operationFailed(file: path, object: name, operation: "extend dataset")
      }
      let (fileSpace, memorySpace) = try selectRows(
        dataset, name: name, start: old, count: rows, rowShape: info.shape.dropFirst())
      defer {
        H5Sclose(memorySpace)
        H5Sclose(fileSpace)
      }
      let status = values.withUnsafeBufferPointer {
        H5Dwrite(
          dataset, T.hdf5NativeType(), memorySpace, fileSpace, dl_h5p_default(), $0.baseAddress)
      }
      guard status >= 0 else {
        throw HDF5Error.operationFailed(file: path, object: name, operation: "append rows")
      }
    }
  }

  /// The file dataspace of `dataset` with rows `start..<start+count` selected, and a memory
  /// dataspace of that block; the caller closes both.
  private func selectRows(
    _ dataset: hid_t, name: String, start: Int, count: Int, rowShape: ArraySlice<Int>
  ) throws -> (file: hid_t, memory: hid_t) {
    let fileSpace = H5Dget_space(dataset)
    guard fileSpace >= 0 else {
      throw HDF5Error.operationFailed(file: path, object: name, operation: "get dataspace")
    }
    let offset = [hsize_t(start)] + rowShape.map { _ in hsize_t(0) }
    let extent = [hsize_t(count)] + rowShape.map { hsize_t($0) }
    guard H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, offset, nil, extent, nil) >= 0 else {
      H5Sclose(fileSpace)
      throw HDF5Error.operationFailed(file: path, object: name, operation: "select hyperslab")
    }
    let memorySpace = H5Screate_simple(Int32(extent.count), extent, nil)
    guard memorySpace >= 0 else {
      H5Sclose(fileSpace)
      throw HDF5Error.operationFailed(file: path, object: name, operation: "create dataspace")
    }
    return (fileSpace, memorySpace)
  }
}
