import DLSpec
import _CZlib

/// The members of a zip archive (a `.npz`), read from its central directory.
///
/// Reads what `numpy.savez` and `savez_compressed` write: stored (method 0) or deflated
/// (method 8) members, with zip64 sizes and offsets. Every offset and size is checked against
/// the archive's bytes before it is used; a member's CRC-32 is checked after it is extracted.
public struct ZipArchive {
  public struct Member {
    public var name: String
    public var method: UInt16
    public var flags: UInt16
    public var crc: UInt32
    public var compressedSize: Int
    public var size: Int
    /// Offset of the member's local header.
    public var localOffset: Int
  }

  public let bytes: UnsafeRawBufferPointer
  public let path: String
  public private(set) var members: [Member] = []

  func fail(
    _ message: String, _ hint: String = "the archive is damaged; write it again with numpy.savez"
  )
    -> DataFileError
  {
    DataFileError(.badNPZ, file: path, message, hint: hint)
  }

  func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
  func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
  func u64(_ at: Int) -> UInt64 { UInt64(u32(at)) | UInt64(u32(at + 4)) << 32 }

  /// Reads the central directory of `bytes` (which must outlive the archive).
  public init(_ bytes: UnsafeRawBufferPointer, path: String) throws {
    self.bytes = bytes
    self.path = path
    guard bytes.count > 0 else { throw fail("the file is empty", "write arrays with numpy.savez") }
    // The end-of-central-directory record is the last 22 bytes plus a comment of ≤ 65535.
    var eocd: Int?
    if bytes.count >= 22 {
      for at in stride(from: bytes.count - 22, through: max(0, bytes.count - 22 - 65535), by: -1)
      where u32(at) == 0x0605_4b50 {
        eocd = at
        break
      }
    }
    guard let eocd else {
      throw fail(
        "not a zip archive (no end-of-central-directory record)",
        "a .npz is a zip file written by numpy.savez; a single array goes under `npy:`")
    }
    var entries = u16(eocd + 10)
    var directorySize = u32(eocd + 12)
    var directoryOffset = u32(eocd + 16)
    if entries == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
      // zip64: a locator 20 bytes before the record points at the zip64 end record.
      let locator = eocd - 20
      guard locator >= 0, u32(locator) == 0x0706_4b50 else {
        throw fail("a zip64 archive without its zip64 locator")
      }
      let record = Int(clamping: u64(locator + 8))
      guard record <= bytes.count - 56, u32(record) == 0x0606_4b50 else {
        throw fail("the zip64 end record lies outside the file")
      }
      entries = Int(clamping: u64(record + 32))
      directorySize = Int(clamping: u64(record + 40))
      directoryOffset = Int(clamping: u64(record + 48))
    }
    guard directoryOffset <= eocd, directorySize <= eocd - directoryOffset else {
      throw fail("the central directory claims bytes \(directoryOffset)… past the file's end")
    }
    var at = directoryOffset
    let end = directoryOffset + directorySize
    // Each entry takes at least 46 bytes, so a count the directory cannot hold is refused.
    guard entries <= directorySize / 46 else {
      throw fail("the central directory claims \(entries) members in \(directorySize) bytes")
    }
    for index in 0..<entries {
      guard at <= end - 46, u32(at) == 0x0201_4b50 else {
        throw fail("central directory entry \(index) is damaged (byte \(at))")
      }
      let nameLength = u16(at + 28)
      let extraLength = u16(at + 30)
      let commentLength = u16(at + 32)
      guard nameLength + extraLength + commentLength <= end - at - 46 else {
        throw fail("central directory entry \(index) runs past the directory")
      }
      let name = String(
        decoding: UnsafeRawBufferPointer(rebasing: bytes[(at + 46)..<(at + 46 + nameLength)]),
        as: UTF8.self)
      var member = Member(
        name: name, method: UInt16(u16(at + 10)), flags: UInt16(u16(at + 8)),
        crc: UInt32(u32(at + 16)), compressedSize: u32(at + 20), size: u32(at + 24),
        localOffset: u32(at + 42))
      try readZip64(&member, extra: (at + 46 + nameLength)..<(at + 46 + nameLength + extraLength))
      members.append(member)
      at += 46 + nameLength + extraLength + commentLength
    }
  }

  /// The zip64 extra field (tag 1) holds, in order, each of size, compressed size and offset
  /// whose 32-bit field is 0xFFFFFFFF.
  func readZip64(_ m: inout Member, extra: Range<Int>) throws {
    var at = extra.lowerBound
    while at + 4 <= extra.upperBound {
      let tag = u16(at)
      let length = u16(at + 2)
      guard length <= extra.upperBound - at - 4 else {
        throw fail("'\(m.name)': a damaged extra field")
      }
      if tag == 1 {
        var field = at + 4
        func next() throws -> Int {
          guard field + 8 <= at + 4 + length else { throw fail("'\(m.name)': a short zip64 field") }
          defer { field += 8 }
          return Int(clamping: u64(field))
        }
        if m.size == 0xFFFF_FFFF { m.size = try next() }
        if m.compressedSize == 0xFFFF_FFFF { m.compressedSize = try next() }
        if m.localOffset == 0xFFFF_FFFF { m.localOffset = try next() }
      }
      at += 4 + length
    }
  }
}
