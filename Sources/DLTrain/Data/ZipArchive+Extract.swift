import DLSpec
import _CZlib

extension ZipArchive {
  /// The member called `name` or `name.npy`, or an error listing the members there are.
  public func member(_ name: String) throws -> Member {
    if let m = members.first(where: { $0.name == name + ".npy" || $0.name == name }) {
      return m
    }
    let names = members.map { $0.name.hasSuffix(".npy") ? String($0.name.dropLast(4)) : $0.name }
    let shown = names.prefix(10).map { "'\($0)'" }.joined(separator: ", ")
    throw fail(
      "the archive has no array '\(name)'",
      names.isEmpty
        ? "the archive is empty"
        : "it has \(shown)\(names.count > 10 ? ", …" : ""); name one with `x:`/`y:`")
  }

  /// Calls `body` with the member's bytes: a view of the archive for a stored member, an
  /// inflated buffer for a deflated one. The CRC-32 is checked first.
  public func withContents<R>(of m: Member, _ body: (UnsafeRawBufferPointer) throws -> R) throws
    -> R
  {
    let what = "member '\(m.name)'"
    guard m.flags & 1 == 0 else {
      throw fail("\(what) is encrypted", "write the archive with numpy.savez, without a password")
    }
    let at = m.localOffset
    guard at <= bytes.count - 30, u32(at) == 0x0403_4b50 else {
      throw fail("\(what): its local header at byte \(at) is missing or damaged")
    }
    let start = at + 30 + u16(at + 26) + u16(at + 28)
    guard start <= bytes.count, m.compressedSize <= bytes.count - start else {
      throw fail("\(what) claims \(m.compressedSize) bytes at byte \(start), past the file's end")
    }
    let stored = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + m.compressedSize)])
    switch m.method {
    case 0:
      guard m.size == m.compressedSize else {
        throw fail("stored \(what) claims \(m.size) bytes but holds \(m.compressedSize)")
      }
      try checkCRC(m, stored)
      return try body(stored)
    case 8:
      // deflate expands at most about 1032:1: a larger claim is refused before allocating.
      let bound = m.compressedSize.multipliedReportingOverflow(by: IDXFile.maximumCompressionRatio)
      guard !bound.overflow, m.size <= bound.partialValue + 64 else {
        throw fail(
          "\(what) claims \(m.size) bytes from \(m.compressedSize) compressed, more than deflate "
            + "can expand (\(IDXFile.maximumCompressionRatio):1)")
      }
      guard m.size <= MachineMemory.available() else {
        throw fail(
          "\(what) claims \(m.size) bytes, more than the memory available now",
          "free memory, or store the array in a .npy file (memory-mapped)")
      }
      var output = [UInt8](repeating: 0, count: m.size)
      try inflate(stored, into: &output, what: what)
      return try output.withUnsafeBytes { buffer in
        try checkCRC(m, buffer)
        return try body(buffer)
      }
    default:
      throw fail(
        "\(what) uses compression method \(m.method); only stored (0) and deflate (8) are read",
        "write the archive with numpy.savez or numpy.savez_compressed")
    }
  }

  func checkCRC(_ m: Member, _ data: UnsafeRawBufferPointer) throws {
    var crc: UInt = crc32(0, nil, 0)
    var offset = 0
    // zlib's length is 32-bit: feed it in pieces.
    if let base = data.baseAddress?.assumingMemoryBound(to: Bytef.self) {
      while offset < data.count {
        let n = min(data.count - offset, 1 << 30)
        crc = crc32(crc, base + offset, UInt32(n))
        offset += n
      }
    }
    guard UInt32(truncatingIfNeeded: crc) == m.crc else {
      throw fail(
        "member '\(m.name)' fails its CRC-32 check (stored \(hex(m.crc)), computed "
          + "\(hex(UInt32(truncatingIfNeeded: crc)))): its bytes are damaged")
    }
  }

  func hex(_ v: UInt32) -> String {
    let digits = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
  }

  /// Raw deflate (no zlib header) of exactly `output.count` bytes.
  func inflate(_ input: UnsafeRawBufferPointer, into output: inout [UInt8], what: String) throws {
    var stream = z_stream()
    guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
    else {
      throw fail("\(what): zlib could not start", "out of memory?")
    }
    defer { inflateEnd(&stream) }
    let expected = output.count
    guard input.count < Int(UInt32.max), expected < Int(UInt32.max) else {
      throw fail(
        "\(what) is larger than 4 GiB, which this reader does not inflate",
        "store the array in a .npy file (memory-mapped) instead")
    }
    let status: Int32 = output.withUnsafeMutableBytes { out in
      stream.next_in = UnsafeMutablePointer(
        mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
      stream.avail_in = UInt32(input.count)
      stream.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
      stream.avail_out = UInt32(out.count)
      return _CZlib.inflate(&stream, Z_FINISH)
    }
    let produced = Int(stream.total_out)
    guard status == Z_STREAM_END, produced == expected else {
      let reason: String
      switch status {
      case Z_DATA_ERROR: reason = "corrupt deflate data"
      case Z_STREAM_END: reason = "it inflates to \(produced) bytes, not the \(expected) claimed"
      case Z_OK, Z_BUF_ERROR:
        reason =
          produced == expected
          ? "it holds more than the \(expected) bytes claimed" : "the deflate data is cut short"
      default: reason = "zlib error \(status)"
      }
      throw fail("\(what): \(reason)")
    }
  }
}
