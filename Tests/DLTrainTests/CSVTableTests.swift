import DLSpec
import Foundation
import Testing

@testable import DLTrain

/// The CSV reader: values read back exactly, layouts (header, label by name or index, feature
/// columns, delimiter, uint8 pixels, quotes, CRLF, gzip), and every malformed case with its
/// located message.
@Suite struct CSVTableTests {
  static func source(
    _ label: CSVSource.Column = .index(0), header: Bool = false, features: [Int]? = nil,
    delimiter: String = ",", dtype: CSVSource.CellType = .float32
  ) -> CSVSource {
    CSVSource(
      path: "t.csv", label: label, header: header, features: features, delimiter: delimiter,
      dtype: dtype)
  }

  static func parse(
    _ text: String, _ source: CSVSource = source(), labels: CSVTable.Labels = .classes(nil)
  ) throws -> CSVTable {
    try CSVTable.parse(Array(text.utf8), source, labels: labels)
  }

  /// The error `text` gives, rendered.
  static func error(
    _ text: String, _ source: CSVSource = source(), labels: CSVTable.Labels = .classes(nil)
  ) -> String {
    do {
      _ = try parse(text, source, labels: labels)
      return "no error"
    } catch let e as DataFileError {
      #expect(e.code == .badCSV)
      return e.located
    } catch {
      return "\(error)"
    }
  }

  /// Compresses `text` into `path` with Python's gzip module (an independent writer).
  static func gzip(_ text: String, to path: String) throws {
    let script = "import gzip, sys; gzip.open(sys.argv[2], 'wb').write(sys.argv[1].encode())"
    let result = try #require(DataFixtures.python(script, [text, path]))
    #expect(result.0 == 0, "\(result.2)")
  }

  @Test func labelFirstNoHeader() throws {
    let t = try Self.parse("1,0.5,-2\n0,3e2,.25\n")
    #expect(t.labels == [1, 0])
    #expect(t.features == [0.5, -2, 300, 0.25])
    #expect(t.featureCount == 2)
    #expect(t.lines == [1, 2])
  }

  @Test func headerLabelByNameAndFeatureOrder() throws {
    let text = "a, b ,\"lbl\",c\r\n\n1,2,1,3\r\n  4 , 5 ,\"0\", 6\n"
    let t = try Self.parse(text, Self.source(.name("lbl"), header: true, features: [3, 0]))
    #expect(t.columnNames == ["a", "b", "lbl", "c"])
    #expect(t.labels == [1, 0])
    #expect(t.features == [3, 1, 6, 4])
    #expect(t.lines == [3, 4])
  }

  @Test func uint8PixelsAreDividedBy255AndLastLineNeedsNoNewline() throws {
    let t = try Self.parse("0;255;2\n51;0;1", Self.source(.index(2), delimiter: ";", dtype: .uint8))
    #expect(t.features == [0, 1, Float(51) / 255, 0])
    #expect(t.labels == [2, 1])
  }

  @Test func regressionTargetsAreAnyFiniteNumber() throws {
    let t = try Self.parse("0.5,-1.25\n2,3\n", Self.source(.index(1)), labels: .targets)
    #expect(t.labels == [-1.25, 3])
    #expect(t.features == [0.5, 2])
  }

  @Test func chunkBoundariesDoNotMatter() throws {
    let text = Array("7,1.5,2\r\n3,4,5\n\n6,7,8".utf8)
    let whole = try CSVTable.parse(text, Self.source(), labels: .classes(nil))
    for size in 1...4 {
      var parser = CSVTable.Parser(Self.source(), labels: .classes(nil))
      for start in stride(from: 0, to: text.count, by: size) {
        let piece = Array(text[start..<min(text.count, start + size)])
        try piece.withUnsafeBufferPointer { try parser.feed($0) }
      }
      #expect(try parser.finish() == whole)
    }
  }

  @Test(.enabled(if: DataFixtures.hasPython)) func gzipAndRawFilesReadAlike() throws {
    let dir = try TemporaryDirectory()
    let text = "2,0.5,0.25\n0,1,2\n"
    try text.write(toFile: dir.path("raw.csv"), atomically: true, encoding: .utf8)
    try Self.gzip(text, to: dir.path("packed.csv.gz"))
    var source = Self.source()
    source.path = dir.path("raw.csv")
    let raw = try CSVTable.read(source, labels: .classes(3))
    source.path = dir.path("packed.csv.gz")
    let packed = try CSVTable.read(source, labels: .classes(3))
    #expect(raw == packed)
    #expect(raw.features == [0.5, 0.25, 1, 2])
  }

  @Test func malformedInputsAreLocated() {
    let cases: [(String, CSVSource, CSVTable.Labels, String)] = [
      ("1,2,3\n4,5\n", Self.source(), .classes(nil), "t.csv:2:4: this row has 2 cells, but line 1 has 3"),
      ("1,2\n4,5,6\n", Self.source(), .classes(nil), "t.csv:2:5: this row has 3 cells, but line 1 has 2"),
      ("1,2\n0,abc\n", Self.source(), .classes(nil), "t.csv:2:3: cell 'abc' is not a number"),
      ("1,2\n0,nan\n", Self.source(), .classes(nil), "t.csv:2:3: cell 'nan' is not a finite number"),
      ("1,-inf\n", Self.source(), .classes(nil), "t.csv:1:3: cell '-inf' is not a finite number"),
      ("1,0x10\n", Self.source(), .classes(nil), "t.csv:1:3: cell '0x10' is not a number"),
      ("1,1e999\n", Self.source(), .classes(nil), "t.csv:1:3: cell '1e999' is beyond the range of numbers"),
      ("1,1e39\n", Self.source(), .classes(nil), "t.csv:1:3: cell '1e39' is beyond float32's range"),
      ("1,2\n0, \n", Self.source(), .classes(nil), "t.csv:2:4: empty cell in column 1 (counted from 0)"),
      ("1.5,2\n", Self.source(), .classes(nil), "t.csv:1:1: label '1.5' is not a class index (a whole number ≥ 0)"),
      ("-1,2\n", Self.source(), .classes(nil), "t.csv:1:1: label '-1' is not a class index (a whole number ≥ 0)"),
      ("3,2\n0,1\n9,1\n", Self.source(), .classes(5), "t.csv:3:1: label 9 is not a class in 0..<5"),
      ("1,256\n", Self.source(dtype: .uint8), .classes(nil), "t.csv:1:3: cell '256' is not a uint8 pixel (a whole number 0…255)"),
      ("1,0.5\n", Self.source(dtype: .uint8), .classes(nil), "t.csv:1:3: cell '0.5' is not a uint8 pixel (a whole number 0…255)"),
      ("1,\"2\n", Self.source(), .classes(nil), "t.csv:1:3: the quote opened here is not closed on this line"),
      ("1,\"2\"x\n", Self.source(), .classes(nil), "t.csv:1:6: text after a closing quote"),
      ("", Self.source(), .classes(nil), "t.csv:1: the file is empty"),
      ("\n\n", Self.source(), .classes(nil), "t.csv:3: the file is empty"),
      ("a,b\n", Self.source(.name("b"), header: true), .classes(nil), "t.csv:2: the file has no data rows after its header"),
      ("a,b\n1,2\n", Self.source(.name("c"), header: true), .classes(nil), "t.csv:1:1: the header has no column named 'c'"),
      ("a,a\n1,2\n", Self.source(.name("a"), header: true), .classes(nil), "t.csv:1:3: the header names 2 columns 'a'"),
      ("1,2\n", Self.source(.index(2)), .classes(nil), "t.csv:1: the label column 2 (counted from 0) is past the last column, 1"),
      ("1,2\n", Self.source(features: [1, 5]), .classes(nil), "t.csv:1: 'features' lists column 5, but rows have only 2 cells (0…1)"),
      ("1\n", Self.source(), .classes(nil), "t.csv:1: rows have only the label column and no feature"),
      ("a,b\n1,2\n", Self.source(), .classes(nil), "t.csv:1:1: cell 'a' is not a number"),
    ]
    for (text, source, labels, expected) in cases {
      #expect(Self.error(text, source, labels: labels) == expected, "\(text.debugDescription)")
    }
  }

  @Test func hintsSayWhatToDo() throws {
    do {
      _ = try Self.parse("a,b\n1,2\n")
      Issue.record("no error")
    } catch let e as DataFileError {
      #expect(e.hint == "if the first line names the columns, add `header: true`")
      #expect(
        e.description
          == "t.csv:1:1: [E061] cell 'a' is not a number\n  = hint: if the first line names the columns, add `header: true`")
    }
    do {
      _ = try Self.parse("0.5,1\n")
      Issue.record("no error")
    } catch let e as DataFileError {
      #expect(e.hint == "real-valued targets need `loss: mse` (or l1) and `task: regression`")
    }
  }

  @Test(.enabled(if: DataFixtures.hasPython)) func corruptGzipIsLocatedAfterTheLastGoodLine() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("cut.csv.gz")
    let rows = (0..<2000).map { "\($0 % 3),\($0),\($0 * 7 % 11)" }.joined(separator: "\n")
    try Self.gzip(rows, to: path)
    var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    bytes = bytes.prefix(bytes.count / 2)
    try bytes.write(to: URL(fileURLWithPath: path))
    var source = Self.source()
    source.path = path
    #expect {
      try CSVTable.read(source, labels: .classes(nil))
    } throws: { error in
      guard let e = error as? DataFileError, let line = e.line else { return false }
      return e.code == .badCSV && e.message.hasPrefix("corrupt gzip data after line \(line - 1)")
        && line > 1
    }
  }
}
