import DLSpec
import Foundation
import _CZlib

extension IDXFile {
  /// Reads a uint8 IDX image file (raw or gzip) straight into scaled Float pixels (÷ 255),
  /// one 1 MiB chunk at a time. Returns nil for other element types (use `read`).
  ///
  /// Why not `read` + convert: that holds the compressed file, the decompressed bytes and a
  /// copy of the payload beside the 4× larger Float array; streaming keeps the peak at the
  /// Float array alone, which is what the training memory bound (docs/performance.md) allows.
  public static func readScaledPixels(_ path: String) throws -> (shape: [Int], pixels: [Float])? {
    let fileSize = try IDXFile.checkRegular(path)
    let gzip = IDXFile.isGzip(path)
    // gzread reads uncompressed files transparently, so one path serves both.
    guard let file = gzopen(path, "rb") else {
      throw IDXError.readFailed(path: path, reason: "cannot open")
    }
    defer { gzclose(file) }
    func readExactly(_ count: Int, into p: UnsafeMutableRawPointer) throws -> Int {
      var total = 0
      while total < count {
        let n = gzread(file, p + total, UInt32(min(count - total, 1 << 30)))
        if n < 0 {
          var code: Int32 = 0
          let message = gzerror(file, &code).map { String(cString: $0) } ?? "unknown"
          throw IDXError.readFailed(path: path, reason: "corrupt gzip data (\(message))")
        }
        if n == 0 { break }
        total += Int(n)
      }
      return total
    }
    func readArray(_ count: Int) throws -> [UInt8] {
      var bytes = [UInt8](repeating: 0, count: count)
      let n = try bytes.withUnsafeMutableBytes { raw -> Int in
        guard let base = raw.baseAddress else { return 0 }
        return try readExactly(count, into: base)
      }
      return Array(bytes.prefix(n))
    }
    let magic = try readArray(4)
    guard magic.count == 4 else { throw IDXError.tooShort(path: path, byteCount: magic.count) }
    guard magic[0] == 0, magic[1] == 0, magic[3] >= 1 else {
      throw IDXError.badMagic(path: path, bytes: magic)
    }
    guard magic[2] == IDXElementType.uint8.rawValue else { return nil }
    let rank = Int(magic[3])
    let dims = try readArray(4 * rank)
    guard dims.count == 4 * rank else { throw IDXError.tooShort(path: path, byteCount: 4 + dims.count) }
    var shape: [Int] = []
    var count = 1
    for d in 0..<rank {
      let o = 4 * d
      let extent = Int(dims[o]) << 24 | Int(dims[o + 1]) << 16 | Int(dims[o + 2]) << 8 | Int(dims[o + 3])
      shape.append(extent)
      let (product, overflow) = count.multipliedReportingOverflow(by: extent)
      guard !overflow, product <= 1 << 34 else {
        throw IDXError.payloadLength(path: path, shape: shape, expected: Int.max, actual: 0)
      }
      count = product
    }
    // Check the header's claim before allocating 4 bytes per pixel: a raw file must hold
    // exactly that many bytes; a gzip file cannot expand more than ~1032:1.
    let header = 4 + 4 * rank
    if !gzip, count != fileSize - header {
      throw IDXError.payloadLength(
        path: path, shape: shape, expected: count, actual: fileSize - header)
    }
    try IDXFile.checkClaim(
      path: path, shape: shape, payloadBytes: count, memoryBytes: count * MemoryLayout<Float>.size,
      fileSize: fileSize, gzip: gzip)
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    var pixels = [Float](repeating: 0, count: count)
    var filled = 0
    try pixels.withUnsafeMutableBufferPointer { out in
      try chunk.withUnsafeMutableBytes { raw in
        guard let base = raw.baseAddress else { return }
        while filled < count {
          let n = try readExactly(min(raw.count, count - filled), into: base)
          if n == 0 { break }
          let bytes = base.assumingMemoryBound(to: UInt8.self)
          for i in 0..<n { out[filled + i] = Float(bytes[i]) / 255 }
          filled += n
        }
      }
    }
    // Exactly `count` bytes must follow the header: fewer is truncation, more is corruption.
    var extra: UInt8 = 0
    let trailing = try readExactly(1, into: &extra)
    guard filled == count, trailing == 0 else {
      throw IDXError.payloadLength(path: path, shape: shape, expected: count, actual: filled + trailing)
    }
    return (shape, pixels)
  }
}
