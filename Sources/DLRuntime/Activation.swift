/// Element-wise activation functions σ and their gradients (notes (3.1), problem 3.4).
///
/// Shapes: `x`, `y`, `dy`, `dx` all hold `count` elements of any shape. `x` may equal `y` and
/// `dy` may equal `dx` (in place). The backward pass reads the saved *output* `y`, never `x`,
/// so a layer keeps one buffer:
///
/// | kind                | y = σ(z)                  | dσ/dz from y                    |
/// |---------------------|---------------------------|---------------------------------|
/// | `identity`          | z                         | 1                               |
/// | `relu`              | max(z, 0)                 | 1 if y > 0 else 0 (0 at z = 0)  |
/// | `tanh`              | tanh z                    | 1 − y²                          |
/// | `sigmoid`           | e^z / (1 + e^z), stable   | y (1 − y)                       |
/// | `clippedReLU(t)`    | min(max(z, 0), t)         | 1 if 0 < y < t else 0           |
///
/// Reading the gradient off y is exact for these functions: relu's y > 0 iff z > 0, and clipped
/// relu's 0 < y < t iff 0 < z < t; at the kinks z = 0 and z = t the gradient is taken as 0.
public enum Activation {
  /// Which σ to apply. `clippedReLU` carries its ceiling t > 0.
  public enum Kind: Equatable, Hashable, Sendable {
    case identity
    case relu
    case tanh
    case sigmoid
    case clippedReLU(threshold: Double)
  }

  /// `y[i] = σ(x[i])` for `i < count`. Split across cores for large counts.
  @inlinable
  public static func forward<T: DLScalar>(
    _ kind: Kind, x: UnsafePointer<T>, y: UnsafeMutablePointer<T>, count: Int
  ) {
    switch kind {
    case .identity:
      if UnsafePointer(y) != x { y.update(from: x, count: count) }
    case .relu:
      map(count: count, x, y) { $0 > 0 ? $0 : 0 }
    case .tanh:
      map(count: count, x, y) { T.tanh($0) }
    case .sigmoid:
      map(count: count, x, y) { sigmoid($0) }
    case .clippedReLU(let threshold):
      let t = T(threshold)
      map(count: count, x, y) { $0 > 0 ? ($0 < t ? $0 : t) : 0 }
    }
  }

  /// `dx[i] = dy[i] · σ'(z[i])`, with σ' computed from the saved output `y` (table above).
  @inlinable
  public static func backward<T: DLScalar>(
    _ kind: Kind, y: UnsafePointer<T>, dy: UnsafePointer<T>, dx: UnsafeMutablePointer<T>,
    count: Int
  ) {
    switch kind {
    case .identity:
      if UnsafePointer(dx) != dy { dx.update(from: dy, count: count) }
    case .relu:
      zip(count: count, y, dy, dx) { y, g in y > 0 ? g : 0 }
    case .tanh:
      zip(count: count, y, dy, dx) { y, g in g * (1 - y * y) }
    case .sigmoid:
      zip(count: count, y, dy, dx) { y, g in g * y * (1 - y) }
    case .clippedReLU(let threshold):
      let t = T(threshold)
      zip(count: count, y, dy, dx) { y, g in (y > 0 && y < t) ? g : 0 }
    }
  }

  /// Adds a per-column bias and applies σ in one pass over `y` (the dense layer's epilogue):
  /// `y[r, j] = σ(y[r, j] + bias[j])` for `y: [rows, columns]`, `bias: [columns]`.
  /// A `nil` bias applies σ only.
  @inlinable
  public static func biasForward<T: DLScalar>(
    _ kind: Kind, bias: UnsafePointer<T>?, y: UnsafeMutablePointer<T>, rows: Int, columns: Int
  ) {
    guard let bias else {
      forward(kind, x: y, y: y, count: rows * columns)
      return
    }
    switch kind {
    case .identity:
      mapRows(rows: rows, columns: columns, bias, y) { $0 }
    case .relu:
      mapRows(rows: rows, columns: columns, bias, y) { $0 > 0 ? $0 : 0 }
    case .tanh:
      mapRows(rows: rows, columns: columns, bias, y) { T.tanh($0) }
    case .sigmoid:
      mapRows(rows: rows, columns: columns, bias, y) { sigmoid($0) }
    case .clippedReLU(let threshold):
      let t = T(threshold)
      mapRows(rows: rows, columns: columns, bias, y) { $0 > 0 ? ($0 < t ? $0 : t) : 0 }
    }
  }

  /// Logistic sigmoid without overflow: for z < 0 it uses e^z / (1 + e^z), so `exp` only ever
  /// sees non-positive arguments.
  @inlinable @inline(__always)
  public static func sigmoid<T: DLScalar>(_ z: T) -> T {
    if z >= 0 {
      return 1 / (1 + T.exp(-z))
    }
    let e = T.exp(z)
    return e / (1 + e)
  }

  // The helpers are always inlined so each closure is specialised into its loop; a call per
  // element would cost ~6× (PLATFORM.md).
  @inlinable @inline(__always)
  static func map<T>(
    count: Int, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ f: (T) -> T
  ) {
    Parallel.forEachChunk(count: count) { range in
      for i in range { y[i] = f(x[i]) }
    }
  }

  @inlinable @inline(__always)
  static func zip<T>(
    count: Int, _ y: UnsafePointer<T>, _ dy: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>,
    _ f: (T, T) -> T
  ) {
    Parallel.forEachChunk(count: count) { range in
      for i in range { dx[i] = f(y[i], dy[i]) }
    }
  }

  @inlinable @inline(__always)
  static func mapRows<T: DLScalar>(
    rows: Int, columns: Int, _ bias: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
    _ f: (T) -> T
  ) {
    // Split over whole rows so each inner loop is one contiguous, vectorisable sweep. Element
    // chunk [lo, hi) takes rows ⌈lo/columns⌉ ..< ⌈hi/columns⌉: the row sets partition 0..<rows.
    Parallel.forEachChunk(count: rows * columns) { range in
      let first = (range.lowerBound + columns - 1) / columns
      let last = min(rows, (range.upperBound + columns - 1) / columns)
      guard first < last else { return }
      for r in first..<last {
        let row = y + r * columns
        for j in 0..<columns { row[j] = f(row[j] + bias[j]) }
      }
    }
  }
}
