/// The dataset names of one split in an HDF5 file.
public struct HDF5SplitNames: Equatable {
  /// Name of the features dataset, e.g. `x_train`.
  public var x: String
  /// Name of the labels dataset, e.g. `y_train`.
  public var y: String

  public init(x: String, y: String) {
    self.x = x
    self.y = y
  }

  /// The notes' layout: `x_train`/`y_train`.
  public static let train = HDF5SplitNames(x: "x_train", y: "y_train")
  /// The notes' layout: `x_test`/`y_test`.
  public static let test = HDF5SplitNames(x: "x_test", y: "y_test")
}

extension Dataset {
  /// Loads one split of an HDF5 file in the notes' layout.
  ///
  /// * `x`: float32/float64 (taken as is, normally already in [0, 1]) or uint8 (divided by
  ///   255); other integer types are converted without scaling. Shape `N×F`, `N×H×W` or
  ///   `N×C×H×W`.
  /// * `y`: any integer type, or floats holding whole numbers; shape `N` or `N×1`.
  /// * `sampleShape`: if given, must have as many elements as one stored sample (so a
  ///   `N×784` file can feed a `[1, 28, 28]` model); otherwise inferred from the stored shape.
  /// * `classCount`: if nil, max label + 1.
  ///
  /// ```swift
  /// let train = try Dataset.loadHDF5("MNISTdata.hdf5", names: .train, classCount: 10)
  /// ```
  public static func loadHDF5(
    _ path: String, names: HDF5SplitNames = .train, classCount: Int? = nil,
    sampleShape: [Int]? = nil
  ) throws -> Dataset {
    let file = try HDF5File.open(path)
    defer { file.close() }

    let (x, shape, sampleCount) = try readFeatures(
      file, path: path, name: names.x, sampleShape: sampleShape)

    let yInfo = try file.datasetInfo(names.y)
    guard yInfo.shape.count == 1 || (yInfo.shape.count == 2 && yInfo.shape[1] == 1) else {
      throw DatasetError.badShape(
        file: path, dataset: names.y, shape: yInfo.shape, expected: "N or N×1")
    }
    let raw: [Int64]
    if yInfo.elementType == .uint64 {
      // Read in their own type: converting 2^64 − 1 to int64 would clamp or wrap it into a
      // plausible-looking class.
      let unsigned = try file.read(names.y, as: UInt64.self).values
      raw = try unsigned.enumerated().map { index, value in
        guard value <= UInt64(Int32.max) else {
          throw DatasetError.labelTooLarge(file: path, dataset: names.y, index: index, label: value)
        }
        return Int64(value)
      }
    } else if yInfo.elementType.isInteger {
      raw = try file.read(names.y, as: Int64.self).values
    } else if yInfo.elementType.isNumeric {
      let doubles = try file.read(names.y, as: Double.self).values
      raw = try integralLabels(doubles, file: path, dataset: names.y)
    } else {
      throw DatasetError.unsupportedType(
        file: path, dataset: names.y, type: yInfo.elementType.description)
    }
    guard raw.count == sampleCount else {
      throw DatasetError.countMismatch(
        xFile: path, xDataset: names.x, xCount: sampleCount,
        yFile: path, yDataset: names.y, yCount: raw.count)
    }
    let (labels, classes) = try checkedLabels(
      raw, classCount: classCount, file: path, dataset: names.y)
    return Dataset(checkedX: x, y: labels, sampleShape: shape, classCount: classes)
  }

  /// The features of one split: any number type, uint8 pixels scaled to [0, 1]; the sample
  /// shape as stored, or `sampleShape` when it has as many elements (N×784 for [1, 28, 28]);
  /// and the number of samples N.
  /// Classification and regression read their inputs through this one path.
  static func readFeatures(
    _ file: HDF5File, path: String, name: String, sampleShape: [Int]?
  ) throws -> (x: [Float], shape: [Int], count: Int) {
    let xInfo = try file.datasetInfo(name)
    guard xInfo.elementType.isNumeric else {
      throw DatasetError.unsupportedType(
        file: path, dataset: name, type: xInfo.elementType.description)
    }
    var shape = try Self.sampleShape(stored: xInfo.shape, file: path, dataset: name)
    if let sampleShape {
      guard sampleShape.allSatisfy({ $0 >= 1 }),
        sampleShape.reduce(1, *) == shape.reduce(1, *)
      else {
        throw DatasetError.badShape(
          file: path, dataset: name, shape: xInfo.shape,
          expected: "N × \(sampleShape) (\(sampleShape.reduce(1, *)) values per sample)")
      }
      shape = sampleShape
    }
    if xInfo.elementType == .uint8 {
      return (scaledPixels(try file.read(name, as: UInt8.self).values), shape, xInfo.shape[0])
    }
    return (try file.read(name, as: Float.self).values, shape, xInfo.shape[0])
  }
}
