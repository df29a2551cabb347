import DLSpec
import Foundation

/// Samples for `dlspec predict`, read in order, one batch at a time, so an input file larger
/// than memory streams through a fixed-size buffer.
public protocol PredictionInput: AnyObject {
  /// How errors name the input, e.g. `input 'x.h5' x_test`.
  var name: String { get }
  /// Number of samples.
  var count: Int { get }
  /// The shape of one sample as stored (`[784]`, `[1, 28, 28]`, `[28, 28, 3]`, …).
  var sampleShape: [Int] { get }
  /// True when every sample has a true label (the spec's own data).
  var hasLabels: Bool { get }
  /// The index a sample has in its source: row `i` of a file, or the position in the
  /// training set for the train/validation splits.
  func sourceIndex(_ position: Int) -> Int
  /// Reads the next `n` samples: `n × features` floats into `x` and, with `hasLabels`, `n`
  /// labels into `labels`.
  func readNext(_ n: Int, x: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Int32>)
    throws
}

/// Why an input cannot be used for prediction. Each message names the input.
public enum PredictionInputError: Error, CustomStringConvertible, Equatable {
  case missing(String)
  case unknownFormat(String)
  case noDataset(file: String, tried: [String], available: [String])
  case badShape(String)
  case notStreamable(String)

  public var description: String {
    switch self {
    case .missing(let path): return "input '\(path)': no such file"
    case .unknownFormat(let path):
      return "input '\(path)' is neither an HDF5 file, an IDX file (raw or .gz) nor a .npy file"
    case .noDataset(let file, let tried, let available):
      let have = available.isEmpty ? "no datasets" : "datasets " + available.joined(separator: ", ")
      return "input '\(file)' has no dataset " + tried.map { "'\($0)'" }.joined(separator: " or ")
        + " (it has \(have)); name one with --input-dataset"
    case .badShape(let s), .notStreamable(let s): return s
    }
  }
}

extension PredictionInput {
  /// Refuses an input whose samples do not fit `model`'s input, naming both shapes.
  ///
  /// A sample fits when it has as many values as the model input and either shape is flat or
  /// both agree once extents of 1 are dropped: `N×784` feeds `[784]` and `[1, 28, 28]`, and
  /// `N×28×28` feeds both too; `[28, 28, 3]` never feeds `[3, 28, 28]`, since reading one as
  /// the other would scramble the channels without a word.
  public func checkFits(_ model: Shape) throws {
    let sample = sampleShape
    let sameCount = sample.reduce(1, *) == model.elementCount
    let squeezed = sample.filter { $0 != 1 } == model.dims.filter { $0 != 1 }
    guard sameCount, sample.count == 1 || model.rank == 1 || squeezed else {
      throw PredictionInputError.badShape(
        "\(name) has samples of shape \(Shape(sample)); the model takes \(model)")
    }
  }
}

/// Opens `--input FILE`, telling HDF5, IDX and `.npy` apart by the file's first bytes (not its
/// name).
public enum PredictionInputs {
  /// `dataset` picks the HDF5 dataset; by default `x_test`, else `x`.
  public static func open(_ path: String, dataset: String? = nil) throws -> PredictionInput {
    guard FileManager.default.fileExists(atPath: path) else {
      throw PredictionInputError.missing(path)
    }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw PredictionInputError.missing(path)
    }
    let magic = [UInt8]((try? handle.read(upToCount: 8)) ?? Data())
    try? handle.close()
    if magic == [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a] {
      return try HDF5PredictionInput(path, dataset: dataset)
    }
    if magic.starts(with: NPYArray.magic) {
      if dataset != nil {
        throw PredictionInputError.notStreamable(
          "--input-dataset names a dataset in an HDF5 file, but '\(path)' is a .npy file")
      }
      return try NPYPredictionInput(path)
    }
    let isGzip = magic.count >= 2 && magic[0] == 0x1f && magic[1] == 0x8b
    let isIDX = magic.count >= 4 && magic[0] == 0 && magic[1] == 0
    guard isGzip || isIDX else { throw PredictionInputError.unknownFormat(path) }
    if dataset != nil {
      throw PredictionInputError.notStreamable(
        "--input-dataset names a dataset in an HDF5 file, but '\(path)' is an IDX file")
    }
    return try IDXPredictionInput(path)
  }
}

/// Samples of an in-memory `Dataset` (the spec's data, loaded as `evaluate` loads it).
public final class DatasetPredictionInput: PredictionInput {
  public let name: String
  let dataset: Dataset
  let indices: [Int]
  var position = 0

  public init(_ dataset: Dataset, indices: [Int], name: String) {
    self.dataset = dataset
    self.indices = indices
    self.name = name
  }

  public var count: Int { indices.count }
  public var sampleShape: [Int] { dataset.sampleShape }
  /// Class labels only: regression targets are not written beside the output vector.
  public var hasLabels: Bool { dataset.targetWidth == 0 }
  public func sourceIndex(_ position: Int) -> Int { indices[position] }

  public func readNext(
    _ n: Int, x: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Int32>
  ) throws {
    if dataset.targetWidth > 0 {
      let f = dataset.featureCount
      for (row, index) in indices[position..<position + n].enumerated() {
        dataset.x.withUnsafeBufferPointer { source in
          if let base = source.baseAddress { (x + row * f).update(from: base + index * f, count: f) }
        }
      }
      position += n
      return
    }
    dataset.gather(indices[position..<position + n], x: x, y: labels)
    position += n
  }
}

extension DatasetPredictionInput {
  /// The spec's own data, split exactly as `evaluate` splits it: `test` is the test set;
  /// `train` and `validation` are the two parts of the training set under the spec's
  /// `validation_split` and seed. The set is loaded into memory as training loads it.
  public static func spec(_ e: Experiment, split: String) throws -> DatasetPredictionInput {
    let data = try ExperimentData.load(e, split: split == "test" ? .test : .train)
    var indices = Array(0..<data.count)
    if split != "test" {
      let s = try ValidationSplit(
        count: data.count, fraction: e.data?.validationSplit ?? 0, seed: UInt64(e.train.value.seed))
      indices = split == "train" ? s.train : s.validation
    }
    return DatasetPredictionInput(data, indices: indices, name: "the \(split) split")
  }
}
