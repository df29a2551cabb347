import DLSpec
import Foundation
import _CHDF5

/// Bounds on what a dataset's header may claim before `read` allocates for it.
///
/// A dataspace is a few bytes in the header: a 4 KB file can declare a chunked, never-written
/// dataset of shape (2^31, 784), and reading it would allocate 6 TB (the process aborts in
/// `failed to allocate`) or fill gigabytes with the fill value. So before allocating:
/// * the claim (elements × stored element size) must be backed by storage in the file: all of
///   it for contiguous data; for chunked data (possibly compressed) at least
///   1/`maximumCompressionRatio` of it (gzip cannot compress better than about 1032:1);
/// * the memory to read it into must fit what the machine has free now
///   (`MachineMemory.available()`).
extension HDF5File {
  /// deflate's best case is about 1032:1 (a run of one byte value); no real dataset of ours
  /// comes near it, so a claim beyond this ratio to the stored bytes is refused.
  public static let maximumCompressionRatio = 1100

  /// `checkClaimedSize` for the whole dataset `name`, read as `memoryBytesPerElement`-byte
  /// values (tests use it to try a memory limit).
  func checkClaimedSize(of name: String, memoryBytesPerElement: Int, memoryLimit: Int) throws {
    try HDF5Library.sync {
      let dataset = try openDataset(name)
      defer { H5Dclose(dataset) }
      let info = try info(ofDataset: dataset, name: name)
      try checkClaimedSize(
        dataset: dataset, info: info, name: name, elements: info.count,
        memoryBytesPerElement: memoryBytesPerElement, memoryLimit: memoryLimit)
    }
  }

  /// Throws `claimsTooMuch` unless `elements` values of `memoryBytesPerElement` bytes can be
  /// read from `dataset` (whole dataset: `info.count` values) without trusting the header.
  func checkClaimedSize(
    dataset: hid_t, info: HDF5DatasetInfo, name: String, elements: Int, memoryBytesPerElement: Int,
    memoryLimit: Int = MachineMemory.available()
  ) throws {
    func refuse(_ bytes: Int?, _ reason: String) -> HDF5Error {
      .claimsTooMuch(
        file: path, object: name, shape: info.shape,
        bytes: bytes.map { "\(ByteCount.format($0)) in memory" } ?? "more than 2^63 bytes",
        reason: reason)
    }
    var count = 1
    for extent in info.shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: extent)
      guard !overflow else { throw refuse(nil, "its element count overflows a 64-bit integer") }
      count = product
    }
    let (memory, memoryOverflow) = elements.multipliedReportingOverflow(by: memoryBytesPerElement)
    guard !memoryOverflow else { throw refuse(nil, "that overflows a 64-bit byte count") }
    let type = H5Dget_type(dataset)
    let storedElement = type >= 0 ? Int(H5Tget_size(type)) : memoryBytesPerElement
    if type >= 0 { H5Tclose(type) }
    let (claimed, claimOverflow) = count.multipliedReportingOverflow(by: max(1, storedElement))
    guard !claimOverflow else { throw refuse(memory, "its byte count overflows a 64-bit integer") }
    let stored = Int(clamping: H5Dget_storage_size(dataset))
    let plist = H5Dget_create_plist(dataset)
    let layout = plist >= 0 ? H5Pget_layout(plist) : H5D_CONTIGUOUS
    let filters = plist >= 0 ? Int(H5Pget_nfilters(plist)) : 0
    let chunkBytes = layout == H5D_CHUNKED ? Self.chunkBytes(plist, element: storedElement) : nil
    if plist >= 0 { H5Pclose(plist) }
    let fileSize = FileKind.of(path).regularSize ?? Int.max
    switch layout {
    case H5D_COMPACT:
      break  // stored in the object header itself, at most 64 KiB
    case H5D_CHUNKED:
      let bound = stored.multipliedReportingOverflow(by: Self.maximumCompressionRatio)
      if !bound.overflow, claimed > max(bound.partialValue, 1 << 16) {
        throw refuse(
          memory,
          "the file stores only \(ByteCount.format(stored))"
            + (filters > 0 ? " compressed" : "") + " of its \(ByteCount.format(claimed)) "
            + "(the file is \(ByteCount.format(fileSize))), beyond any compression ratio "
            + "(at most \(Self.maximumCompressionRatio):1)")
      }
      // An unfiltered chunk is stored at its full size. A damaged index can list a shorter
      // one, and libhdf5 1.10.8 then copies past the end of its buffer into ours (a heap
      // over-read, found by fuzzing: docs/reliability.md, "Fuzzing").
      if filters == 0, let chunkBytes, let short = Self.shortChunk(dataset, bytes: chunkBytes) {
        throw refuse(
          memory,
          "its chunk \(short.index) stores \(ByteCount.format(short.size)) of the "
            + "\(ByteCount.format(chunkBytes)) an uncompressed chunk holds")
      }
    default:
      // Contiguous: every claimed byte must be in the file.
      if claimed > min(stored, fileSize), claimed > 0 {
        throw refuse(
          memory,
          "the file stores only \(ByteCount.format(min(stored, fileSize))) of the "
            + "\(ByteCount.format(claimed)) it needs (the file is \(ByteCount.format(fileSize)))")
      }
    }
    guard memory <= memoryLimit else {
      throw refuse(
        memory,
        "only \(ByteCount.format(memoryLimit)) of memory is available now (90 % of MemAvailable)")
    }
  }

  /// The bytes of one chunk of a chunked dataset's creation property list, or nil.
  static func chunkBytes(_ plist: hid_t, element: Int) -> Int? {
    guard plist >= 0 else { return nil }
    var dims = [hsize_t](repeating: 0, count: 32)
    let rank = Int(H5Pget_chunk(plist, Int32(dims.count), &dims))
    guard rank > 0, rank <= dims.count else { return nil }
    var bytes = max(1, element)
    for d in dims.prefix(rank) {
      let (product, overflow) = bytes.multipliedReportingOverflow(by: Int(clamping: d))
      guard !overflow else { return nil }
      bytes = product
    }
    return bytes
  }

  /// The first stored chunk (of at most 2^20 looked at) whose size is not `bytes`, or nil.
  static func shortChunk(_ dataset: hid_t, bytes: Int) -> (index: Int, size: Int)? {
    let space = H5Dget_space(dataset)
    guard space >= 0 else { return nil }
    defer { H5Sclose(space) }
    var count: hsize_t = 0
    guard H5Dget_num_chunks(dataset, space, &count) >= 0 else { return nil }
    var offset = [hsize_t](repeating: 0, count: 32)
    for index in 0..<min(count, 1 << 20) {
      var mask: UInt32 = 0
      var address: haddr_t = 0
      var size: hsize_t = 0
      guard H5Dget_chunk_info(dataset, space, index, &offset, &mask, &address, &size) >= 0 else {
        return nil
      }
      if size != hsize_t(bytes) { return (Int(index), Int(clamping: size)) }
    }
    return nil
  }
}
