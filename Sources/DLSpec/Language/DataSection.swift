import Foundation

/// `data:` a named dataset, or explicit HDF5, IDX, CSV, `.npy` or `.npz` files (paths relative
/// to the spec file); each split names exactly one format.
///
/// ```yaml
/// data: {dataset: fashion-mnist, validation_split: 0.1}
/// data:
///   train: {hdf5: MNISTdata.hdf5, x: x_train, y: y_train}
///   test:  {csv: test.csv.gz, label: 784, dtype: uint8}
/// ```
public enum DataSection {
  /// Datasets this build knows by name, with their class counts and sample shapes.
  public static let namedDatasets: [String: (classes: Int, shape: [Int])] = [
    "fashion-mnist": (10, [1, 28, 28]),
    "mnist": (10, [1, 28, 28]),
  ]

  public static let params = [
    ParamSpec(
      "dataset", .choice(namedDatasets.keys.sorted()),
      doc: "a dataset found on the search path ($DLSPEC_DATA, ./data, /usr/share/datasets)",
      unknownChoiceCode: .unknownDataset),
    ParamSpec(
      "validation_split", .number(min: 0, max: 1, exclusiveMin: false, exclusiveMax: true),
      default: .number(0), doc: "fraction of the training set held out for validation, in [0, 1)"),
    ParamSpec("classes", .int(min: 2, max: 1 << 20), doc: "number of classes (known for named datasets)"),
  ]
  /// `train` and `test` are file mappings, read by `fileSpecs`.
  public static let fileKeys = ["test", "train"]

  public static let hdf5Specs = [
    ParamSpec("hdf5", .string, required: true, doc: "HDF5 file in the notes' layout"),
    ParamSpec("x", .string, doc: "dataset of inputs (default x_train / x_test)"),
    ParamSpec("y", .string, doc: "dataset of labels (default y_train / y_test)"),
  ]
  public static let npySpecs = [
    ParamSpec("x", .string, required: true, doc: ".npy file of inputs, N×… (any number type; uint8 divided by 255)"),
    ParamSpec("y", .string, required: true, doc: ".npy file of labels (N) or regression targets (N or N×K)"),
  ]
  public static let npzSpecs = [
    ParamSpec("npz", .string, required: true, doc: ".npz archive (numpy.savez or savez_compressed)"),
    ParamSpec("x", .string, doc: "array of inputs (default x_train / x_test)"),
    ParamSpec("y", .string, doc: "array of labels or targets (default y_train / y_test)"),
  ]
  public static let idxSpecs = [
    ParamSpec("images", .string, required: true, doc: "IDX image file (.gz or raw)"),
    ParamSpec("labels", .string, required: true, doc: "IDX label file (.gz or raw)"),
  ]

  /// The keys that name a split's file format; exactly one per split.
  public static let formatKeys = ["hdf5", "idx", "csv", "npy", "npz"]

  static func read(_ node: SyntaxNode, specDirectory: String, into bag: inout DiagnosticBag) -> DataConfig? {
    guard let pairs = node.mappingPairs else {
      bag.error(
        .wrongType, at: node.location, "'data' must be a mapping, found \(node.kindDescription)",
        hint: "write `data: {dataset: fashion-mnist}` or give `train:`/`test:` files")
      return nil
    }
    var plain: [(key: SyntaxNode, value: SyntaxNode)] = []
    var files: [String: SyntaxNode] = [:]
    for pair in pairs {
      if case .string(let k)? = pair.key.scalar, fileKeys.contains(k) {
        files[k] = pair.value
      } else {
        plain.append(pair)
      }
    }
    let mapping = SyntaxNode(.mapping(plain), at: node.location)
    var p = ParamReader.read(mapping, specs: params, context: "'data'", anchor: node.location, into: &bag)
    // The reader only knows the plain keys; file keys are valid too (no unknown-key error).
    let errorsBefore = bag.errors.count
    let train = files["train"].flatMap { readFile($0, split: "train", dir: specDirectory, into: &bag) }
    let test = files["test"].flatMap { readFile($0, split: "test", dir: specDirectory, into: &bag) }
    let dataset = p.string("dataset")
    if dataset != nil && files["train"] != nil {
      bag.error(
        .conflictingKeys, at: files["train"]?.location,
        "'data' names both a dataset and training files",
        hint: "keep either `dataset:` or `train:`/`test:`")
      return nil
    }
    // A `dataset:` key that failed its own check (an unknown name) has no value and no origin
    // in `p`; it is still given, so it must not also be reported as missing.
    let datasetGiven = plain.contains { $0.key.scalar == .string("dataset") }
    if dataset == nil && files["train"] == nil && !datasetGiven
      && bag.errors.count == errorsBefore
    {
      bag.error(
        .missingKey, at: node.location, "'data' names no dataset and no training files",
        hint: "add `dataset: fashion-mnist` (or mnist), or training files: `train: {hdf5: file.hdf5}` "
          + "(or idx, csv, npy, npz)")
      return nil
    }
    if dataset == nil, files["test"] != nil, files["train"] == nil { return nil }
    guard let split = p.number("validation_split") else { return nil }
    var classes = p.int("classes")
    if let dataset, let known = namedDatasets[dataset]?.classes {
      if let c = classes, c != known {
        bag.error(
          .classCountMismatch, at: p.location("classes"),
          "'\(dataset)' has \(known) classes, but 'classes' says \(c)",
          hint: "remove `classes:`; named datasets know their class count")
        return nil
      }
      classes = known
      p.values["classes"] = .int(known)
    }
    if let dataset { return DataConfig(source: .named(dataset), validationSplit: split, classes: classes, params: p.snapshot) }
    guard let train else { return nil }
    return DataConfig(source: .files(train: train, test: test), validationSplit: split, classes: classes, params: p.snapshot)
  }

  static func readFile(_ node: SyntaxNode, split: String, dir: String, into bag: inout DiagnosticBag) -> DataFile? {
    func resolve(_ path: String) -> String {
      path.hasPrefix("/") ? path : URL(fileURLWithPath: dir).appendingPathComponent(path).path
    }
    let context = "'data.\(split)'"
    guard let pairs = node.mappingPairs, pairs.count >= 1 else {
      bag.error(
        .wrongType, at: node.location, "\(context) must be a mapping, found \(node.kindDescription)",
        hint: formatHint(split))
      return nil
    }
    let named = pairs.filter { pair in formatKeys.contains { pair.key.scalar == .string($0) } }
    guard let format = named.first, case .string(let key)? = format.key.scalar else {
      let first = pairs[0].key
      let suggestion: String
      if case .string(let k)? = first.scalar, k.count >= 3, let near = Suggest.closest(to: k, in: formatKeys) {
        suggestion = "did you mean `\(near):`? "
      } else {
        suggestion = ""
      }
      bag.error(
        .noDataFormat, at: first.location, "\(context) names no file format",
        hint: suggestion + formatHint(split))
      return nil
    }
    if named.count > 1, case .string(let second)? = named[1].key.scalar {
      bag.error(
        .conflictingKeys, at: named[1].key.location,
        "\(context) names two file formats, `\(key):` and `\(second):`",
        hint: "give one file format per split")
      return nil
    }
    switch key {
    case "idx", "npy":
      // One nested mapping holds both files.
      if pairs.count > 1 {
        let other = pairs.first { $0.key.scalar != .string(key) }
        bag.error(
          .conflictingKeys, at: other?.key.location ?? node.location,
          "\(context) with `\(key):` takes no other keys",
          hint: key == "idx"
            ? "give images and labels inside `idx: {images: …, labels: …}`"
            : "give both files inside `npy: {x: x.npy, y: y.npy}`")
        return nil
      }
      let specs = key == "idx" ? idxSpecs : npySpecs
      let p = ParamReader.read(
        format.value, specs: specs, context: "'data.\(split).\(key)'", anchor: format.key.location,
        into: &bag)
      if key == "idx" {
        guard let images = p.string("images"), let labels = p.string("labels") else { return nil }
        return DataFile(format: .idx(images: resolve(images), labels: resolve(labels)), location: node.location)
      }
      guard let x = p.string("x"), let y = p.string("y") else { return nil }
      return DataFile(format: .npy(x: resolve(x), y: resolve(y)), location: node.location)
    case "csv":
      return readCSV(node, context: context, resolve: resolve, into: &bag)
    default:
      let p = ParamReader.read(
        node, specs: key == "npz" ? npzSpecs : hdf5Specs, context: context, anchor: node.location,
        into: &bag)
      guard let file = p.string(key) else { return nil }
      let x = p.string("x") ?? "x_\(split)"
      let y = p.string("y") ?? "y_\(split)"
      let format: DataFile.Format =
        key == "npz" ? .npz(path: resolve(file), x: x, y: y) : .hdf5(path: resolve(file), x: x, y: y)
      return DataFile(format: format, location: node.location)
    }
  }

  static func formatHint(_ split: String) -> String {
    "give one of " + formatKeys.map { "`\($0):`" }.joined(separator: ", ")
      + ", e.g. `\(split): {csv: \(split).csv, label: 0}`; docs/spec-language.md lists their keys"
  }
}
