/// An owning, contiguous, row-major tensor with 64-byte-aligned storage.
///
/// Storage is allocated once in `init` and freed in `deinit`; its shape never changes. A planner
/// allocates one per buffer and kernels work on `pointer`, so a training step allocates nothing.
/// Layout is row-major: for shape `[N, C, H, W]` element `(n, c, h, w)` is at
/// `((n·C + c)·H + h)·W + w`.
///
/// Elements are any `TensorElement`: `Float`/`Double` for values, `Int32` for class labels and
/// max-pool argmax indices, so every buffer a planner owns is the same kind of object.
///
/// The class is `@unchecked Sendable` because kernels hand its pointer to worker threads that
/// write disjoint ranges; callers must not share one tensor between concurrent writers.
public final class Tensor<T: TensorElement>: @unchecked Sendable {
  /// Extents, outermost first, e.g. `[N, C, H, W]`.
  public let shape: [Int]
  /// Number of elements, the product of `shape` (1 for a scalar shape `[]`).
  public let count: Int
  /// Start of the storage: `count` initialised elements, 64-byte aligned.
  public let pointer: UnsafeMutablePointer<T>

  /// Alignment of every tensor's storage in bytes: one cache line, and enough for AVX-512 loads.
  public static var alignment: Int { 64 }

  /// A tensor of zeros.
  public init(shape: [Int]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
    self.shape = shape
    self.count = shape.reduce(1, *)
    // Allocate at least one element so the pointer is always valid and distinct.
    let raw = UnsafeMutableRawPointer.allocate(
      byteCount: max(count, 1) * MemoryLayout<T>.stride, alignment: Self.alignment)
    pointer = raw.bindMemory(to: T.self, capacity: max(count, 1))
    pointer.initialize(repeating: 0, count: max(count, 1))
  }

  /// A tensor holding `values` (row-major); `values.count` must equal the product of `shape`.
  public convenience init(shape: [Int], values: [T]) {
    self.init(shape: shape)
    precondition(values.count == count, "\(values.count) values for shape \(shape)")
    values.withUnsafeBufferPointer { source in
      guard let base = source.baseAddress else { return }
      pointer.update(from: base, count: count)
    }
  }

  deinit {
    pointer.deinitialize(count: max(count, 1))
    UnsafeMutableRawPointer(pointer).deallocate()
  }

  /// The storage as a buffer pointer, for `for` loops and collection algorithms.
  public var buffer: UnsafeMutableBufferPointer<T> {
    UnsafeMutableBufferPointer(start: pointer, count: count)
  }

  /// A copy of the elements in row-major order.
  public var array: [T] {
    Array(UnsafeBufferPointer(start: pointer, count: count))
  }

  /// Sets every element to `value`.
  public func fill(_ value: T) {
    pointer.update(repeating: value, count: count)
  }

  /// Copies the elements of `other`, which must have the same count.
  public func copy(from other: Tensor<T>) {
    precondition(other.count == count, "copy of \(other.count) elements into \(count)")
    pointer.update(from: other.pointer, count: count)
  }

  /// Row-major flat offset of a multi-index; checked, so meant for tests and setup code.
  public func offset(_ indices: [Int]) -> Int {
    precondition(indices.count == shape.count, "\(indices.count) indices for shape \(shape)")
    var flat = 0
    for (index, extent) in zip(indices, shape) {
      precondition(index >= 0 && index < extent, "index \(indices) out of shape \(shape)")
      flat = flat * extent + index
    }
    return flat
  }

  /// Element at a multi-index, e.g. `t[n, c, h, w]`.
  public subscript(_ indices: Int...) -> T {
    get { pointer[offset(indices)] }
    set { pointer[offset(indices)] = newValue }
  }
}

/// A type `Tensor` can store: plain numeric values that are trivially copyable.
public protocol TensorElement: Numeric, Sendable {}

extension Float: TensorElement {}
extension Double: TensorElement {}
extension Int32: TensorElement {}
