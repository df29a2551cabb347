import _CHDF5

extension HDF5File {
  /// Names of the links (groups and datasets) directly inside the group at `path`, sorted; empty
  /// when it does not exist.
  public func members(of path: String) -> [String] {
    guard exists(path) || path == "/" else { return [] }
    return HDF5Library.sync {
      let group = H5Gopen2(id, path, dl_h5p_default())
      guard group >= 0 else { return [] }
      defer { H5Gclose(group) }
      var info = H5G_info_t()
      guard H5Gget_info(group, &info) >= 0 else { return [] }
      var names: [String] = []
      for i in 0..<info.nlinks {
        let length = H5Lget_name_by_idx(
          group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, dl_h5p_default())
        guard length > 0 else { continue }
        var buffer = [CChar](repeating: 0, count: Int(length) + 1)
        _ = H5Lget_name_by_idx(
          group, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, buffer.count, dl_h5p_default())
        names.append(String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
      }
      return names.sorted()
    }
  }

  /// The object's address in the file (its identity, for the walk's visited set), or nil.
  func objectAddress(_ object: String) -> UInt64? {
    HDF5Library.sync {
      guard let handle = try? openObject(object) else { return nil }
      defer { H5Oclose(handle) }
      var info = H5O_info_t()
      guard H5Oget_info2(handle, &info, UInt32(H5O_INFO_BASIC)) >= 0 else { return nil }
      return UInt64(info.addr)
    }
  }
}
