/// Parameter initialisers drawing from a seeded `RandomGenerator`, so a seed fixes the model.
///
/// `fanIn` is the number of inputs per output unit (dense: `in`; conv2d: C·KH·KW) and `fanOut`
/// the outputs per input (dense: `out`; conv2d: F·KH·KW).
///
/// | function          | distribution                                     |
/// |-------------------|--------------------------------------------------|
/// | `scaledNormal`    | N(0, 1) / √fanIn  (the notes' numpy example)      |
/// | `xavierUniform`   | U(−a, a), a = √(6 / (fanIn + fanOut))  (Glorot)   |
/// | `heNormal`        | N(0, 1) · √(2 / fanIn)  (for ReLU layers)         |
/// | `zeros`           | 0 (biases)                                        |
///
/// Normal draws use Box–Muller pairs in element order; values are computed in `Double` and
/// rounded once, so Float and Double models from one seed agree to Float precision.
public enum Initializer {
  /// `values[i] = N(0, 1) / √fanIn`.
  public static func scaledNormal<T: DLScalar>(
    _ values: UnsafeMutablePointer<T>, count: Int, fanIn: Int,
    generator: inout RandomGenerator
  ) {
    normal(
      values, count: count, standardDeviation: 1 / Double(fanIn).squareRoot(),
      generator: &generator)
  }

  /// `values[i] = N(0, 1) · √(2 / fanIn)`.
  public static func heNormal<T: DLScalar>(
    _ values: UnsafeMutablePointer<T>, count: Int, fanIn: Int,
    generator: inout RandomGenerator
  ) {
    normal(
      values, count: count, standardDeviation: (2 / Double(fanIn)).squareRoot(),
      generator: &generator)
  }

  /// `values[i] ~ U(−a, a)`, a = √(6 / (fanIn + fanOut)).
  public static func xavierUniform<T: DLScalar>(
    _ values: UnsafeMutablePointer<T>, count: Int, fanIn: Int, fanOut: Int,
    generator: inout RandomGenerator
  ) {
    let a = (6 / Double(fanIn + fanOut)).squareRoot()
    for i in 0..<count {
      values[i] = T((2 * generator.nextUniform() - 1) * a)
    }
  }

  /// `values[i] = 0`.
  public static func zeros<T: DLScalar>(_ values: UnsafeMutablePointer<T>, count: Int) {
    values.update(repeating: 0, count: count)
  }

  /// `values[i] = N(0, σ²)`, filled two at a time from Box–Muller pairs (an odd count drops
  /// the last pair's second sample).
  public static func normal<T: DLScalar>(
    _ values: UnsafeMutablePointer<T>, count: Int, standardDeviation: Double,
    generator: inout RandomGenerator
  ) {
    var i = 0
    while i < count {
      let (a, b) = generator.nextNormalPair()
      values[i] = T(a * standardDeviation)
      if i + 1 < count { values[i + 1] = T(b * standardDeviation) }
      i += 2
    }
  }
}
