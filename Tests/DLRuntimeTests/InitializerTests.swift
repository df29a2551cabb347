import DLRuntime
import Testing

@Suite struct InitializerTests {
  static func moments(_ values: [Double]) -> (mean: Double, deviation: Double) {
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
    return (mean, variance.squareRoot())
  }

  @Test func distributionsHaveTheirScales() {
    let count = 20_001  // odd, to cover the half-used last Box–Muller pair
    let t = Tensor<Float>(shape: [count])
    var generator = RandomGenerator(seed: 5)

    t.fill(.nan)
    Initializer.scaledNormal(t.pointer, count: count, fanIn: 100, generator: &generator)
    var m = Self.moments(doubles(t))
    #expect(abs(m.mean) < 0.003 && abs(m.deviation - 0.1) < 0.003)

    Initializer.heNormal(t.pointer, count: count, fanIn: 50, generator: &generator)
    m = Self.moments(doubles(t))
    #expect(abs(m.mean) < 0.006 && abs(m.deviation - 0.2) < 0.006)

    Initializer.xavierUniform(t.pointer, count: count, fanIn: 30, fanOut: 20, generator: &generator)
    let a = (6.0 / 50).squareRoot()
    #expect(t.array.allSatisfy { abs(Double($0)) <= a })
    m = Self.moments(doubles(t))
    #expect(abs(m.deviation - a / 3.0.squareRoot()) < 0.01)

    Initializer.zeros(t.pointer, count: count)
    #expect(t.array.allSatisfy { $0 == 0 })
  }

  @Test func floatAndDoubleAgreeFromOneSeed() {
    let f = Tensor<Float>(shape: [9])
    let d = Tensor<Double>(shape: [9])
    var g1 = RandomGenerator(seed: 9)
    var g2 = RandomGenerator(seed: 9)
    Initializer.scaledNormal(f.pointer, count: 9, fanIn: 4, generator: &g1)
    Initializer.scaledNormal(d.pointer, count: 9, fanIn: 4, generator: &g2)
    #expect(f.array == d.array.map { Float($0) })
  }
}
