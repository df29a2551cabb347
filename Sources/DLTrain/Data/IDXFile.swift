import DLSpec
import Foundation
import _CZlib

/// The element type code of an IDX file (third byte of the magic number).
public enum IDXElementType: UInt8 {
  case uint8 = 0x08
  case int8 = 0x09
  case int16 = 0x0B
  case int32 = 0x0C
  case float32 = 0x0D
  case float64 = 0x0E

  /// Bytes per element on disk.
  public var byteWidth: Int {
    switch self {
    case .uint8, .int8: return 1
    case .int16: return 2
    case .int32, .float32: return 4
    case .float64: return 8
    }
  }
}

/// An IDX array: element type, shape (big-endian dims from the header) and the raw payload.
public struct IDXArray: Equatable {
  public var elementType: IDXElementType
  public var shape: [Int]
  /// The payload bytes exactly as stored (big-endian for multi-byte types).
  public var payload: [UInt8]

  /// Number of elements.
  public var count: Int { shape.reduce(1, *) }

  /// A uint8 array (what image and label files hold).
  public init(uint8 values: [UInt8], shape: [Int]) {
    self.elementType = .uint8
    self.shape = shape
    self.payload = values
  }

  init(elementType: IDXElementType, shape: [Int], payload: [UInt8]) {
    self.elementType = elementType
    self.shape = shape
    self.payload = payload
  }

  /// Each element converted to Float (no scaling).
  public func floatValues() -> [Float] {
    let width = elementType.byteWidth
    return payload.withUnsafeBufferPointer { bytes in
      (0..<count).map { i -> Float in
        let base = i * width
        switch elementType {
        case .uint8: return Float(bytes[base])
        case .int8: return Float(Int8(bitPattern: bytes[base]))
        case .int16: return Float(Int16(bitPattern: UInt16(Self.bigEndian(bytes, base, 2))))
        case .int32: return Float(Int32(bitPattern: UInt32(Self.bigEndian(bytes, base, 4))))
        case .float32: return Float(bitPattern: UInt32(Self.bigEndian(bytes, base, 4)))
        case .float64: return Float(Double(bitPattern: Self.bigEndian(bytes, base, 8)))
        }
      }
    }
  }

  /// Each element as Int64 for the integer types (exact, unlike `floatValues` for large
  /// int32s); nil for float types.
  public func integerValues() -> [Int64]? {
    let width = elementType.byteWidth
    return payload.withUnsafeBufferPointer { bytes -> [Int64]? in
      switch elementType {
      case .uint8: return bytes.map { Int64($0) }
      case .int8: return bytes.map { Int64(Int8(bitPattern: $0)) }
      case .int16:
        return (0..<count).map {
          Int64(Int16(bitPattern: UInt16(Self.bigEndian(bytes, $0 * width, 2))))
        }
      case .int32:
        return (0..<count).map {
          Int64(Int32(bitPattern: UInt32(Self.bigEndian(bytes, $0 * width, 4))))
        }
      case .float32, .float64: return nil
      }
    }
  }

  private static func bigEndian(_ bytes: UnsafeBufferPointer<UInt8>, _ base: Int, _ width: Int)
    -> UInt64
  {
    var value: UInt64 = 0
    for j in 0..<width {
      value = value << 8 | UInt64(bytes[base + j])
    }
    return value
  }
}

/// An IDX file that cannot be read. Each case names the file.
public enum IDXError: Error, Equatable, CustomStringConvertible {
  case fileNotFound(path: String)
  case readFailed(path: String, reason: String)
  case tooShort(path: String, byteCount: Int)
  case badMagic(path: String, bytes: [UInt8])
  case unsupportedElementType(path: String, code: UInt8)
  case payloadLength(path: String, shape: [Int], expected: Int, actual: Int)
  case writeFailed(path: String, reason: String)
  case notRegularFile(path: String, kind: String)
  case claimsTooMuch(path: String, shape: [Int], bytes: Int, reason: String)

  public var description: String {
    switch self {
    case .fileNotFound(let path):
      return "\(path): no such file"
    case .readFailed(let path, let reason):
      return "\(path): cannot read: \(reason)"
    case .tooShort(let path, let count):
      return "\(path): \(count) bytes is too short for an IDX header"
    case .badMagic(let path, let bytes):
      let hex = bytes.map { String(format: "%02x", $0) }.joined(separator: " ")
      return "\(path): not an IDX file (magic \(hex); expected 00 00 <type> <ndims>)"
    case .unsupportedElementType(let path, let code):
      return "\(path): unsupported IDX element type 0x\(String(code, radix: 16))"
    case .payloadLength(let path, let shape, let expected, let actual):
      return "\(path): IDX dims \(shape) need \(expected) payload bytes but the file has "
        + "\(actual) (truncated or corrupt)"
    case .writeFailed(let path, let reason):
      return "\(path): cannot write: \(reason)"
    case .notRegularFile(let path, let kind):
      return "\(path): cannot read: it is \(kind), not a regular file"
    case .claimsTooMuch(let path, let shape, let bytes, let reason):
      let size = shape.isEmpty ? "\(bytes) bytes" : "dims \(shape), \(bytes) payload bytes"
      return "\(path): the IDX data claims \(size), but \(reason); refusing to read it"
    }
  }
}

/// Reads and writes IDX files (LeCun's MNIST format), raw or gzip-compressed.
///
/// Layout: magic `00 00 <type> <ndims>`, then `ndims` big-endian UInt32 extents, then the
/// row-major payload. Gzip input is detected by its magic `1f 8b`, not by the file name.
public enum IDXFile {
  /// Reads and validates an IDX file.
  public static func read(_ path: String) throws -> IDXArray {
    try decode(try readBytes(path), path: path)
  }

  /// The file's bytes, decompressed if it starts with the gzip magic.
  public static func readBytes(_ path: String) throws -> [UInt8] {
    let fileSize = try checkRegular(path)
    guard let data = FileManager.default.contents(atPath: path) else {
      throw IDXError.readFailed(path: path, reason: "permission denied or not a file")
    }
    if data.count >= 2, data[data.startIndex] == 0x1f, data[data.startIndex + 1] == 0x8b {
      return try gunzip(path, limit: fileSize)
    }
    return [UInt8](data)
  }

  /// Parses IDX bytes; `path` is used only in errors.
  public static func decode(_ bytes: [UInt8], path: String) throws -> IDXArray {
    guard bytes.count >= 4 else { throw IDXError.tooShort(path: path, byteCount: bytes.count) }
    guard bytes[0] == 0, bytes[1] == 0, bytes[3] >= 1 else {
      throw IDXError.badMagic(path: path, bytes: Array(bytes[0..<4]))
    }
    guard let type = IDXElementType(rawValue: bytes[2]) else {
      throw IDXError.unsupportedElementType(path: path, code: bytes[2])
    }
    let rank = Int(bytes[3])
    let headerLength = 4 + 4 * rank
    guard bytes.count >= headerLength else {
      throw IDXError.tooShort(path: path, byteCount: bytes.count)
    }
    var shape: [Int] = []
    for d in 0..<rank {
      let o = 4 + 4 * d
      shape.append(
        Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]))
    }
    // Extents are at most 2^32 - 1 each; multiply with overflow checks so a corrupt header
    // cannot trap.
    var expected = type.byteWidth
    for extent in shape {
      let (product, overflow) = expected.multipliedReportingOverflow(by: extent)
      guard !overflow else {
        throw IDXError.payloadLength(
          path: path, shape: shape, expected: Int.max, actual: bytes.count - headerLength)
      }
      expected = product
    }
    let actual = bytes.count - headerLength
    guard actual == expected else {
      throw IDXError.payloadLength(path: path, shape: shape, expected: expected, actual: actual)
    }
    return IDXArray(elementType: type, shape: shape, payload: Array(bytes[headerLength...]))
  }

  /// The IDX encoding of `array` (header + payload).
  public static func encode(_ array: IDXArray) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, array.elementType.rawValue, UInt8(array.shape.count)]
    for extent in array.shape {
      let e = UInt32(truncatingIfNeeded: extent)
      bytes += [UInt8(e >> 24), UInt8(e >> 16 & 0xff), UInt8(e >> 8 & 0xff), UInt8(e & 0xff)]
    }
    return bytes + array.payload
  }

  /// Writes `array` to `path`, gzip-compressed if `gzip` is true.
  public static func write(_ array: IDXArray, to path: String, gzip: Bool) throws {
    guard array.payload.count == array.count * array.elementType.byteWidth else {
      throw IDXError.writeFailed(
        path: path, reason: "payload has \(array.payload.count) bytes for shape \(array.shape)")
    }
    let bytes = encode(array)
    if !gzip {
      guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
        throw IDXError.writeFailed(path: path, reason: "cannot create file")
      }
      return
    }
    guard let file = gzopen(path, "wb") else {
      throw IDXError.writeFailed(path: path, reason: "cannot create file")
    }
    let written = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
    let closed = gzclose(file)
    guard written == Int32(bytes.count), closed == Z_OK else {
      throw IDXError.writeFailed(path: path, reason: "gzip write failed")
    }
  }

  /// Throws unless `path` is a regular file (a FIFO would block, a directory reads as
  /// nothing); returns its size.
  static func checkRegular(_ path: String) throws -> Int {
    switch FileKind.of(path) {
    case .missing: throw IDXError.fileNotFound(path: path)
    case .regular(let size): return size
    case let kind: throw IDXError.notRegularFile(path: path, kind: kind.description)
    }
  }

  /// True if the file starts with the gzip magic `1f 8b`.
  static func isGzip(_ path: String) -> Bool {
    guard let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }
    let magic = (try? handle.read(upToCount: 2)) ?? Data()
    return magic.count == 2 && magic[magic.startIndex] == 0x1f
      && magic[magic.startIndex + 1] == 0x8b
  }

  /// deflate expands at most about 1032:1; a gzip file claiming more is refused unread.
  public static let maximumCompressionRatio = 1100

  /// Refuses a header whose payload could not come from a file of `fileSize` bytes, or would
  /// not fit in the memory free now, before anything is allocated for it.
  static func checkClaim(
    path: String, shape: [Int], payloadBytes: Int, memoryBytes: Int, fileSize: Int, gzip: Bool,
    memoryLimit: Int = MachineMemory.available()
  ) throws {
    let bound = fileSize.multipliedReportingOverflow(by: gzip ? maximumCompressionRatio : 1)
    if !bound.overflow, payloadBytes > bound.partialValue {
      throw IDXError.claimsTooMuch(
        path: path, shape: shape, bytes: payloadBytes,
        reason: "the file has only \(ByteCount.format(fileSize))"
          + (gzip
            ? " of gzip data, which cannot expand more than \(maximumCompressionRatio):1" : ""))
    }
    if memoryBytes > memoryLimit {
      throw IDXError.claimsTooMuch(
        path: path, shape: shape, bytes: payloadBytes,
        reason: "reading it needs \(ByteCount.format(memoryBytes)) and only "
          + "\(ByteCount.format(memoryLimit)) of memory is available now")
    }
  }

  private static func gunzip(_ path: String, limit fileSize: Int) throws -> [UInt8] {
    guard let file = gzopen(path, "rb") else {
      throw IDXError.readFailed(path: path, reason: "cannot open")
    }
    defer { gzclose(file) }
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let n: Int
      do {
        n = try GzipRead.next(file, into: &chunk)
      } catch let corrupt as GzipRead.Corrupt {
        throw IDXError.readFailed(path: path, reason: "corrupt gzip data (\(corrupt.message))")
      }
      if n == 0 { break }
      output.append(contentsOf: chunk[0..<n])
      // A gzip bomb: stop before memory runs out instead of after.
      if output.count / maximumCompressionRatio > fileSize {
        throw IDXError.claimsTooMuch(
          path: path, shape: [], bytes: output.count,
          reason:
            "it expands more than \(maximumCompressionRatio):1 from \(ByteCount.format(fileSize))")
      }
    }
    return output
  }
}
