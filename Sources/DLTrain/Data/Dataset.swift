/// An in-memory labelled dataset: N samples of `sampleShape`, each with a class label.
///
/// `x` is contiguous row-major `[N, featureCount]` Float32 (pixels from uint8 sources are
/// scaled to [0, 1] by dividing by 255); `y` holds N labels in `0..<classCount`. The
/// initialiser checks both, so a `Dataset` value is always consistent.
public struct Dataset {
  /// Features, `count × featureCount`, row-major.
  public private(set) var x: [Float]
  /// Labels, one per sample, each in `0..<classCount`.
  public private(set) var y: [Int32]
  /// The shape of one sample, e.g. `[1, 28, 28]` (C, H, W) or `[784]`.
  public private(set) var sampleShape: [Int]
  /// The number of classes.
  public private(set) var classCount: Int
  /// Regression: real-valued targets, `count × targetWidth` row-major (then `y` is empty).
  public internal(set) var targets: [Float]? = nil
  /// Values per target (K of `N×K`, 1 for `N`); 0 for class labels.
  public internal(set) var targetWidth = 0

  /// Number of samples.
  public var count: Int { targetWidth > 0 ? (targets?.count ?? 0) / targetWidth : y.count }
  /// Floats per sample (the product of `sampleShape`).
  public var featureCount: Int { sampleShape.reduce(1, *) }

  /// Builds a dataset, checking that `x` holds `y.count` samples of `sampleShape` and that
  /// every label is in `0..<classCount`. `source` names the data in errors.
  public init(
    x: [Float], y: [Int32], sampleShape: [Int], classCount: Int,
    source: String = "<memory>"
  ) throws {
    guard classCount >= 1 else { throw DatasetError.badClassCount(classCount) }
    let features = sampleShape.reduce(1, *)
    guard sampleShape.allSatisfy({ $0 >= 1 }), x.count == y.count * features else {
      throw DatasetError.badShape(
        file: source, dataset: "x", shape: [x.count],
        expected: "\(y.count) × \(sampleShape) = \(y.count * max(0, features)) values")
    }
    for (index, label) in y.enumerated() where label < 0 || Int(label) >= classCount {
      throw DatasetError.labelOutOfRange(
        file: source, dataset: "y", index: index, label: Int64(label), classCount: classCount)
    }
    self.x = x
    self.y = y
    self.sampleShape = sampleShape
    self.classCount = classCount
  }

  /// Unchecked memberwise init for loaders that have already validated.
  init(checkedX x: [Float], y: [Int32], sampleShape: [Int], classCount: Int) {
    self.x = x
    self.y = y
    self.sampleShape = sampleShape
    self.classCount = classCount
  }

  /// The smallest and largest feature value (0, 0 when empty); handy to check pixel ranges.
  public func featureRange() -> (min: Float, max: Float) {
    guard var low = x.first else { return (0, 0) }
    var high = low
    for value in x {
      low = Swift.min(low, value)
      high = Swift.max(high, value)
    }
    return (low, high)
  }

  /// How many samples carry each label.
  public func classHistogram() -> [Int] {
    var counts = [Int](repeating: 0, count: classCount)
    for label in y {
      counts[Int(label)] += 1
    }
    return counts
  }

  /// Copies samples `indices` into caller-provided buffers without allocating: `x` receives
  /// `indices.count × featureCount` floats, `y` receives `indices.count` labels. Returns the
  /// number of samples written. Indices must be in `0..<count` (an internal invariant of the
  /// batch iterator, hence a precondition rather than a thrown error).
  @discardableResult
  public func gather<C: Collection>(
    _ indices: C, x destination: UnsafeMutablePointer<Float>,
    y labels: UnsafeMutablePointer<Int32>
  ) -> Int where C.Element == Int {
    let features = featureCount
    var row = 0
    x.withUnsafeBufferPointer { source in
      for index in indices {
        precondition(index >= 0 && index < count, "sample index \(index) out of 0..<\(count)")
        guard let base = source.baseAddress else { break }
        (destination + row * features).update(from: base + index * features, count: features)
        // A regression set has no labels (its targets go through `gather(_:into:)`).
        labels[row] = y.isEmpty ? 0 : y[index]
        row += 1
      }
    }
    return row
  }

  /// Divides uint8 pixels by 255 into Float32 (division, not multiplication by 1/255, so the
  /// result is the correctly rounded quotient numpy's `x / 255` would give).
  static func scaledPixels(_ bytes: [UInt8]) -> [Float] {
    [Float](unsafeUninitializedCapacity: bytes.count) { output, initialized in
      bytes.withUnsafeBufferPointer { input in
        for i in 0..<input.count {
          output[i] = Float(input[i]) / 255
        }
      }
      initialized = bytes.count
    }
  }

  /// The sample shape implied by a stored array shape `[N, ...]`: `[N, F]` gives `[F]`,
  /// `[N, H, W]` gives `[1, H, W]`, `[N, C, H, W]` gives `[C, H, W]`.
  static func sampleShape(stored shape: [Int], file: String, dataset: String) throws -> [Int] {
    switch shape.count {
    case 2: return [shape[1]]
    case 3: return [1, shape[1], shape[2]]
    case 4: return Array(shape[1...])
    default:
      throw DatasetError.badShape(
        file: file, dataset: dataset, shape: shape,
        expected: "N×F, N×H×W or N×C×H×W")
    }
  }

  /// Checks labels against `classCount` (or infers it as max + 1) and narrows them to Int32.
  static func checkedLabels(
    _ values: [Int64], classCount: Int?, file: String, dataset: String
  ) throws -> (labels: [Int32], classCount: Int) {
    // A label beyond Int32 is no class index (and `max + 1` would overflow for Int64.max).
    if let (index, value) = values.enumerated().first(where: { $0.element > Int64(Int32.max) }) {
      throw DatasetError.labelTooLarge(
        file: file, dataset: dataset, index: index, label: UInt64(value))
    }
    let classes = classCount ?? Int(values.max().map { Swift.max($0 + 1, 1) } ?? 1)
    guard classes >= 1 else { throw DatasetError.badClassCount(classes) }
    var labels = [Int32](repeating: 0, count: values.count)
    for (index, value) in values.enumerated() {
      guard value >= 0, value < Int64(classes) else {
        throw DatasetError.labelOutOfRange(
          file: file, dataset: dataset, index: index, label: value, classCount: classes)
      }
      labels[index] = Int32(value)
    }
    return (labels, classes)
  }

  /// Integral Doubles to Int64, naming the first non-integral one.
  static func integralLabels(_ values: [Double], file: String, dataset: String) throws -> [Int64]
  {
    try values.enumerated().map { index, value in
      guard value.rounded() == value, abs(value) < 1e15 else {
        throw DatasetError.nonIntegerLabel(
          file: file, dataset: dataset, index: index, value: value)
      }
      return Int64(value)
    }
  }
}
