import DLSpec

/// The dict literal of a `.npy` header: `{'descr': '<f4', 'fortran_order': False,
/// 'shape': (3, 4), }`. Only this grammar is read (strings, True/False, tuples of integers);
/// anything else is an error naming the byte where it starts.
struct NPYHeader {
  var descr: String
  var fortranOrder: Bool
  var shape: [Int]

  /// `offset` is where `text` starts in the file, so errors give file offsets.
  static func parse(_ text: UnsafeRawBufferPointer, name: String, offset: Int) throws -> NPYHeader {
    var reader = Reader(text: text, name: name, offset: offset)
    return try reader.header()
  }

  struct Reader {
    let text: UnsafeRawBufferPointer
    let name: String
    let offset: Int
    var i = 0

    func fail(_ message: String) -> DataFileError {
      DataFileError(
        .badNPY, file: name, "header byte \(offset + i): \(message)",
        hint: "the header is damaged; write the array again with numpy.save")
    }

    mutating func skipBlanks() {
      while i < text.count, [0x20, 0x09, 0x0a, 0x0d].contains(text[i]) { i += 1 }
    }

    mutating func expect(_ c: Character) throws {
      skipBlanks()
      guard i < text.count, text[i] == c.asciiValue else {
        throw fail("expected '\(c)'" + (i < text.count ? "" : ", found the end of the header"))
      }
      i += 1
    }

    mutating func peek(_ c: Character) -> Bool {
      skipBlanks()
      return i < text.count && text[i] == c.asciiValue
    }

    mutating func string() throws -> String {
      skipBlanks()
      guard i < text.count, text[i] == 0x27 || text[i] == 0x22 else {
        throw fail(
          i < text.count && text[i] == 0x5b
            ? "structured dtypes (a list of fields) are not supported" : "expected a quoted string")
      }
      let quote = text[i]
      i += 1
      let start = i
      while i < text.count, text[i] != quote {
        guard text[i] >= 0x20, text[i] < 0x7f, text[i] != 0x5c else {
          throw fail("unexpected byte \(text[i]) in a string")
        }
        i += 1
      }
      guard i < text.count else { throw fail("unterminated string") }
      let s = String(decoding: UnsafeRawBufferPointer(rebasing: text[start..<i]), as: UTF8.self)
      i += 1
      return s
    }

    mutating func word() -> String {
      skipBlanks()
      let start = i
      while i < text.count,
        (text[i] >= 0x41 && text[i] <= 0x5a) || (text[i] >= 0x61 && text[i] <= 0x7a)
      {
        i += 1
      }
      return String(decoding: UnsafeRawBufferPointer(rebasing: text[start..<i]), as: UTF8.self)
    }

    mutating func integer() throws -> Int {
      skipBlanks()
      var value = 0
      let start = i
      while i < text.count, text[i] >= 0x30, text[i] <= 0x39 {
        let (m, o1) = value.multipliedReportingOverflow(by: 10)
        let (a, o2) = m.addingReportingOverflow(Int(text[i] - 0x30))
        guard !o1, !o2 else { throw fail("an extent too large for any array") }
        value = a
        i += 1
      }
      if i < text.count, text[i] == 0x4c { i += 1 }  // Python 2's long suffix, `3L`
      guard i > start else { throw fail("expected a non-negative integer") }
      return value
    }

    mutating func tuple() throws -> [Int] {
      try expect("(")
      var items: [Int] = []
      while !peek(")") {
        items.append(try integer())
        guard items.count <= 32 else { throw fail("more than 32 dimensions") }
        if peek(",") { i += 1 } else { break }
      }
      try expect(")")
      return items
    }

    mutating func header() throws -> NPYHeader {
      try expect("{")
      var descr: String?
      var fortran: Bool?
      var shape: [Int]?
      while !peek("}") {
        let keyStart = i
        let key = try string()
        try expect(":")
        switch key {
        case "descr": descr = try string()
        case "fortran_order":
          skipBlanks()
          let at = i
          let w = word()
          guard w == "True" || w == "False" else {
            i = at
            throw fail("expected True or False")
          }
          fortran = w == "True"
        case "shape": shape = try tuple()
        default:
          i = keyStart
          throw fail("unknown header key '\(key)'")
        }
        if peek(",") { i += 1 } else { break }
      }
      try expect("}")
      skipBlanks()
      guard i == text.count else { throw fail("text after the header's closing '}'") }
      guard let descr, let fortran, let shape else {
        let missing = [
          ("descr", descr == nil), ("fortran_order", fortran == nil), ("shape", shape == nil),
        ]
        .filter(\.1).map { "'\($0.0)'" }.joined(separator: ", ")
        throw fail("the header has no \(missing)")
      }
      return NPYHeader(descr: descr, fortranOrder: fortran, shape: shape)
    }
  }
}
