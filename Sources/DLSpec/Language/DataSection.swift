import Foundation

/// `data:` a named dataset, or explicit HDF5/IDX files (paths relative to the spec file).
///
/// ```yaml
/// data: {dataset: fashion-mnist, validation_split: 0.1}
/// data:
///   train: {hdf5: MNISTdata.hdf5, x: x_train, y: y_train}
///   test:  {hdf5: MNISTdata.hdf5, x: x_test, y: y_test}
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
  public static let idxSpecs = [
    ParamSpec("images", .string, required: true, doc: "IDX image file (.gz or raw)"),
    ParamSpec("labels", .string, required: true, doc: "IDX label file (.gz or raw)"),
  ]

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
        hint: "add `dataset: fashion-mnist` (or mnist), or `train: {hdf5: file.hdf5}`")
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
    guard let pairs = node.mappingPairs, pairs.count >= 1 else {
      bag.error(
        .wrongType, at: node.location, "'data.\(split)' must be a mapping, found \(node.kindDescription)",
        hint: "write `\(split): {hdf5: file.hdf5}` or `\(split): {idx: {images: …, labels: …}}`")
      return nil
    }
    if let idx = pairs.first(where: { $0.key.scalar == .string("idx") }) {
      if pairs.count > 1 {
        let other = pairs.first { $0.key.scalar != .string("idx") }
        bag.error(
          .conflictingKeys, at: other?.key.location ?? node.location,
          "'data.\(split)' with `idx:` takes no other keys",
          hint: "give images and labels inside `idx: {images: …, labels: …}`")
        return nil
      }
      let p = ParamReader.read(idx.value, specs: idxSpecs, context: "'data.\(split).idx'", anchor: idx.key.location, into: &bag)
      guard let images = p.string("images"), let labels = p.string("labels") else { return nil }
      return DataFile(format: .idx(images: resolve(images), labels: resolve(labels)), location: node.location)
    }
    let p = ParamReader.read(node, specs: hdf5Specs, context: "'data.\(split)'", anchor: node.location, into: &bag)
    guard let file = p.string("hdf5") else { return nil }
    return DataFile(
      format: .hdf5(path: resolve(file), x: p.string("x") ?? "x_\(split)", y: p.string("y") ?? "y_\(split)"),
      location: node.location)
  }
}
