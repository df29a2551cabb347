/// A dataset that loads but does not make sense: counts, labels or shapes are wrong. Every case
/// names the file and the dataset inside it (for IDX files, `images` or `labels`).
public enum DatasetError: Error, Equatable, CustomStringConvertible {
  /// Image and label counts differ.
  case countMismatch(xFile: String, xDataset: String, xCount: Int,
                     yFile: String, yDataset: String, yCount: Int)
  /// A label is outside `0..<classCount`.
  case labelOutOfRange(file: String, dataset: String, index: Int, label: Int64, classCount: Int)
  /// A uint64 label too large for any class index (read in its own type, never wrapped).
  case labelTooLarge(file: String, dataset: String, index: Int, label: UInt64)
  /// A label stored as a float is not a whole number.
  case nonIntegerLabel(file: String, dataset: String, index: Int, value: Double)
  /// A dataset has a shape the loader cannot interpret.
  case badShape(file: String, dataset: String, shape: [Int], expected: String)
  /// A dataset has an element type the loader cannot interpret.
  case unsupportedType(file: String, dataset: String, type: String)
  /// The class count given is not positive.
  case badClassCount(Int)

  public var description: String {
    switch self {
    case .countMismatch(let xf, let xd, let xc, let yf, let yd, let yc):
      return "\(xf): '\(xd)' has \(xc) samples but \(yf): '\(yd)' has \(yc) labels"
    case .labelOutOfRange(let file, let dataset, let index, let label, let classCount):
      return "\(file): '\(dataset)'[\(index)] = \(label) is not a class in 0..<\(classCount)"
    case .labelTooLarge(let file, let dataset, let index, let label):
      return "\(file): '\(dataset)'[\(index)] = \(label) is far too large to be a class label"
    case .nonIntegerLabel(let file, let dataset, let index, let value):
      return "\(file): '\(dataset)'[\(index)] = \(value) is not a whole-number label"
    case .badShape(let file, let dataset, let shape, let expected):
      return "\(file): '\(dataset)' has shape \(shape); expected \(expected)"
    case .unsupportedType(let file, let dataset, let type):
      return "\(file): '\(dataset)' has element type \(type); expected a number type"
    case .badClassCount(let count):
      return "class count \(count) must be at least 1"
    }
  }
}
