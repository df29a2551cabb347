import DLRuntime
import Testing

@Suite struct DropoutTests {
  @Test(arguments: [0.0, 0.25, 0.5, 0.9])
  func maskIsInvertedAndReproducible(rate: Double) {
    let count = 10_001  // odd: the last element takes a draw of its own
    let x = Tensor<Float>(shape: [count])
    x.fill(2)
    let y = Tensor<Float>(shape: [count])
    let mask = Tensor<Float>(shape: [count])
    var generator = RandomGenerator(seed: 3)
    let saved = generator.state
    DropoutKernel.forward(
      x: x.pointer, y: y.pointer, mask: mask.pointer, count: count, rate: rate,
      generator: &generator)
    let keep = Float(1 / (1 - rate))
    #expect(mask.array.allSatisfy { $0 == 0 || $0 == keep })
    #expect(zip(y.array, mask.array).allSatisfy { $0 == 2 * $1 })
    let dropped = Double(mask.array.filter { $0 == 0 }.count) / Double(count)
    #expect(abs(dropped - rate) < 0.02)

    // The same generator state gives the same mask.
    var replay = RandomGenerator(state: saved)
    let again = Tensor<Float>(shape: [count])
    DropoutKernel.forward(
      x: x.pointer, y: y.pointer, mask: again.pointer, count: count, rate: rate,
      generator: &replay)
    #expect(again.array == mask.array)
    #expect(replay == generator)

    // Backward multiplies by the mask, in place.
    let gradient = Tensor<Float>(shape: [count])
    gradient.fill(3)
    DropoutKernel.backward(dy: gradient.pointer, mask: mask.pointer, dx: gradient.pointer, count: count)
    #expect(zip(gradient.array, mask.array).allSatisfy { $0 == 3 * $1 })
  }
}
