/// The samples of a `.npy` file (`predict --input x.npy`), memory-mapped and converted batch
/// by batch from the mapping, so the file is never copied whole. uint8 pixels are divided by
/// 255, other number types converted unscaled, as `Dataset.loadNPY` does.
public final class NPYPredictionInput: PredictionInput {
  public let name: String
  public var count: Int { array.shape[0] }
  public let sampleShape: [Int]
  public var hasLabels: Bool { false }
  let file: MappedFile
  let array: NPYArray
  var position = 0

  public init(_ path: String) throws {
    file = try MappedFile(path)
    array = try NPYArray.parse(file.bytes, name: path)
    name = "input '\(path)'"
    guard array.shape.count >= 2 else {
      throw PredictionInputError.badShape(
        "\(name) has shape \(array.shape); expected N samples of one or more dimensions")
    }
    sampleShape = Array(array.shape[1...])
  }

  public func sourceIndex(_ position: Int) -> Int { position }

  public func readNext(
    _ n: Int, x: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Int32>
  ) throws {
    let f = sampleShape.reduce(1, *)
    let start = position * f
    if array.elementType == .uint8 {
      for i in 0..<(n * f) { x[i] = Float(array.data[start + i]) / 255 }
    } else {
      for i in 0..<(n * f) { x[i] = Float(array.value(start + i)) }
    }
    position += n
  }
}
