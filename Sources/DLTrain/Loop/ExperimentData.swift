import Foundation
import DLSpec

/// Loads the training and test sets a spec's `data:` section names.
public enum ExperimentData {
  public enum Failure: Error, CustomStringConvertible {
    case noDataSection(String)
    case noTestSet(String)
    case sampleShape(String)

    public var description: String {
      switch self {
      case .noDataSection(let s), .noTestSet(let s), .sampleShape(let s): return s
      }
    }
  }

  /// The split asked for ("train" or "test") as a `Dataset`, checked against the model's input.
  public static func load(
    _ e: Experiment, split: DatasetSplit,
    environment: [String: String] = ProcessInfo.processInfo.environment,
    currentDirectory: String = FileManager.default.currentDirectoryPath,
    warn: (String) -> Void = { FileHandle.standardError.write(Data("warning: \($0)\n".utf8)) }
  ) throws -> Dataset {
    guard let data = e.data else {
      throw Failure.noDataSection(
        "\(e.sourcePath): the spec has no `data:` section; add `data: {dataset: fashion-mnist}` "
          + "or `train:`/`test:` files")
    }
    let dataset: Dataset
    let source: String
    switch data.source {
    case .named(let name):
      source = name
      let registry = DatasetRegistry.builtIn
      let directory = try registry.locate(name, environment: environment, currentDirectory: currentDirectory)
      dataset = try registry.load(name, split: split, from: directory)
    case .files(let train, let test):
      guard let file = split == .train ? train : test else {
        throw Failure.noTestSet(
          "\(e.sourcePath): `data:` has no `test:` files; add `test: {hdf5: …}` or evaluate with --split train")
      }
      let regression = e.task.value == .regression
      switch file.format {
      case .hdf5(let path, let x, let y) where regression:
        source = "\(path) (\(x))"
        dataset = try Dataset.loadHDF5Targets(path, names: HDF5SplitNames(x: x, y: y))
      case .idx where e.task.value == .regression:
        throw Failure.sampleShape(
          "\(e.sourcePath): IDX files hold class labels, but the task is regression\n"
            + "  = hint: give the targets as an HDF5 dataset, a CSV column, or a .npy/.npz array")
      case .hdf5(let path, let x, let y):
        source = "\(path) (\(x))"
        dataset = try Dataset.loadHDF5(path, names: HDF5SplitNames(x: x, y: y), classCount: data.classes)
      case .idx(let images, let labels):
        source = images
        dataset = try Dataset.loadIDX(images: images, labels: labels, classCount: data.classes)
      case .csv(let csv):
        source = csv.path
        // Without `data.classes`, labels are checked against the model's outputs as they are
        // read, so one out of range is reported at its line and column.
        let flat = try Dataset.loadCSV(
          csv, classCount: data.classes ?? e.model.output.elementCount, regression: regression)
        if csv.dtype == .float32,
          let w = flat.unscaledPixelWarning(source: csv.path, split: split.rawValue)
        {
          warn(w)
        }
        // Rows are flat; seen in the model's input shape when the sizes agree.
        dataset =
          flat.featureCount == e.model.input.elementCount
          ? try flat.reshaped(to: e.model.input.dims, source: csv.path) : flat
      case .npy(let x, let y):
        source = x
        dataset = try Dataset.loadNPY(
          x: x, y: y, classCount: data.classes ?? e.model.output.elementCount,
          regression: regression)
      case .npz(let path, let x, let y):
        source = "\(path) (\(x))"
        dataset = try Dataset.loadNPZ(
          path, x: x, y: y, classCount: data.classes ?? e.model.output.elementCount,
          regression: regression)
      }
    }
    try dataset.checkFinite(source: source, split: split.rawValue)
    for w in dataset.valueWarnings(source: source, split: split.rawValue) { warn(w) }
    guard dataset.featureCount == e.model.input.elementCount else {
      throw Failure.sampleShape(
        "the data's samples are \(Shape(dataset.sampleShape)) (\(dataset.featureCount) values), "
          + "but the model input is \(e.model.input) (\(e.model.input.elementCount) values)")
    }
    if dataset.targetWidth > 0 {
      guard dataset.targetWidth == e.model.output.elementCount else {
        throw Failure.sampleShape(
          "the data's targets have \(dataset.targetWidth) value\(dataset.targetWidth == 1 ? "" : "s") "
            + "per sample, but the model outputs \(e.model.output.elementCount)")
      }
      return dataset
    }
    guard dataset.classCount <= e.model.output.elementCount else {
      throw Failure.sampleShape(
        "the data has \(dataset.classCount) classes, but the model outputs \(e.model.output.elementCount) values")
    }
    return dataset
  }
}
