/// Element-wise activation functions σ and their gradients (notes (3.1), problem 3.4).
///
/// Shapes: `x`, `y`, `dy`, `dx` all hold `count` elements of any shape. `x` may equal `y` and
/// `dy` may equal `dx` (in place). The backward pass reads the saved *output* `y`, never `x`,
/// so a layer keeps one buffer. The set is open: a σ is an `ActivationFunction` (its value and
/// its gradient read off y), and `ActivationKernel` turns one into the three loops a layer runs.
/// The functions kept here are those of the built-in kinds:
///
/// | function               | y = σ(z)                  | dσ/dz from y                    |
/// |------------------------|---------------------------|---------------------------------|
/// | `IdentityFunction`     | z                         | 1                               |
/// | `ReLUFunction`         | max(z, 0)                 | 1 if y > 0 else 0 (0 at z = 0)  |
/// | `TanhFunction`         | tanh z                    | 1 − y²                          |
/// | `SigmoidFunction`      | e^z / (1 + e^z), stable   | y (1 − y)                       |
/// | `ClippedReLUFunction`  | min(max(z, 0), t)         | 1 if 0 < y < t else 0           |
///
/// Reading the gradient off y is exact for these functions: relu's y > 0 iff z > 0, and clipped
/// relu's 0 < y < t iff 0 < z < t; at the kinks z = 0 and z = t the gradient is taken as 0.
public struct ActivationKernel<T: DLScalar> {
  /// `y[i] = σ(x[i])` for `i < count`. Split across cores for large counts.
  public let forward: (_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ count: Int) -> Void
  /// `dx[i] = dy[i] · σ'(z[i])`, with σ' computed from the saved output `y`.
  public let backward:
    (_ y: UnsafePointer<T>, _ dy: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>, _ count: Int)
      -> Void
  /// Adds a per-column bias and applies σ in one pass over `y` (the dense layer's epilogue):
  /// `y[r, j] = σ(y[r, j] + bias[j])` for `y: [rows, columns]`, `bias: [columns]`.
  /// A `nil` bias applies σ only.
  public let biasForward:
    (_ bias: UnsafePointer<T>?, _ y: UnsafeMutablePointer<T>, _ rows: Int, _ columns: Int) -> Void

  /// The kernel of σ = `function` with its parameter `t` (clipped relu's ceiling, leaky relu's
  /// slope; ignored by the others). Build it where `T` is concrete (a `@_specialize`d lowering):
  /// the loops then inline σ, and each call costs one closure call per batch, not per element.
  @inlinable
  public init<F: ActivationFunction>(_ function: F.Type, _ t: T) {
    forward = { x, y, count in Activation.map(F.self, t, count: count, x, y) }
    backward = { y, dy, dx, count in Activation.zip(F.self, t, count: count, y, dy, dx) }
    biasForward = { bias, y, rows, columns in
      if let bias {
        Activation.mapRows(F.self, t, rows: rows, columns: columns, bias, y)
      } else {
        Activation.map(F.self, t, count: rows * columns, y, y)
      }
    }
  }
}

/// The loops every `ActivationKernel` runs, and numerically careful σ helpers.
public enum Activation {
  /// Logistic sigmoid without overflow: with e = e^{−|z|} ≤ 1, σ(z) = 1/(1 + e) for z ≥ 0 and
  /// e/(1 + e) for z < 0, so `exp` never sees a positive argument. One exp and a select, no
  /// branch, so Float loops vectorise.
  @inlinable @inline(__always)
  public static func sigmoid<T: DLScalar>(_ z: T) -> T {
    let e = T.exp(-abs(z))
    let s = 1 / (1 + e)
    return z >= 0 ? s : e * s
  }

  // The loops take σ as a type, not a closure: a closure captured by the per-chunk job stays
  // an indirect call per element (measured 10× slower for relu), while a static function of a
  // generic type parameter is inlined once the kernel is specialised.
  @inlinable @inline(__always)
  static func map<F: ActivationFunction, T: DLScalar>(
    _ function: F.Type, _ t: T, count: Int, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>
  ) {
    Parallel.forEachChunk(count: count, MapJob<F, T>(t: t, x: x, y: y))
  }

  @inlinable @inline(__always)
  static func zip<F: ActivationFunction, T: DLScalar>(
    _ function: F.Type, _ t: T, count: Int, _ y: UnsafePointer<T>, _ dy: UnsafePointer<T>,
    _ dx: UnsafeMutablePointer<T>
  ) {
    Parallel.forEachChunk(count: count, ZipJob<F, T>(t: t, y: y, dy: dy, dx: dx))
  }

  @inlinable @inline(__always)
  static func mapRows<F: ActivationFunction, T: DLScalar>(
    _ function: F.Type, _ t: T, rows: Int, columns: Int, _ bias: UnsafePointer<T>,
    _ y: UnsafeMutablePointer<T>
  ) {
    Parallel.forEachChunk(
      count: rows * columns,
      RowsJob<F, T>(t: t, rows: rows, columns: columns, bias: bias, y: y))
  }

  /// `y[i] = σ(x[i])` over a range (jobs, not closures: see `ParallelJob`).
  @usableFromInline
  struct MapJob<F: ActivationFunction, T: DLScalar>: RangeJob {
    @usableFromInline let t: T
    @usableFromInline let x: UnsafePointer<T>
    @usableFromInline let y: UnsafeMutablePointer<T>

    @inlinable
    init(t: T, x: UnsafePointer<T>, y: UnsafeMutablePointer<T>) {
      self.t = t
      self.x = x
      self.y = y
    }

    @inlinable @inline(__always)
    func run(_ range: Range<Int>) {
      let lo = range.lowerBound
      Activation.mapRange(F.self, t, x + lo, y + lo, count: range.count)
    }
  }

  /// `dx[i] = dy[i] · σ'` from the saved output `y[i]`, over a range.
  @usableFromInline
  struct ZipJob<F: ActivationFunction, T: DLScalar>: RangeJob {
    @usableFromInline let t: T
    @usableFromInline let y: UnsafePointer<T>
    @usableFromInline let dy: UnsafePointer<T>
    @usableFromInline let dx: UnsafeMutablePointer<T>

    @inlinable
    init(t: T, y: UnsafePointer<T>, dy: UnsafePointer<T>, dx: UnsafeMutablePointer<T>) {
      self.t = t
      self.y = y
      self.dy = dy
      self.dx = dx
    }

    @inlinable @inline(__always)
    func run(_ range: Range<Int>) {
      let lo = range.lowerBound
      Activation.zipRange(F.self, t, y + lo, dy + lo, dx + lo, count: range.count)
    }
  }

  /// `y[r, j] = σ(y[r, j] + bias[j])` for the rows of an element range.
  @usableFromInline
  struct RowsJob<F: ActivationFunction, T: DLScalar>: RangeJob {
    @usableFromInline let t: T
    @usableFromInline let rows: Int
    @usableFromInline let columns: Int
    @usableFromInline let bias: UnsafePointer<T>
    @usableFromInline let y: UnsafeMutablePointer<T>

    @inlinable
    init(t: T, rows: Int, columns: Int, bias: UnsafePointer<T>, y: UnsafeMutablePointer<T>) {
      self.t = t
      self.rows = rows
      self.columns = columns
      self.bias = bias
      self.y = y
    }

    // Split over whole rows so each inner loop is one contiguous, vectorisable sweep. Element
    // chunk [lo, hi) takes rows ⌈lo/columns⌉ ..< ⌈hi/columns⌉: the row sets partition 0..<rows.
    @inlinable @inline(__always)
    func run(_ range: Range<Int>) {
      let first = (range.lowerBound + columns - 1) / columns
      let last = min(rows, (range.upperBound + columns - 1) / columns)
      guard first < last else { return }
      Activation.biasRows(F.self, t, y + first * columns, bias, rows: last - first, columns: columns)
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
