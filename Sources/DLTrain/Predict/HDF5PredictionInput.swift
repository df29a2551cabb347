/// The samples of one dataset of an HDF5 file, read as hyperslabs of `n` rows per batch.
///
/// Stored `N×F` gives samples `[F]`, `N×H×W` gives `[1, H, W]` and `N×C×H×W` gives
/// `[C, H, W]`, as `Dataset.loadHDF5` reads them; uint8 is divided by 255, other numeric types
/// are converted unscaled, again as training reads them.
public final class HDF5PredictionInput: PredictionInput {
  public let name: String
  public let count: Int
  public let sampleShape: [Int]
  public var hasLabels: Bool { false }
  let file: HDF5File
  let dataset: String
  let isUInt8: Bool
  var position = 0

  /// Default dataset names, tried in order when `--input-dataset` is not given.
  public static let defaultDatasets = ["x_test", "x"]

  public init(_ path: String, dataset: String? = nil) throws {
    let file = try HDF5File.open(path)
    let tried = dataset.map { [$0] } ?? Self.defaultDatasets
    guard let chosen = tried.first(where: { file.exists($0) }) else {
      throw PredictionInputError.noDataset(
        file: path, tried: tried, available: file.members(of: "/"))
    }
    let info = try file.datasetInfo(chosen)
    let name = "input '\(path)' \(chosen)"
    guard info.elementType.isNumeric else {
      throw PredictionInputError.badShape(
        "\(name) holds \(info.elementType.description) values; predict reads numbers")
    }
    guard (2...4).contains(info.shape.count) else {
      throw PredictionInputError.badShape(
        "\(name) has shape \(info.shape); predict reads N×F, N×H×W or N×C×H×W")
    }
    self.file = file
    self.dataset = chosen
    self.name = name
    self.count = info.shape[0]
    self.sampleShape = try Dataset.sampleShape(stored: info.shape, file: path, dataset: chosen)
    self.isUInt8 = info.elementType == .uint8
  }

  public func sourceIndex(_ position: Int) -> Int { position }

  public func readNext(
    _ n: Int, x: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Int32>
  ) throws {
    if isUInt8 {
      let bytes = try file.readRows(dataset, start: position, count: n, as: UInt8.self)
      for i in 0..<bytes.count { x[i] = Float(bytes[i]) / 255 }
    } else {
      let values = try file.readRows(dataset, start: position, count: n, as: Float.self)
      // Streamed, so checked batch by batch: a NaN is an error naming its row, not a NaN
      // prediction.
      if let i = values.firstIndex(where: { !$0.isFinite }) {
        let features = max(1, sampleShape.reduce(1, *))
        throw Dataset.NonFiniteValue(
          source: "\(file.path) (\(dataset))", split: "input", sample: position + i / features,
          feature: i % features, value: values[i])
      }
      values.withUnsafeBufferPointer { source in
        if let base = source.baseAddress { x.update(from: base, count: source.count) }
      }
    }
    position += n
  }
}
