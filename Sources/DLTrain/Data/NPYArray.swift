import DLSpec

/// A numpy `.npy` array viewed in place: its element type, shape, and the bytes of its data.
///
/// Format (numpy's `format.py`, versions 1.0–3.0): the magic `\x93NUMPY`, a major and minor
/// version byte, the header length (2 bytes little-endian in 1.0, 4 bytes in 2.0/3.0), then the
/// header, a Python dict literal such as `{'descr': '<f4', 'fortran_order': False,
/// 'shape': (100, 784), }`, then the C-order data. The header's claims are checked against the
/// bytes present before anything is read: the data must be exactly `shape.product × itemsize`.
public struct NPYArray {
  /// The element types read (numpy's `descr` without the byte-order character).
  public enum ElementType: String, CaseIterable {
    case bool = "b1"
    case int8 = "i1", uint8 = "u1", int16 = "i2", uint16 = "u2"
    case int32 = "i4", uint32 = "u4", int64 = "i8", uint64 = "u8"
    case float16 = "f2", float32 = "f4", float64 = "f8"

    public var size: Int { Int(rawValue.dropFirst()) ?? 1 }
    public var isInteger: Bool { rawValue.first == "i" || rawValue.first == "u" || self == .bool }
  }

  public var elementType: ElementType
  /// False for big-endian (`>`) data.
  public var littleEndian: Bool
  public var shape: [Int]
  /// The data: `count × elementType.size` bytes, C order.
  public var data: UnsafeRawBufferPointer
  /// Names the array in errors: the file, or `archive.npz[member]`.
  public var name: String

  public var count: Int { shape.reduce(1, *) }

  static let magic: [UInt8] = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]

  /// Parses the header of `bytes` (the whole `.npy` file) and checks its size claim.
  /// The returned array's `data` points into `bytes`, which must outlive it.
  public static func parse(_ bytes: UnsafeRawBufferPointer, name: String) throws -> NPYArray {
    func fail(_ message: String, _ hint: String) -> DataFileError {
      DataFileError(.badNPY, file: name, message, hint: hint)
    }
    guard bytes.count > 0 else {
      throw fail("the file is empty", "write arrays with numpy.save")
    }
    guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
      throw fail(
        "not a .npy file (it does not start with \\x93NUMPY)",
        "write arrays with numpy.save; a .npz archive goes under `npz:`")
    }
    let major = bytes[6]
    let headerStart: Int
    let headerLength: Int
    switch major {
    case 1:
      headerStart = 10
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
    case 2, 3:
      guard bytes.count >= 12 else {
        throw fail("the file ends inside its header", "the file is cut short")
      }
      headerStart = 12
      headerLength = (8...11).reduce(0) { $0 | Int(bytes[$1]) << (8 * ($1 - 8)) }
    default:
      throw fail(
        "format version \(major).\(bytes[7]) is not one this build reads (1.0, 2.0, 3.0)",
        "write the array with numpy.save")
    }
    guard headerLength <= bytes.count - headerStart else {
      throw fail(
        "the header claims \(headerLength) bytes, but only \(bytes.count - headerStart) follow",
        "the file is cut short")
    }
    let text = UnsafeRawBufferPointer(rebasing: bytes[headerStart..<(headerStart + headerLength)])
    let header = try NPYHeader.parse(text, name: name, offset: headerStart)
    guard let type = ElementType(rawValue: String(header.descr.dropFirst())),
      "<>|=".contains(header.descr.first ?? "?")
    else {
      throw fail(
        "dtype '\(header.descr)' is not supported",
        "store numbers: bool, int8…int64, uint8…uint64, float16, float32 or float64 "
          + "(for example `x.astype(np.float32)`)")
    }
    if header.fortranOrder && header.shape.filter({ $0 > 1 }).count > 1 {
      throw fail(
        "the array is in Fortran (column-major) order, which is not supported",
        "save it in C order: numpy.save(f, numpy.ascontiguousarray(x))")
    }
    // '|' and '=' mean no or native byte order; every platform dlspec runs on is little-endian.
    let little = header.descr.first != ">" || type.size == 1
    var total = type.size
    for extent in header.shape {
      let (product, overflow) = total.multipliedReportingOverflow(by: extent)
      guard !overflow else {
        throw fail(
          "the shape \(header.shape) claims more bytes than any file holds",
          "the header is damaged")
      }
      total = product
    }
    let dataStart = headerStart + headerLength
    let present = bytes.count - dataStart
    guard present == total else {
      throw fail(
        "the header claims shape \(header.shape) of \(header.descr), \(total) bytes of data, "
          + "but the file has \(present) after its header",
        present < total
          ? "the file is cut short" : "the file has bytes the header does not account for")
    }
    return NPYArray(
      elementType: type, littleEndian: little, shape: header.shape,
      data: UnsafeRawBufferPointer(rebasing: bytes[dataStart..<bytes.count]), name: name)
  }
}
