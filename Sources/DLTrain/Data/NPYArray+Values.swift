/// The values of a `.npy` array converted for a `Dataset`, element by element from the mapping.
extension NPYArray {
  /// Every value as Float32; uint8 divided by 255 when `scaleUInt8` (pixels, as the HDF5 and
  /// IDX loaders scale them).
  public func floats(scaleUInt8: Bool) -> [Float] {
    let n = count
    return [Float](unsafeUninitializedCapacity: n) { out, initialized in
      if elementType == .uint8 && scaleUInt8 {
        for i in 0..<n { out[i] = Float(data[i]) / 255 }
      } else {
        for i in 0..<n { out[i] = Float(value(i)) }
      }
      initialized = n
    }
  }

  /// Every value as Double (for labels and targets: exact for every integer up to 2⁵³).
  public func doubles() -> [Double] {
    (0..<count).map { value($0) }
  }

  /// Integer arrays as Int64 (uint64 above Int64.max clamps to Int64.max, which no class
  /// check passes); nil for float arrays.
  public func integers() -> [Int64]? {
    guard elementType.isInteger else { return nil }
    return (0..<count).map { i in
      switch elementType {
      case .uint64:
        let u: UInt64 = load(i)
        return u > UInt64(Int64.max) ? Int64.max : Int64(u)
      case .int64: return load(i) as Int64
      default: return Int64(value(i))
      }
    }
  }

  /// Element `i` as Double.
  func value(_ i: Int) -> Double {
    switch elementType {
    case .bool: return data[i] == 0 ? 0 : 1
    case .int8: return Double(Int8(bitPattern: data[i]))
    case .uint8: return Double(data[i])
    case .int16: return Double(load(i) as Int16)
    case .uint16: return Double(load(i) as UInt16)
    case .int32: return Double(load(i) as Int32)
    case .uint32: return Double(load(i) as UInt32)
    case .int64: return Double(load(i) as Int64)
    case .uint64: return Double(load(i) as UInt64)
    case .float16: return Double(Float16(bitPattern: load(i) as UInt16))
    case .float32: return Double(Float(bitPattern: load(i) as UInt32))
    case .float64: return Double(bitPattern: load(i) as UInt64)
    }
  }

  /// Element `i` of an integer type, in the array's byte order (data may be unaligned inside
  /// a `.npz` member).
  func load<T: FixedWidthInteger>(_ i: Int) -> T {
    let raw = data.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)
    return littleEndian ? T(littleEndian: raw) : T(bigEndian: raw)
  }
}
