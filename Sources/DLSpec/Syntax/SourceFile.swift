import Foundation

/// The text of a spec file, kept so diagnostics can quote the offending line.
public struct SourceFile: Sendable {
  /// Spec files are small; anything larger is refused before parsing so that a hostile file
  /// (a multi-megabyte scalar, say) costs bounded memory and time.
  public static let maximumBytes = 1 << 20

  public let path: String
  public let text: String
  public let lines: [Substring]

  public init(path: String, text: String) {
    self.path = path
    self.text = text
    self.lines = text.split(separator: "\n", omittingEmptySubsequences: false)
  }

  /// Reads and checks a file: kind, size, then UTF-8. Problems come back as diagnostics.
  ///
  /// The file is opened with `O_NONBLOCK` and checked with `fstat` on the open descriptor, so a
  /// FIFO (which would block `open` until a writer came), a directory, a socket or a device is
  /// refused by name, with no window between the check and the read.
  public static func load(path: String) -> Result<SourceFile, Diagnostic> {
    let at = SourceLocation(file: path, line: 1, column: 1)
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else {
      let reason = String(cString: strerror(errno))
      return .failure(
        Diagnostic(
          .fileUnreadable, at: at, "cannot read '\(path)': \(reason)",
          hint: "check that the file exists and is readable"))
    }
    let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    let kind = FileKind.of(descriptor: fd)
    guard kind.regularSize != nil else {
      return .failure(
        Diagnostic(
          .notRegularFile, at: at, "'\(path)' is \(kind.description), not a spec file",
          hint: "pass the path of a YAML file"))
    }
    // Read one byte past the limit so an oversized file is detected without reading it all.
    let data = (try? handle.read(upToCount: maximumBytes + 1)) ?? Data()
    return decode(path: path, bytes: data)
  }

  /// Checks size and UTF-8 validity of raw bytes.
  public static func decode(path: String, bytes: Data) -> Result<SourceFile, Diagnostic> {
    if bytes.count > maximumBytes {
      return .failure(
        Diagnostic(
          .fileTooLarge, at: SourceLocation(file: path, line: 1, column: 1),
          "spec file is larger than \(maximumBytes) bytes",
          hint: "a spec describes an experiment; keep data in HDF5 or IDX files it names"))
    }
    if let offset = firstInvalidUTF8(bytes) {
      let (line, column) = position(ofByte: offset, in: bytes)
      return .failure(
        Diagnostic(
          .invalidUTF8, at: SourceLocation(file: path, line: line, column: column),
          "invalid UTF-8 at byte \(offset)", hint: "save the file as UTF-8"))
    }
    // A UTF-8 byte-order mark (editors on Windows write one) is not YAML; libyaml would reject
    // the document. It is dropped before parsing: it sits before column 1, so every line and
    // column stays where the user sees it.
    let body = bytes.starts(with: utf8BOM) ? bytes.dropFirst(utf8BOM.count) : bytes[...]
    return .success(SourceFile(path: path, text: String(decoding: body, as: UTF8.self)))
  }

  /// The source line (1-based) without its newline, or nil past the end.
  public func line(_ number: Int) -> Substring? {
    guard number >= 1, number <= lines.count else { return nil }
    let l = lines[number - 1]
    return l.hasSuffix("\r") ? l.dropLast() : l
  }

  public func location(line: Int, column: Int) -> SourceLocation {
    SourceLocation(file: path, line: line, column: column)
  }

  /// EF BB BF, the UTF-8 encoding of U+FEFF.
  static let utf8BOM: [UInt8] = [0xEF, 0xBB, 0xBF]

  /// Byte offset of the first byte that does not start or continue a valid UTF-8 sequence.
  static func firstInvalidUTF8(_ bytes: Data) -> Int? {
    var i = bytes.startIndex
    let end = bytes.endIndex
    while i < end {
      let b = bytes[i]
      let length: Int
      if b < 0x80 {
        length = 1
      } else if b & 0xE0 == 0xC0, b >= 0xC2 {
        length = 2
      } else if b & 0xF0 == 0xE0 {
        length = 3
      } else if b & 0xF8 == 0xF0, b <= 0xF4 {
        length = 4
      } else {
        return i - bytes.startIndex
      }
      if i + length > end { return i - bytes.startIndex }
      for j in 1..<length where bytes[i + j] & 0xC0 != 0x80 { return i - bytes.startIndex }
      if length == 3 {
        let scalar = (UInt32(b & 0x0F) << 12) | (UInt32(bytes[i + 1] & 0x3F) << 6)
        if scalar < 0x800 || (0xD800...0xDFFF).contains(scalar) { return i - bytes.startIndex }
      } else if length == 4 {
        let scalar = (UInt32(b & 0x07) << 18) | (UInt32(bytes[i + 1] & 0x3F) << 12)
        if scalar < 0x10000 || scalar > 0x10FFFF { return i - bytes.startIndex }
      }
      i += length
    }
    return nil
  }

  static func position(ofByte offset: Int, in bytes: Data) -> (Int, Int) {
    var line = 1
    var column = 1
    for b in bytes.prefix(offset) {
      if b == UInt8(ascii: "\n") {
        line += 1
        column = 1
      } else if b & 0xC0 != 0x80 {
        column += 1
      }
    }
    return (line, column)
  }
}
