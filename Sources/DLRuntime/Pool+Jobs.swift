/// The per-range loops of the pooling kernels, as jobs for `Parallel` (not closures, which
/// allocate when handed to another thread: see `ParallelJob`). Each owns whole planes.
extension Pool {
  /// General max pooling over the planes of a range.
  @usableFromInline
  struct MaxJob<T: DLScalar>: RangeJob {
    @usableFromInline let x: UnsafePointer<T>
    @usableFromInline let y: UnsafeMutablePointer<T>
    @usableFromInline let argmax: UnsafeMutablePointer<Int32>
    @usableFromInline let g: Geometry

    @inlinable
    init(
      x: UnsafePointer<T>, y: UnsafeMutablePointer<T>, argmax: UnsafeMutablePointer<Int32>,
      g: Geometry
    ) {
      self.x = x
      self.y = y
      self.argmax = argmax
      self.g = g
    }

    @inlinable
    func run(_ planes: Range<Int>) {
      let oh = g.outHeight
      let ow = g.outWidth
      for p in planes {
        let plane = x + p * g.height * g.width
        let out = y + p * oh * ow
        let arg = argmax + p * oh * ow
        for i in 0..<oh {
          for j in 0..<ow {
            let origin = i * g.strideY * g.width + j * g.strideX
            var best = plane[origin]
            var bestIndex = origin
            for u in 0..<g.windowHeight {
              let rowStart = origin + u * g.width
              for v in 0..<g.windowWidth where plane[rowStart + v] > best {
                // Strict '>' keeps the first maximum on ties (and ignores NaN challengers).
                best = plane[rowStart + v]
                bestIndex = rowStart + v
              }
            }
            out[i * ow + j] = best
            arg[i * ow + j] = Int32(truncatingIfNeeded: bestIndex)
          }
        }
      }
    }
  }

  /// 2×2, stride-2 max pooling over the planes of a range (`maxForward2x2`).
  @usableFromInline
  struct Max2x2Job<T: DLScalar>: RangeJob {
    @usableFromInline let x: UnsafePointer<T>
    @usableFromInline let y: UnsafeMutablePointer<T>
    @usableFromInline let argmax: UnsafeMutablePointer<Int32>
    @usableFromInline let g: Geometry

    @inlinable
    init(
      x: UnsafePointer<T>, y: UnsafeMutablePointer<T>, argmax: UnsafeMutablePointer<Int32>,
      g: Geometry
    ) {
      self.x = x
      self.y = y
      self.argmax = argmax
      self.g = g
    }

    @inlinable
    func run(_ planes: Range<Int>) {
      let oh = g.outHeight
      let ow = g.outWidth
      let w = g.width
      for p in planes {
        let plane = x + p * g.height * w
        let out = y + p * oh * ow
        let arg = argmax + p * oh * ow
        for i in 0..<oh {
          let top = 2 * i * w
          let bottom = top + w
          for j in 0..<ow {
            let a = top + 2 * j
            let b = bottom + 2 * j
            var best = plane[a]
            var index = a
            // Unrolled (an array of candidates would allocate in debug builds).
            if plane[a + 1] > best {
              best = plane[a + 1]
              index = a + 1
            }
            if plane[b] > best {
              best = plane[b]
              index = b
            }
            if plane[b + 1] > best {
              best = plane[b + 1]
              index = b + 1
            }
            out[i * ow + j] = best
            arg[i * ow + j] = Int32(truncatingIfNeeded: index)
          }
        }
      }
    }
  }

  /// Max pooling backward over the planes of a range.
  @usableFromInline
  struct MaxBackwardJob<T: DLScalar>: RangeJob {
    @usableFromInline let dy: UnsafePointer<T>
    @usableFromInline let argmax: UnsafePointer<Int32>
    @usableFromInline let dx: UnsafeMutablePointer<T>
    @usableFromInline let g: Geometry

    @inlinable
    init(
      dy: UnsafePointer<T>, argmax: UnsafePointer<Int32>, dx: UnsafeMutablePointer<T>, g: Geometry
    ) {
      self.dy = dy
      self.argmax = argmax
      self.dx = dx
      self.g = g
    }

    @inlinable
    func run(_ planes: Range<Int>) {
      let outPlane = g.outHeight * g.outWidth
      let inPlane = g.height * g.width
      for p in planes {
        let grad = dy + p * outPlane
        let arg = argmax + p * outPlane
        let target = dx + p * inPlane
        target.update(repeating: 0, count: inPlane)
        for k in 0..<outPlane { target[Int(arg[k])] += grad[k] }
      }
    }
  }

  /// Average pooling forward over the planes of a range.
  @usableFromInline
  struct AverageJob<T: DLScalar>: RangeJob {
    @usableFromInline let x: UnsafePointer<T>
    @usableFromInline let y: UnsafeMutablePointer<T>
    @usableFromInline let scale: T
    @usableFromInline let g: Geometry

    @inlinable
    init(x: UnsafePointer<T>, y: UnsafeMutablePointer<T>, scale: T, g: Geometry) {
      self.x = x
      self.y = y
      self.scale = scale
      self.g = g
    }

    @inlinable
    func run(_ planes: Range<Int>) {
      let oh = g.outHeight
      let ow = g.outWidth
      for p in planes {
        let plane = x + p * g.height * g.width
        let out = y + p * oh * ow
        for i in 0..<oh {
          for j in 0..<ow {
            let origin = i * g.strideY * g.width + j * g.strideX
            var sum: T = 0
            for u in 0..<g.windowHeight {
              let row = plane + origin + u * g.width
              for v in 0..<g.windowWidth { sum += row[v] }
            }
            out[i * ow + j] = sum * scale
          }
        }
      }
    }
  }

  /// Average pooling backward over the planes of a range.
  @usableFromInline
  struct AverageBackwardJob<T: DLScalar>: RangeJob {
    @usableFromInline let dy: UnsafePointer<T>
    @usableFromInline let dx: UnsafeMutablePointer<T>
    @usableFromInline let scale: T
    @usableFromInline let g: Geometry

    @inlinable
    init(dy: UnsafePointer<T>, dx: UnsafeMutablePointer<T>, scale: T, g: Geometry) {
      self.dy = dy
      self.dx = dx
      self.scale = scale
      self.g = g
    }

    @inlinable
    func run(_ planes: Range<Int>) {
      let oh = g.outHeight
      let ow = g.outWidth
      for p in planes {
        let plane = dx + p * g.height * g.width
        let grad = dy + p * oh * ow
        plane.update(repeating: 0, count: g.height * g.width)
        for i in 0..<oh {
          for j in 0..<ow {
            let share = grad[i * ow + j] * scale
            let origin = i * g.strideY * g.width + j * g.strideX
            for u in 0..<g.windowHeight {
              let row = plane + origin + u * g.width
              for v in 0..<g.windowWidth { row[v] += share }
            }
          }
        }
      }
    }
  }
}
