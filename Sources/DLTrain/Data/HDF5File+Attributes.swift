import _CHDF5

/// The value of an HDF5 attribute. Scalars are stored with a scalar dataspace, arrays with a
/// rank-1 dataspace, strings as variable-length UTF-8 (h5py reads them back as `str`).
public enum HDF5AttributeValue: Equatable {
  case int64(Int64)
  case double(Double)
  case string(String)
  case int64Array([Int64])
  case doubleArray([Double])
}

extension HDF5File {
  /// True if `object` (a group or dataset path; `"/"` is the root) has attribute `name`.
  public func attributeExists(_ name: String, on object: String = "/") throws -> Bool {
    try HDF5Library.sync {
      let handle = try openObject(object)
      defer { H5Oclose(handle) }
      return H5Aexists(handle, name) > 0
    }
  }

  /// Sets attribute `name` on `object`, replacing any existing attribute of that name.
  public func setAttribute(_ name: String, _ value: HDF5AttributeValue, on object: String = "/")
    throws
  {
    try HDF5Library.sync {
      let handle = try openObject(object)
      defer { H5Oclose(handle) }
      let where_ = "\(object)@\(name)"
      // HDF5 cannot change an attribute's type or shape in place; replace it.
      if H5Aexists(handle, name) > 0, H5Adelete(handle, name) < 0 {
        throw HDF5Error.operationFailed(file: path, object: where_, operation: "delete attribute")
      }
      switch value {
      case .int64(let v):
        try writeAttribute(handle, name, where_, [v], scalar: true, type: dl_h5t_native_int64())
      case .double(let v):
        try writeAttribute(handle, name, where_, [v], scalar: true, type: dl_h5t_native_double())
      case .int64Array(let v):
        try writeAttribute(handle, name, where_, v, scalar: false, type: dl_h5t_native_int64())
      case .doubleArray(let v):
        try writeAttribute(handle, name, where_, v, scalar: false, type: dl_h5t_native_double())
      case .string(let v):
        try writeStringAttribute(handle, name, where_, v)
      }
    }
  }

  /// Reads attribute `name` of `object`. Integer attributes come back as `.int64`/`.int64Array`,
  /// floating ones as `.double`/`.doubleArray`, fixed or variable-length strings as `.string`.
  public func attribute(_ name: String, of object: String = "/") throws -> HDF5AttributeValue {
    try HDF5Library.sync {
      let handle = try openObject(object)
      defer { H5Oclose(handle) }
      let where_ = "\(object)@\(name)"
      guard H5Aexists(handle, name) > 0 else {
        throw HDF5Error.notFound(file: path, object: where_)
      }
      let attr = H5Aopen(handle, name, dl_h5p_default())
      guard attr >= 0 else {
        throw HDF5Error.operationFailed(file: path, object: where_, operation: "open attribute")
      }
      defer { H5Aclose(attr) }
      let type = H5Aget_type(attr)
      let space = H5Aget_space(attr)
      defer {
        if type >= 0 { H5Tclose(type) }
        if space >= 0 { H5Sclose(space) }
      }
      guard type >= 0, space >= 0 else {
        throw HDF5Error.operationFailed(file: path, object: where_, operation: "query attribute")
      }
      let shape = try Self.shape(ofSpace: space, file: path, object: where_)
      let count = shape.reduce(1, *)
      let elementType = HDF5ElementType(typeID: type)
      if elementType == .string {
        guard count == 1 else {
          throw HDF5Error.unsupportedType(file: path, object: where_, type: "string array")
        }
        return .string(try readStringAttribute(attr, type: type, where_))
      }
      if elementType.isInteger {
        let values: [Int64] = try readAttribute(attr, count: count, where_)
        return shape.isEmpty ? .int64(values.first ?? 0) : .int64Array(values)
      }
      if elementType == .float32 || elementType == .float64 {
        let values: [Double] = try readAttribute(attr, count: count, where_)
        return shape.isEmpty ? .double(values.first ?? 0) : .doubleArray(values)
      }
      throw HDF5Error.unsupportedType(
        file: path, object: where_, type: elementType.description)
    }
  }

  /// Reads an integer attribute; throws `unsupportedType` if it is not a scalar integer.
  public func int64Attribute(_ name: String, of object: String = "/") throws -> Int64 {
    guard case .int64(let v) = try attribute(name, of: object) else {
      throw HDF5Error.unsupportedType(file: path, object: "\(object)@\(name)", type: "not int64")
    }
    return v
  }

  /// Reads a floating-point attribute (integer attributes are converted).
  public func doubleAttribute(_ name: String, of object: String = "/") throws -> Double {
    switch try attribute(name, of: object) {
    case .double(let v): return v
    case .int64(let v): return Double(v)
    default:
      throw HDF5Error.unsupportedType(file: path, object: "\(object)@\(name)", type: "not double")
    }
  }

  /// Reads a string attribute.
  public func stringAttribute(_ name: String, of object: String = "/") throws -> String {
    guard case .string(let v) = try attribute(name, of: object) else {
      throw HDF5Error.unsupportedType(file: path, object: "\(object)@\(name)", type: "not string")
    }
    return v
  }

  /// Reads an integer-array attribute (a scalar integer reads as a one-element array).
  public func int64ArrayAttribute(_ name: String, of object: String = "/") throws -> [Int64] {
    switch try attribute(name, of: object) {
    case .int64Array(let v): return v
    case .int64(let v): return [v]
    default:
      throw HDF5Error.unsupportedType(
        file: path, object: "\(object)@\(name)", type: "not an int64 array")
    }
  }

  func openObject(_ object: String) throws -> hid_t {
    try checkOpen(object)
    let isRoot = Self.components(object).isEmpty
    guard isRoot || exists(object) else {
      throw HDF5Error.notFound(file: path, object: object)
    }
    let handle = H5Oopen(id, isRoot ? "/" : object, dl_h5p_default())
    guard handle >= 0 else {
      throw HDF5Error.operationFailed(file: path, object: object, operation: "open object")
    }
    return handle
  }

  private func writeAttribute<T: HDF5Scalar>(
    _ handle: hid_t, _ name: String, _ where_: String, _ values: [T], scalar: Bool, type: hid_t
  ) throws {
    let dims = [hsize_t(values.count)]
    let space = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, dims, nil)
    guard space >= 0 else {
      throw HDF5Error.operationFailed(file: path, object: where_, operation: "create dataspace")
    }
    defer { H5Sclose(space) }
    let attr = H5Acreate2(handle, name, type, space, dl_h5p_default(), dl_h5p_default())
    guard attr >= 0 else {
      throw HDF5Error.operationFailed(file: path, object: where_, operation: "create attribute")
    }
    defer { H5Aclose(attr) }
    // An empty array attribute has nothing to write (and a nil buffer would be rejected).
    if values.isEmpty {
      return
    }
    let status = values.withUnsafeBufferPointer { H5Awrite(attr, type, $0.baseAddress) }
    guard status >= 0 else {
      throw HDF5Error.operationFailed(file: path, object: where_, operation: "write attribute")
    }
  }

  private func readAttribute<T: HDF5Scalar>(_ attr: hid_t, count: Int, _ where_: String) throws
    -> [T]
  {
    if count == 0 {
      return []
    }
    return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
      guard H5Aread(attr, T.hdf5NativeType(), buffer.baseAddress) >= 0 else {
        throw HDF5Error.operationFailed(file: path, object: where_, operation: "read attribute")
      }
      initialized = count
    }
  }

  /// A variable-length UTF-8 string type; the caller closes it.
  private func variableStringType(_ where_: String) throws -> hid_t {
    let type = H5Tcopy(dl_h5t_c_s1())
    guard type >= 0, H5Tset_size(type, dl_h5t_variable()) >= 0,
      H5Tset_cset(type, H5T_CSET_UTF8) >= 0
    else {
      if type >= 0 { H5Tclose(type) }
      throw HDF5Error.operationFailed(file: path, object: where_, operation: "make string type")
    }
    return type
  }

  private func writeStringAttribute(
    _ handle: hid_t, _ name: String, _ where_: String, _ value: String
  ) throws {
    let type = try variableStringType(where_)
    defer { H5Tclose(type) }
    let space = H5Screate(H5S_SCALAR)
    defer { H5Sclose(space) }
    let attr = H5Acreate2(handle, name, type, space, dl_h5p_default(), dl_h5p_default())
    guard attr >= 0 else {
      throw HDF5Error.operationFailed(file: path, object: where_, operation: "create attribute")
    }
    defer { H5Aclose(attr) }
    // A variable-length string attribute is written from an array of C string pointers.
    let status = value.withCString { cString -> herr_t in
      var pointer: UnsafePointer<CChar>? = cString
      return withUnsafePointer(to: &pointer) { H5Awrite(attr, type, $0) }
    }
    guard status >= 0 else {
      throw HDF5Error.operationFailed(file: path, object: where_, operation: "write attribute")
    }
  }

  private func readStringAttribute(_ attr: hid_t, type: hid_t, _ where_: String) throws -> String
  {
    if H5Tis_variable_str(type) > 0 {
      let memType = try variableStringType(where_)
      defer { H5Tclose(memType) }
      var pointer: UnsafeMutablePointer<CChar>? = nil
      guard H5Aread(attr, memType, &pointer) >= 0 else {
        throw HDF5Error.operationFailed(file: path, object: where_, operation: "read attribute")
      }
      guard let pointer else { return "" }
      // HDF5 allocated the string; it must be released by HDF5's allocator.
      defer { H5free_memory(pointer) }
      return String(cString: pointer)
    }
    // Fixed-length string (e.g. numpy bytes written by h5py): read the bytes, stop at NUL.
    let size = H5Tget_size(type)
    var bytes = [UInt8](repeating: 0, count: size + 1)
    guard H5Aread(attr, type, &bytes) >= 0 else {
      throw HDF5Error.operationFailed(file: path, object: where_, operation: "read attribute")
    }
    let end = bytes.firstIndex(of: 0) ?? size
    return String(decoding: bytes[..<end], as: UTF8.self)
  }
}
