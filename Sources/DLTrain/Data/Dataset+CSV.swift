import DLSpec

extension Dataset {
  /// Loads a CSV data file (`data: {train: {csv: …}}`): class labels (`regression: false`,
  /// checked against `classCount`, or `max + 1` classes when nil) or real-valued targets of
  /// width 1. Samples are flat (`[featureCount]`); `ExperimentData` views them in the model's
  /// input shape.
  public static func loadCSV(_ source: CSVSource, classCount: Int? = nil, regression: Bool = false)
    throws -> Dataset
  {
    let table = try CSVTable.read(source, labels: regression ? .targets : .classes(classCount))
    if regression {
      var d = Dataset(
        checkedX: table.features, y: [], sampleShape: [table.featureCount], classCount: 1)
      d.targets = table.labels.map { Float($0) }
      d.targetWidth = 1
      // A target beyond float32 is located like any other bad cell.
      if let i = d.targets?.firstIndex(where: { !$0.isFinite }) {
        throw DataFileError(
          .badCSV, file: source.path, line: table.lines[i], column: nil,
          "the target \(table.labels[i]) is beyond float32's range",
          hint: "targets are float32 (at most about 3.4e38 in magnitude)")
      }
      return d
    }
    // Every label is a whole number in 0...Int32.max (checked while reading).
    let labels = table.labels.map { Int32($0) }
    let classes = classCount ?? Int((labels.max() ?? 0) + 1)
    return Dataset(
      checkedX: table.features, y: labels, sampleShape: [table.featureCount],
      classCount: classes)
  }

  /// A warning for float32 CSV features that are all whole numbers 0…255, some above 1: pixels
  /// read without `dtype: uint8` train on a scale 255 times the one the other loaders give.
  public func unscaledPixelWarning(source: String, split: String) -> String? {
    guard !x.isEmpty else { return nil }
    var high: Float = 0
    for v in x {
      guard v >= 0, v <= 255, v.rounded() == v else { return nil }
      high = Swift.max(high, v)
    }
    guard high > 1 else { return nil }
    return "\(source): every feature of the \(split) data is a whole number in 0…255 (the largest "
      + "is \(Int(high))), read as float32 without scaling; if these are pixels, add "
      + "`dtype: uint8` to divide them by 255 as the HDF5 and IDX loaders do"
  }
}
