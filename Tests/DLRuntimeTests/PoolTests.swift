import DLRuntime
import DLSpecTestSupport
import Testing

@Suite struct PoolTests {
  static let geometries: [Pool.Geometry] = [
    .init(planes: 6, height: 4, width: 6, windowHeight: 2, windowWidth: 2),
    // Floor output: 7 = 3·2 + 1 leaves the last row and column out.
    .init(planes: 2, height: 7, width: 7, windowHeight: 2, windowWidth: 2),
    // Overlapping windows (stride < size) and rectangular windows.
    .init(
      planes: 3, height: 6, width: 7, windowHeight: 3, windowWidth: 2, strideY: 1,
      strideX: 2),
  ]

  func forwardMatches<T: DLScalar>(_ type: T.Type, _ g: Pool.Geometry) {
    let values = randomValues(g.inputCount, seed: 40)
    let x = tensor(T.self, [g.inputCount], values)
    let y = Tensor<T>(shape: [g.outputCount])
    let indices = Tensor<Int32>(shape: [g.outputCount])
    let argmax = indices.pointer
    let reference = Reference.pool(
      x: doubles(x), planes: g.planes, height: g.height, width: g.width,
      window: (g.windowHeight, g.windowWidth), stride: (g.strideY, g.strideX), average: false)
    Pool.maxForward(x: x.pointer, y: y.pointer, argmax: argmax, geometry: g)
    #expect(doubles(y) == reference.values, "max \(T.self)")
    #expect((0..<g.outputCount).map { Int(argmax[$0]) } == reference.argmax)

    let average = Reference.pool(
      x: doubles(x), planes: g.planes, height: g.height, width: g.width,
      window: (g.windowHeight, g.windowWidth), stride: (g.strideY, g.strideX), average: true)
    Pool.averageForward(x: x.pointer, y: y.pointer, geometry: g)
    expectClose(doubles(y), average.values, tolerance: tolerance(T.self), "avg \(T.self)")
  }

  @Test(arguments: geometries)
  func forward(_ g: Pool.Geometry) {
    #expect(g.isValid)
    forwardMatches(Float.self, g)
    forwardMatches(Double.self, g)
  }

  @Test(arguments: geometries)
  func backwardMatchesCentralDifferences(_ g: Pool.Geometry) {
    // Random distinct values: no two in a window lie within 2Δ, so max is smooth locally.
    let xs = randomValues(g.inputCount, seed: 41)
    let up = randomValues(g.outputCount, seed: 42)
    let x = Tensor<Double>(shape: [g.inputCount], values: xs)
    let dy = Tensor<Double>(shape: [g.outputCount], values: up)
    let dx = Tensor<Double>(shape: [g.inputCount])
    let y = Tensor<Double>(shape: [g.outputCount])
    let indices = Tensor<Int32>(shape: [g.outputCount])
    let argmax = indices.pointer
    for average in [false, true] {
      dx.fill(.nan)
      if average {
        Pool.averageBackward(dy: dy.pointer, dx: dx.pointer, geometry: g)
      } else {
        Pool.maxForward(x: x.pointer, y: y.pointer, argmax: argmax, geometry: g)
        Pool.maxBackward(dy: dy.pointer, argmax: argmax, dx: dx.pointer, geometry: g)
      }
      let numeric = numericGradient(xs) { theta in
        let pooled = Reference.pool(
          x: theta, planes: g.planes, height: g.height, width: g.width,
          window: (g.windowHeight, g.windowWidth), stride: (g.strideY, g.strideX),
          average: average)
        return weightedSum(pooled.values, up)
      }
      expectGradient(dx.array, numeric, average ? "avg" : "max")
    }
  }

  @Test func validity() {
    #expect(!Pool.Geometry(planes: 1, height: 1, width: 4, windowHeight: 2, windowWidth: 2).isValid)
    #expect(
      Pool.Geometry(planes: 1, height: 3, width: 3, windowHeight: 2, windowWidth: 2).outHeight == 1)
  }

  @Test func tiesRouteToFirstMaximum() {
    let g = Pool.Geometry(planes: 1, height: 2, width: 2, windowHeight: 2, windowWidth: 2)
    let x = Tensor<Float>(shape: [4], values: [1, 3, 3, 3])
    let y = Tensor<Float>(shape: [1])
    var argmax: Int32 = -1
    Pool.maxForward(x: x.pointer, y: y.pointer, argmax: &argmax, geometry: g)
    #expect(y[0] == 3 && argmax == 1)
    let dy = Tensor<Float>(shape: [1], values: [5])
    let dx = Tensor<Float>(shape: [4])
    Pool.maxBackward(dy: dy.pointer, argmax: &argmax, dx: dx.pointer, geometry: g)
    #expect(dx.array == [0, 5, 0, 0])
  }
}

extension Pool.Geometry: CustomTestStringConvertible {
  public var testDescription: String {
    "P\(planes) \(height)x\(width) w\(windowHeight)x\(windowWidth) s\(strideY),\(strideX)"
  }
}
