import Foundation
import _CZlib

/// The images of an IDX file (raw or gzip), read record by record: each batch decompresses
/// only its own `n × sample` bytes, so the file is never held whole.
///
/// uint8 pixels are divided by 255, other types converted unscaled, as `Dataset.loadIDX` does.
public final class IDXPredictionInput: PredictionInput {
  public let name: String
  public let count: Int
  public let sampleShape: [Int]
  public var hasLabels: Bool { false }
  let path: String
  let elementType: IDXElementType
  let stream: gzFile
  var position = 0

  public init(_ path: String) throws {
    // gzread reads uncompressed files transparently, so one path serves both.
    _ = try IDXFile.checkRegular(path)
    guard let stream = gzopen(path, "rb") else {
      throw IDXError.readFailed(path: path, reason: "cannot open")
    }
    self.stream = stream
    self.path = path
    self.name = "input '\(path)'"
    var magic = [UInt8](repeating: 0, count: 4)
    guard Self.read(stream, &magic, path: path) == 4 else {
      gzclose(stream)
      throw IDXError.tooShort(path: path, byteCount: 0)
    }
    guard magic[0] == 0, magic[1] == 0, magic[3] >= 1,
      let type = IDXElementType(rawValue: magic[2])
    else {
      gzclose(stream)
      throw IDXError.badMagic(path: path, bytes: magic)
    }
    var dims = [UInt8](repeating: 0, count: 4 * Int(magic[3]))
    guard Self.read(stream, &dims, path: path) == dims.count else {
      gzclose(stream)
      throw IDXError.tooShort(path: path, byteCount: 4)
    }
    let shape = (0..<Int(magic[3])).map { d in
      dims[4 * d..<4 * d + 4].reduce(0) { $0 << 8 | Int($1) }
    }
    elementType = type
    count = shape[0]
    // A raw file's size says up front whether the records are all there; a gzip stream's
    // length is known only at its end, so there truncation is found by the read that hits it.
    let payload = shape.reduce(type.byteWidth, *)
    if gzdirect(stream) == 1,
      let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int,
      size != 4 + dims.count + payload
    {
      gzclose(stream)
      throw IDXError.payloadLength(
        path: path, shape: shape, expected: payload, actual: size - 4 - dims.count)
    }
    do {
      sampleShape = try Dataset.sampleShape(stored: shape, file: path, dataset: "images")
    } catch {
      gzclose(stream)
      throw error
    }
  }

  deinit { gzclose(stream) }

  public func sourceIndex(_ position: Int) -> Int { position }

  public func readNext(
    _ n: Int, x: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Int32>
  ) throws {
    let values = n * sampleShape.reduce(1, *)
    var bytes = [UInt8](repeating: 0, count: values * elementType.byteWidth)
    let got = Self.read(stream, &bytes, path: path)
    guard got == bytes.count else {
      throw IDXError.payloadLength(
        path: path, shape: [count] + sampleShape,
        expected: count * sampleShape.reduce(1, *) * elementType.byteWidth,
        actual: max(0, got) + position * (bytes.count / max(1, n)))
    }
    if elementType == .uint8 {
      for i in 0..<values { x[i] = Float(bytes[i]) / 255 }
    } else {
      let floats = IDXArray(elementType: elementType, shape: [values], payload: bytes).floatValues()
      for i in 0..<values { x[i] = floats[i] }
    }
    position += n
  }

  /// Reads up to `buffer.count` bytes; -1 on a corrupt stream.
  static func read(_ stream: gzFile, _ buffer: inout [UInt8], path: String) -> Int {
    var total = 0
    while total < buffer.count {
      let n = buffer.withUnsafeMutableBytes { raw -> Int32 in
        guard let base = raw.baseAddress else { return 0 }
        return gzread(stream, base + total, UInt32(min(raw.count - total, 1 << 30)))
      }
      if n < 0 { return -1 }
      if n == 0 { break }
      total += Int(n)
    }
    return total
  }
}
