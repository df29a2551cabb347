import DLSpec
import Foundation

extension CSVTable {
  /// The streaming state: the current line's bytes, the column layout once known, the output.
  public struct Parser {
    let source: CSVSource
    let labelsKind: Labels
    let delimiter: UInt8
    /// The line being read, without its `\n`.
    var pending: [UInt8] = []
    /// The 1-based number of the line in `pending`.
    public private(set) var line = 1
    var table = CSVTable()
    /// Cells per row, fixed by the header or the first data row.
    var width: Int?
    var widthLine = 0
    var labelColumn = 0
    var featureColumns: [Int] = []
    var headerPending: Bool
    /// Cells of the current line: unquoted content in `cellBytes`, and where each began.
    var cellRanges: [Range<Int>] = []
    var cellColumns: [Int] = []
    var cellBytes: [UInt8] = []
    /// A NUL-terminated copy of one cell for `strtod`.
    var scratch: [CChar] = []

    public init(_ source: CSVSource, labels: Labels) {
      self.source = source
      self.labelsKind = labels
      self.delimiter = source.delimiter.utf8.first ?? UInt8(ascii: ",")
      self.headerPending = source.header
    }

    func fail(_ message: String, line: Int? = nil, column: Int?, hint: String) -> DataFileError {
      DataFileError(
        .badCSV, file: source.path, line: line ?? self.line, column: column, message, hint: hint)
    }

    /// Takes the next bytes of the file; complete lines are parsed at once.
    public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) throws {
      var start = 0
      for i in 0..<bytes.count where bytes[i] == UInt8(ascii: "\n") {
        pending.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
        try endLine()
        start = i + 1
      }
      pending.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]))
      // Only the current line is held: a file without line breaks must not fill memory.
      if pending.count > CSVTable.maximumLineBytes {
        throw fail(
          "the line is longer than \(CSVTable.maximumLineBytes >> 20) MiB", column: nil,
          hint: "one sample per line; check that the file is CSV text with line breaks")
      }
    }

    /// Parses a last line without `\n` and returns the table.
    public mutating func finish() throws -> CSVTable {
      if !pending.isEmpty { try endLine() }
      if table.count == 0 {
        let what = width == nil ? "the file is empty" : "the file has no data rows"
        throw fail(
          what + (source.header && width != nil ? " after its header" : ""), column: nil,
          hint: "a CSV data file holds one sample per line")
      }
      return table
    }

    mutating func endLine() throws {
      if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
      defer {
        pending.removeAll(keepingCapacity: true)
        line += 1
      }
      try split()
      if cellRanges.count == 1 && cellRanges[0].isEmpty { return }  // a blank line
      if headerPending {
        try readHeader()
        headerPending = false
        return
      }
      if width == nil { try fixLayout(cells: cellRanges.count) }
      try readRow()
    }

    /// Splits `pending` into cells, removing blanks around them and the quotes of quoted ones.
    mutating func split() throws {
      cellRanges.removeAll(keepingCapacity: true)
      cellColumns.removeAll(keepingCapacity: true)
      cellBytes.removeAll(keepingCapacity: true)
      let n = pending.count
      var i = 0
      func isBlank(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }
      while true {
        while i < n, isBlank(pending[i]), pending[i] != delimiter { i += 1 }
        let column = i + 1
        let begin = cellBytes.count
        if i < n, pending[i] == UInt8(ascii: "\"") {
          i += 1
          var closed = false
          while i < n {
            if pending[i] == UInt8(ascii: "\"") {
              if i + 1 < n, pending[i + 1] == UInt8(ascii: "\"") {
                cellBytes.append(UInt8(ascii: "\""))
                i += 2
                continue
              }
              closed = true
              i += 1
              break
            }
            cellBytes.append(pending[i])
            i += 1
          }
          guard closed else {
            throw fail(
              "the quote opened here is not closed on this line", column: column,
              hint: "close the quote; cells may not span lines")
          }
          while i < n, isBlank(pending[i]), pending[i] != delimiter { i += 1 }
          if i < n, pending[i] != delimiter {
            throw fail(
              "text after a closing quote", column: i + 1,
              hint:
                "put the delimiter '\(Character(Unicode.Scalar(delimiter)))' after the quoted cell")
          }
        } else {
          var end = i
          while i < n, pending[i] != delimiter {
            i += 1
            if !isBlank(pending[i - 1]) { end = i }
          }
          cellBytes.append(contentsOf: pending[(column - 1)..<end])
        }
        cellRanges.append(begin..<cellBytes.count)
        cellColumns.append(column)
        guard i < n else { break }
        i += 1  // the delimiter
      }
    }

    mutating func readHeader() throws {
      let names = cellRanges.map { String(decoding: cellBytes[$0], as: UTF8.self) }
      table.columnNames = names
      try fixLayout(cells: names.count)
    }

    /// The column layout, from the header or the first data row: the label and feature indices.
    mutating func fixLayout(cells: Int) throws {
      width = cells
      widthLine = line
      switch source.label {
      case .index(let i):
        guard i < cells else {
          throw fail(
            "the label column \(i) (counted from 0) is past the last column, \(cells - 1)",
            column: nil,
            hint: "rows here have \(cells) cells; set `label:` to one of 0…\(cells - 1)")
        }
        labelColumn = i
      case .name(let name):
        let matches = table.columnNames.indices.filter { table.columnNames[$0] == name }
        guard matches.count == 1 else {
          let shown = table.columnNames.prefix(8).map { "'\($0)'" }.joined(separator: ", ")
          throw fail(
            matches.isEmpty
              ? "the header has no column named '\(name)'"
              : "the header names \(matches.count) columns '\(name)'",
            column: matches.count > 1 ? cellColumns[matches[1]] : 1,
            hint: matches.isEmpty
              ? "the columns are \(shown)\(table.columnNames.count > 8 ? ", …" : "")"
              : "give the label column by its index from 0 instead")
        }
        labelColumn = matches[0]
      }
      if let features = source.features {
        if let bad = features.first(where: { $0 >= cells }) {
          throw fail(
            "'features' lists column \(bad), but rows have only \(cells) cells (0…\(cells - 1))",
            column: nil, hint: "list feature columns counted from 0")
        }
        if features.contains(labelColumn) {
          throw fail(
            "'features' lists column \(labelColumn), which is the label column", column: nil,
            hint: "a column is either the label or a feature")
        }
        featureColumns = features
      } else {
        featureColumns = (0..<cells).filter { $0 != labelColumn }
      }
      table.featureCount = featureColumns.count
      guard table.featureCount > 0 else {
        throw fail(
          "rows have only the label column and no feature", column: nil,
          hint: "check `delimiter:` (now '\(source.delimiter)') and `label:`")
      }
    }
  }
}
