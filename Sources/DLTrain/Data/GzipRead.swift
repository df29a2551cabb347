import _CZlib

/// Chunked reads through zlib's `gzread`, which reads raw and gzip files alike.
enum GzipRead {
  /// Why a stream failed, in zlib's words.
  struct Corrupt: Error {
    var message: String
  }

  /// Reads up to `buffer.count` bytes into `buffer`; returns how many (0 at the end).
  /// gzread returns what it could decode; a truncated or corrupt stream shows up only in
  /// gzerror, so that is checked even after a clean-looking end.
  static func next(_ file: gzFile, into buffer: inout [UInt8]) throws -> Int {
    let n = buffer.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
    if n <= 0 {
      var code: Int32 = 0
      let message = gzerror(file, &code).map { String(cString: $0) } ?? "unknown"
      if n < 0 || (code != Z_OK && code != Z_STREAM_END) { throw Corrupt(message: message) }
      return 0
    }
    return Int(n)
  }
}
