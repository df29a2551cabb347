import Foundation

/// A float32 tensor as ONNX stores it: dimensions outermost first and row-major values. The
/// exporter writes weights this way; the conformance runner reads node-test inputs and outputs.
public struct FloatTensor: Equatable, Sendable {
  public var dims: [Int]
  public var values: [Float]

  public init(dims: [Int], values: [Float]) {
    self.dims = dims
    self.values = values
  }

  public var count: Int { dims.reduce(1, *) }
}

extension FloatTensor {
  /// The TensorProto of these values (float32, little-endian `raw_data`, as onnx's own
  /// `numpy_helper.from_array` writes it: the compact form, and read by every runtime).
  public func proto(named name: String) -> Onnx_TensorProto {
    var t = Onnx_TensorProto()
    t.name = name
    t.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
    t.dims = dims.map(Int64.init)
    var raw = Data(capacity: values.count * 4)
    for v in values {
      withUnsafeBytes(of: v.bitPattern.littleEndian) { raw.append(contentsOf: $0) }
    }
    t.rawData = raw
    return t
  }

  /// Why a TensorProto cannot be read as float32 values here, or nil when it can.
  public enum ReadProblem: Error, Equatable, CustomStringConvertible {
    case notFloat(dataType: Int32)
    case externalData
    case wrongCount(expected: Int, found: Int)
    case badDimension(Int64)

    public var description: String {
      switch self {
      case .notFloat(let type): return "element type \(Self.typeName(type)), not float32"
      case .externalData: return "values stored in an external file"
      case .wrongCount(let expected, let found): return "\(found) values for \(expected) elements"
      case .badDimension(let d): return "dimension \(d) out of range"
      }
    }

    static func typeName(_ type: Int32) -> String {
      Onnx_TensorProto.DataType(rawValue: Int(type)).map { "\($0)" } ?? "#\(type)"
    }
  }

  /// Reads a float32 TensorProto (values in `float_data` or in little-endian `raw_data`).
  public init(_ t: Onnx_TensorProto) throws(ReadProblem) {
    guard t.dataType == Int32(Onnx_TensorProto.DataType.float.rawValue) else {
      throw .notFloat(dataType: t.dataType)
    }
    guard t.dataLocation != .external else { throw .externalData }
    var dims: [Int] = []
    for d in t.dims {
      guard d >= 0, d <= Int64(Int32.max) else { throw .badDimension(d) }
      dims.append(Int(d))
    }
    let (count, overflow) = dims.reduce((1, false)) { acc, d in
      let (p, o) = acc.0.multipliedReportingOverflow(by: d)
      return (p, acc.1 || o)
    }
    guard !overflow, count <= Int(Int32.max) else { throw .badDimension(Int64(Int32.max)) }
    var values: [Float]
    if t.hasRawData {
      let raw = t.rawData
      guard raw.count == count * 4 else { throw .wrongCount(expected: count, found: raw.count / 4) }
      values = [Float](repeating: 0, count: count)
      raw.withUnsafeBytes { bytes in
        for i in 0..<count {
          let bits = bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)
          values[i] = Float(bitPattern: UInt32(littleEndian: bits))
        }
      }
    } else {
      values = t.floatData
      guard values.count == count else {
        throw .wrongCount(expected: count, found: values.count)
      }
    }
    self.init(dims: dims, values: values)
  }
}
