import DLRuntime
import DLSpec

/// Regression data: features as for classification, and real-valued targets of shape `N` or
/// `N×K` in place of class labels (`task: regression`).
extension Dataset {
  /// Builds a regression dataset, checking that `x` holds as many samples of `sampleShape` as
  /// `targets` holds rows of `width`, and that every target is finite.
  public init(
    x: [Float], targets: [Float], width: Int, sampleShape: [Int], source: String = "<memory>"
  ) throws {
    guard width >= 1, targets.count % width == 0 else {
      throw DatasetError.badShape(
        file: source, dataset: "y", shape: [targets.count], expected: "N × \(width) values")
    }
    let n = targets.count / width
    let features = sampleShape.reduce(1, *)
    guard sampleShape.allSatisfy({ $0 >= 1 }), x.count == n * features else {
      throw DatasetError.badShape(
        file: source, dataset: "x", shape: [x.count],
        expected: "\(n) × \(sampleShape) = \(n * max(0, features)) values")
    }
    try Self.checkFinite(targets, file: source, dataset: "y", width: width)
    self.init(checkedX: x, y: [], sampleShape: sampleShape, classCount: 1)
    self.targets = targets
    self.targetWidth = width
  }

  /// Loads one split of an HDF5 file with real-valued targets: `x` as `loadHDF5` reads it
  /// (`readFeatures`, so uint8 pixels are scaled alike), `y` of any number type and shape `N`
  /// or `N×K` (read as Float32).
  public static func loadHDF5Targets(
    _ path: String, names: HDF5SplitNames = .train, sampleShape: [Int]? = nil
  ) throws -> Dataset {
    let file = try HDF5File.open(path)
    defer { file.close() }
    let (x, shape, sampleCount) = try readFeatures(
      file, path: path, name: names.x, sampleShape: sampleShape)
    let yInfo = try file.datasetInfo(names.y)
    guard yInfo.elementType.isNumeric else {
      throw DatasetError.unsupportedType(
        file: path, dataset: names.y, type: yInfo.elementType.description)
    }
    guard yInfo.shape.count == 1 || yInfo.shape.count == 2 else {
      throw DatasetError.badShape(
        file: path, dataset: names.y, shape: yInfo.shape, expected: "N or N×K targets")
    }
    let width = yInfo.shape.count == 2 ? yInfo.shape[1] : 1
    guard yInfo.shape[0] == sampleCount else {
      throw DatasetError.countMismatch(
        xFile: path, xDataset: names.x, xCount: sampleCount,
        yFile: path, yDataset: names.y, yCount: yInfo.shape[0])
    }
    let targets = try file.read(names.y, as: Float.self).values
    try checkFinite(targets, file: path, dataset: names.y, width: max(1, width))
    var d = Dataset(checkedX: x, y: [], sampleShape: shape, classCount: 1)
    d.targets = targets
    d.targetWidth = max(1, width)
    return d
  }

  static func checkFinite(_ values: [Float], file: String, dataset: String, width: Int) throws {
    if let i = values.firstIndex(where: { !$0.isFinite }) {
      throw DatasetError.badShape(
        file: file, dataset: dataset, shape: [i / width, i % width],
        expected: "finite targets (found \(values[i]) at that row, column)")
    }
  }

  /// Copies samples `indices` into a plan's input and its labels (classification) or targets
  /// (regression), allocating nothing. Returns the number of samples written.
  @discardableResult
  public func gather<C: Collection>(_ indices: C, into plan: Plan<Float>) -> Int
  where C.Element == Int {
    guard let targets, targetWidth > 0 else {
      return gather(indices, x: plan.input, y: plan.labels)
    }
    let features = featureCount
    let width = targetWidth
    precondition(
      width == plan.classCount, "targets of width \(width) for \(plan.classCount) outputs")
    var row = 0
    x.withUnsafeBufferPointer { source in
      targets.withUnsafeBufferPointer { t in
        for index in indices {
          precondition(index >= 0 && index < count, "sample index \(index) out of 0..<\(count)")
          guard let base = source.baseAddress, let tBase = t.baseAddress else { break }
          (plan.input + row * features).update(from: base + index * features, count: features)
          (plan.targets + row * width).update(from: tBase + index * width, count: width)
          row += 1
        }
      }
    }
    return row
  }
}
