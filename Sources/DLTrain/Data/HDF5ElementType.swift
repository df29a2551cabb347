import _CHDF5

/// The element type of a stored HDF5 dataset or attribute, as far as this wrapper cares.
public enum HDF5ElementType: Equatable, CustomStringConvertible {
  /// IEEE half precision; HDF5 converts it to float32/float64 on read (`H5Dread` with a
  /// native float memory type), so it reads like the others.
  case float16
  case float32, float64
  case int8, int16, int32, int64
  case uint8, uint16, uint32, uint64
  case string
  /// Anything else (compound, enum, 16-bit float, ...), described by its HDF5 class.
  case other(String)

  /// True for the integer types, whose values convert to labels without rounding.
  public var isInteger: Bool {
    switch self {
    case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64: return true
    default: return false
    }
  }

  /// True for the types `H5Dread` can convert to a native number.
  public var isNumeric: Bool {
    isInteger || self == .float16 || self == .float32 || self == .float64
  }

  public var description: String {
    switch self {
    case .float16: return "float16"
    case .float32: return "float32"
    case .float64: return "float64"
    case .int8: return "int8"
    case .int16: return "int16"
    case .int32: return "int32"
    case .int64: return "int64"
    case .uint8: return "uint8"
    case .uint16: return "uint16"
    case .uint32: return "uint32"
    case .uint64: return "uint64"
    case .string: return "string"
    case .other(let name): return name
    }
  }

  /// Classifies an HDF5 datatype identifier.
  init(typeID: hid_t) {
    let size = H5Tget_size(typeID)
    let typeClass = H5Tget_class(typeID)
    if typeClass == H5T_FLOAT {
      switch size {
      case 2: self = .float16
      case 4: self = .float32
      case 8: self = .float64
      default: self = .other("float\(size * 8)")
      }
    } else if typeClass == H5T_INTEGER {
      let signed = H5Tget_sign(typeID) != H5T_SGN_NONE
      switch (size, signed) {
      case (1, true): self = .int8
      case (2, true): self = .int16
      case (4, true): self = .int32
      case (8, true): self = .int64
      case (1, false): self = .uint8
      case (2, false): self = .uint16
      case (4, false): self = .uint32
      case (8, false): self = .uint64
      default: self = .other("int\(size * 8)")
      }
    } else if typeClass == H5T_STRING {
      self = .string
    } else {
      self = .other("HDF5 class \(typeClass.rawValue)")
    }
  }
}

/// A Swift number type that maps to a native HDF5 type, so it can be read and written directly.
/// `H5Dread` converts any stored numeric type into this memory type.
public protocol HDF5Scalar {
  /// The native HDF5 memory type of `Self`.
  static func hdf5NativeType() -> hid_t
}

extension Float: HDF5Scalar {
  public static func hdf5NativeType() -> hid_t { dl_h5t_native_float() }
}

extension Double: HDF5Scalar {
  public static func hdf5NativeType() -> hid_t { dl_h5t_native_double() }
}

extension Int32: HDF5Scalar {
  public static func hdf5NativeType() -> hid_t { dl_h5t_native_int32() }
}

extension Int64: HDF5Scalar {
  public static func hdf5NativeType() -> hid_t { dl_h5t_native_int64() }
}

extension UInt8: HDF5Scalar {
  public static func hdf5NativeType() -> hid_t { dl_h5t_native_uint8() }
}

extension UInt64: HDF5Scalar {
  public static func hdf5NativeType() -> hid_t { dl_h5t_native_uint64() }
}
