import DLSpec
import Foundation

/// Converts datasets between on-disk formats.
public enum DataConvert {
  /// Layout version written in the `format_version` root attribute.
  public static let formatVersion: Int64 = 1

  /// Writes train and test splits to one HDF5 file in the notes' layout:
  ///
  /// | dataset | type | shape |
  /// |---|---|---|
  /// | `x_train`, `x_test` | float32 in [0, 1] | `N × featureCount` (784 for MNIST) |
  /// | `y_train`, `y_test` | int64 | `N × 1` |
  ///
  /// `N × 1` int64 labels are what the notes' `MNISTdata.hdf5` readers index as `y[:, 0]`,
  /// and int64 holds any class index. Datasets are gzip-chunked with a Fletcher32 checksum. Root attributes:
  /// `format` ("dlspec-data"), `format_version` (1), `class_count`, `sample_shape` (e.g.
  /// [1, 28, 28], since the flat `x` loses it) and `source`.
  ///
  /// The file is written to `output.tmp`, fsynced and renamed into place, so an interrupted
  /// or failed conversion never leaves a half-written file at `output`.
  public static func writeHDF5(
    train: Dataset, test: Dataset, to output: String, source: String = "",
    compression: HDF5Compression = HDF5Compression(level: 4)
  ) throws {
    // Built in memory (HDF5's core driver) and written with checked POSIX calls, so a full
    // or read-only disk is a `WriteFailure` naming `output`, never a failure inside libhdf5.
    let file = try HDF5File.createInMemory(output)
    let image: [UInt8]
    do {
      for (split, names) in [(train, HDF5SplitNames.train), (test, HDF5SplitNames.test)] {
        try file.write(
          split.x, shape: [split.count, split.featureCount], to: names.x,
          compression: compression)
        if let targets = split.targets {
          // Regression: float32 targets, N×K.
          try file.write(
            targets, shape: [split.count, split.targetWidth], to: names.y,
            compression: compression)
        } else {
          try file.write(
            split.y.map { Int64($0) }, shape: [split.count, 1], to: names.y,
            compression: compression)
        }
      }
      try file.setAttribute("format", .string("dlspec-data"))
      try file.setAttribute("format_version", .int64(formatVersion))
      try file.setAttribute("class_count", .int64(Int64(max(train.classCount, test.classCount))))
      try file.setAttribute("sample_shape", .int64Array(train.sampleShape.map { Int64($0) }))
      try file.setAttribute("source", .string(source))
      image = try file.closeReturningImage()
    } catch {
      file.close()
      throw error
    }
    // `output.tmp`, fsync, checked close, rename; the `.tmp` is removed on failure.
    try FileWrite.write(image, to: output)
  }

  /// Reads four IDX files (train/test images and labels, raw or gzip) and writes them with
  /// `writeHDF5`. Returns the train and test sample counts.
  @discardableResult
  public static func idxToHDF5(
    trainImages: String, trainLabels: String, testImages: String, testLabels: String,
    output: String, classCount: Int? = nil
  ) throws -> (train: Int, test: Int) {
    var train = try Dataset.loadIDX(
      images: trainImages, labels: trainLabels, classCount: classCount)
    var test = try Dataset.loadIDX(images: testImages, labels: testLabels, classCount: classCount)
    // Both splits must agree on the class count even when it was inferred from the labels.
    let classes = classCount ?? max(train.classCount, test.classCount)
    train = try train.withClassCount(classes)
    test = try test.withClassCount(classes)
    let source = [trainImages, trainLabels, testImages, testLabels]
      .map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
    try writeHDF5(train: train, test: test, to: output, source: source)
    return (train.count, test.count)
  }

  /// Converts the data a spec's `data:` section names, in any format it reads (HDF5, IDX,
  /// CSV, `.npy`, `.npz`, a named dataset), loaded and checked exactly as `train` loads it.
  @discardableResult
  public static func specToHDF5(_ e: Experiment, output: String) throws -> (train: Int, test: Int) {
    let train = try ExperimentData.load(e, split: .train)
    let test = try ExperimentData.load(e, split: .test)
    try writeHDF5(
      train: train, test: test, to: output,
      source: (e.sourcePath as NSString).lastPathComponent)
    return (train.count, test.count)
  }

  /// Converts a named dataset found in `directory` (see `DatasetRegistry.locate`).
  @discardableResult
  public static func namedToHDF5(
    _ name: String, from directory: String, output: String,
    registry: DatasetRegistry = .builtIn
  ) throws -> (train: Int, test: Int) {
    let train = try registry.load(name, split: .train, from: directory)
    let test = try registry.load(name, split: .test, from: directory)
    try writeHDF5(train: train, test: test, to: output, source: name)
    return (train.count, test.count)
  }
}

extension Dataset {
  /// The same samples with a larger (or equal) class count; labels are re-checked.
  public func withClassCount(_ classCount: Int) throws -> Dataset {
    try Dataset(x: x, y: y, sampleShape: sampleShape, classCount: classCount)
  }
}
