import DLSpec
import Foundation
import _CZlib

/// The numbers of a CSV data file: one sample per row, the label column apart from the features.
///
/// `CSVTable.Parser` takes the bytes in chunks of any size and keeps only the current line, so a
/// file streams through it (`CSVTable.read` feeds it from `gzread`, which reads raw and gzip
/// files alike); what grows is the output arrays, 4 bytes per feature and 8 per label.
///
/// Rules: lines end in `\n` or `\r\n`; blank lines are skipped; spaces and tabs around a cell
/// are ignored; a cell may be wrapped in double quotes (`""` inside is one quote) but may not
/// span lines. Every data row has as many cells as the first row (or the header). Feature cells
/// are finite numbers (float32) or whole numbers 0…255 (uint8, divided by 255); the label cell
/// is a whole number in `0..<classCount` (classification) or a finite number (regression).
public struct CSVTable: Equatable {
  /// Features, `count × featureCount`, row-major.
  public var features: [Float] = []
  /// One label or target per row.
  public var labels: [Double] = []
  public var featureCount = 0
  /// The column names (empty without a header).
  public var columnNames: [String] = []
  /// The 1-based line each row came from.
  public var lines: [Int] = []

  public var count: Int { labels.count }

  /// How labels are checked while reading.
  public enum Labels: Equatable {
    /// Whole numbers in `0..<classCount` (or any class index when nil).
    case classes(Int?)
    /// Any finite number.
    case targets
  }

  /// The longest line read (a row of 784 pixels takes about 3 KB).
  public static let maximumLineBytes = 64 << 20

  /// At most this many feature values (the project's tensor limit, 2³¹ − 1 elements).
  public static let maximumValues = Int(Int32.max)

  /// Reads `source.path` (raw or gzip, told by its first bytes).
  public static func read(_ source: CSVSource, labels: Labels) throws -> CSVTable {
    let size = try IDXFile.checkRegular(source.path)
    if size == 0 {
      throw DataFileError(
        .badCSV, file: source.path, line: 1, column: 1, "the file is empty",
        hint: "a CSV data file holds one sample per line")
    }
    guard let file = gzopen(source.path, "rb") else {
      throw IDXError.readFailed(path: source.path, reason: "cannot open")
    }
    defer { gzclose(file) }
    var parser = Parser(source, labels: labels)
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n: Int
      do {
        n = try GzipRead.next(file, into: &chunk)
      } catch let corrupt as GzipRead.Corrupt {
        throw DataFileError(
          .badCSV, file: source.path, line: parser.line, column: nil,
          "corrupt gzip data after line \(parser.line - 1) (\(corrupt.message))",
          hint: "the compressed file is damaged or cut short; fetch or compress it again")
      }
      if n == 0 { break }
      try chunk.withUnsafeBufferPointer {
        try parser.feed(UnsafeBufferPointer(rebasing: $0[0..<n]))
      }
    }
    return try parser.finish()
  }

  /// Parses CSV text held in memory (tests and the fuzz target).
  public static func parse(_ bytes: [UInt8], _ source: CSVSource, labels: Labels) throws
    -> CSVTable
  {
    var parser = Parser(source, labels: labels)
    try bytes.withUnsafeBufferPointer { try parser.feed($0) }
    return try parser.finish()
  }
}
