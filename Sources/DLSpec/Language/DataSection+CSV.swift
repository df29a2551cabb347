/// `train: {csv: FILE, label: …, header: …, features: […], delimiter: ",", dtype: float32}`.
extension DataSection {
  public static let csvSpecs = [
    ParamSpec("csv", .string, required: true, doc: "CSV file, one sample per row (raw or gzip)"),
    ParamSpec(
      "label", .nameOrIndex, default: .int(0),
      doc: "the label (or regression target) column: a header name, or an index from 0"),
    ParamSpec(
      "header", .bool,
      doc: "the first line names the columns (default: true when `label` is a name, else false)"),
    ParamSpec(
      "features", .intList(min: 0),
      doc: "feature columns, indices from 0, in order (default: every column but the label)"),
    ParamSpec("delimiter", .string, default: .string(","), doc: "the one character between cells"),
    ParamSpec(
      "dtype", .choice(CSVSource.CellType.allCases.map(\.rawValue)), default: .string("float32"),
      doc: "float32: numbers as written; uint8: whole numbers 0…255 (pixels), divided by 255"),
  ]

  static func readCSV(
    _ node: SyntaxNode, context: String, resolve: (String) -> String,
    into bag: inout DiagnosticBag
  ) -> DataFile? {
    let errorsBefore = bag.errors.count
    let p = ParamReader.read(
      node, specs: csvSpecs, context: context, anchor: node.location, into: &bag)
    guard bag.errors.count == errorsBefore, let path = p.string("csv") else { return nil }
    let label: CSVSource.Column
    switch p["label"] {
    case .string(let name)?: label = .name(name)
    case .int(let i)?: label = .index(i)
    default: label = .index(0)
    }
    let header: Bool
    if case .bool(let b)? = p["header"] {
      header = b
    } else if case .name = label {
      header = true
    } else {
      header = false
    }
    if case .name(let name) = label, !header {
      bag.error(
        .conflictingKeys, at: p.location("header"),
        "\(context) names its label column '\(name)', but `header: false` says the file has no names",
        hint: "give the label column's index from 0 (`label: 0`), or set `header: true`")
      return nil
    }
    var features: [Int]?
    if case .ints(let list)? = p["features"] {
      if list.isEmpty {
        bag.error(
          .outOfRange, at: p.location("features"), "'features' of \(context) lists no column",
          hint: "leave `features:` out to use every column but the label")
        return nil
      }
      if case .index(let l) = label, list.contains(l) {
        bag.error(
          .conflictingKeys, at: p.location("features"),
          "'features' of \(context) lists column \(l), which is the label column",
          hint: "a column is either the label or a feature")
        return nil
      }
      features = list
    }
    let delimiter = p.string("delimiter") ?? ","
    let allowed =
      delimiter.utf8.count == 1
      && delimiter.unicodeScalars.allSatisfy {
        $0.isASCII && !"\"\r\n0123456789.+-eE".unicodeScalars.contains($0)
      }
    guard allowed else {
      bag.error(
        .outOfRange, at: p.location("delimiter"),
        "'delimiter' of \(context) must be one ASCII character that cannot be part of a number, found \(JSONText.string(delimiter))",
        hint: "use \",\", \";\", \"\\t\" or \" \"")
      return nil
    }
    let dtype = p.string("dtype").flatMap(CSVSource.CellType.init(rawValue:)) ?? .float32
    let source = CSVSource(
      path: resolve(path), label: label, header: header, features: features, delimiter: delimiter,
      dtype: dtype)
    return DataFile(format: .csv(source), location: node.location)
  }
}
