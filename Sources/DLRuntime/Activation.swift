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
    case .relu: map(ReLUFunction.self, 0, count: count, x, y)
    case .tanh: map(TanhFunction.self, 0, count: count, x, y)
    case .sigmoid: map(SigmoidFunction.self, 0, count: count, x, y)
    case .clippedReLU(let t): map(ClippedReLUFunction.self, T(t), count: count, x, y)
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
    case .relu: zip(ReLUFunction.self, 0, count: count, y, dy, dx)
    case .tanh: zip(TanhFunction.self, 0, count: count, y, dy, dx)
    case .sigmoid: zip(SigmoidFunction.self, 0, count: count, y, dy, dx)
    case .clippedReLU(let t): zip(ClippedReLUFunction.self, T(t), count: count, y, dy, dx)
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
    case .identity: mapRows(IdentityFunction.self, 0, rows: rows, columns: columns, bias, y)
    case .relu: mapRows(ReLUFunction.self, 0, rows: rows, columns: columns, bias, y)
    case .tanh: mapRows(TanhFunction.self, 0, rows: rows, columns: columns, bias, y)
    case .sigmoid: mapRows(SigmoidFunction.self, 0, rows: rows, columns: columns, bias, y)
    case .clippedReLU(let t):
      mapRows(ClippedReLUFunction.self, T(t), rows: rows, columns: columns, bias, y)
    }
  }

  /// Logistic sigmoid without overflow: with e = e^{−|z|} ≤ 1, σ(z) = 1/(1 + e) for z ≥ 0 and
  /// e/(1 + e) for z < 0, so `exp` never sees a positive argument. One exp and a select, no
  /// branch, so Float loops vectorise.
  @inlinable @inline(__always)
  public static func sigmoid<T: DLScalar>(_ z: T) -> T {
    let e = T.exp(-abs(z))
    let s = 1 / (1 + e)
    return z >= 0 ? s : e * s
  }

  // The loops take σ as a type, not a closure: a closure captured by the per-chunk closure
  // stays an indirect call per element (measured 10× slower for relu), while a static
  // function of a generic type parameter is inlined once the kernel is specialised.
  @inlinable @inline(__always)
  static func map<F: ActivationFunction, T: DLScalar>(
    _ function: F.Type, _ t: T, count: Int, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>
  ) {
    Parallel.forEachChunk(count: count) { range in
      for i in range { y[i] = F.value(x[i], t) }
    }
  }

  @inlinable @inline(__always)
  static func zip<F: ActivationFunction, T: DLScalar>(
    _ function: F.Type, _ t: T, count: Int, _ y: UnsafePointer<T>, _ dy: UnsafePointer<T>,
    _ dx: UnsafeMutablePointer<T>
  ) {
    Parallel.forEachChunk(count: count) { range in
      for i in range { dx[i] = F.gradient(y[i], dy[i], t) }
    }
  }

  @inlinable @inline(__always)
  static func mapRows<F: ActivationFunction, T: DLScalar>(
    _ function: F.Type, _ t: T, rows: Int, columns: Int, _ bias: UnsafePointer<T>,
    _ y: UnsafeMutablePointer<T>
  ) {
    // Split over whole rows so each inner loop is one contiguous, vectorisable sweep. Element
    // chunk [lo, hi) takes rows ⌈lo/columns⌉ ..< ⌈hi/columns⌉: the row sets partition 0..<rows.
    Parallel.forEachChunk(count: rows * columns) { range in
      let first = (range.lowerBound + columns - 1) / columns
      let last = min(rows, (range.upperBound + columns - 1) / columns)
      guard first < last else { return }
      for r in first..<last {
        let row = y + r * columns
        for j in 0..<columns { row[j] = F.value(row[j] + bias[j], t) }
      }
    }
  }
}

/// One σ as static functions, so loops specialise on it (see `Activation.map`). `t` is the
/// clipped ReLU ceiling; the other functions ignore it.
public protocol ActivationFunction {
  /// σ(z).
  static func value<T: DLScalar>(_ z: T, _ t: T) -> T
  /// dy · σ'(z), from y = σ(z).
  static func gradient<T: DLScalar>(_ y: T, _ dy: T, _ t: T) -> T
}

/// σ(z) = z.
public enum IdentityFunction: ActivationFunction {
  @inlinable @inline(__always)
  public static func value<T: DLScalar>(_ z: T, _ t: T) -> T { z }
  @inlinable @inline(__always)
  public static func gradient<T: DLScalar>(_ y: T, _ dy: T, _ t: T) -> T { dy }
}

/// σ(z) = max(z, 0), written as a comparison so σ'(0) = 0 (not `max`, whose gradient at a tie
/// is ambiguous).
public enum ReLUFunction: ActivationFunction {
  @inlinable @inline(__always)
  public static func value<T: DLScalar>(_ z: T, _ t: T) -> T { z > 0 ? z : 0 }
  @inlinable @inline(__always)
  public static func gradient<T: DLScalar>(_ y: T, _ dy: T, _ t: T) -> T { y > 0 ? dy : 0 }
}

/// σ(z) = tanh z, σ' = 1 − y².
public enum TanhFunction: ActivationFunction {
  @inlinable @inline(__always)
  public static func value<T: DLScalar>(_ z: T, _ t: T) -> T { T.tanh(z) }
  @inlinable @inline(__always)
  public static func gradient<T: DLScalar>(_ y: T, _ dy: T, _ t: T) -> T { dy * (1 - y * y) }
}

/// σ(z) = 1 / (1 + e^−z), σ' = y(1 − y).
public enum SigmoidFunction: ActivationFunction {
  @inlinable @inline(__always)
  public static func value<T: DLScalar>(_ z: T, _ t: T) -> T { Activation.sigmoid(z) }
  @inlinable @inline(__always)
  public static func gradient<T: DLScalar>(_ y: T, _ dy: T, _ t: T) -> T { dy * y * (1 - y) }
}

/// σ(z) = min(max(z, 0), t), σ' = 1 on 0 < z < t and 0 elsewhere (including both kinks).
public enum ClippedReLUFunction: ActivationFunction {
  @inlinable @inline(__always)
  public static func value<T: DLScalar>(_ z: T, _ t: T) -> T { z > 0 ? (z < t ? z : t) : 0 }
  @inlinable @inline(__always)
  public static func gradient<T: DLScalar>(_ y: T, _ dy: T, _ t: T) -> T {
    (y > 0 && y < t) ? dy : 0
  }
}
