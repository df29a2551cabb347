import DLRuntime
import Testing

@Suite struct TensorTests {
  @Test func zerosAlignedAndIndexed() {
    let t = Tensor<Float>(shape: [2, 3, 4])
    #expect(t.count == 24)
    #expect(t.array.allSatisfy { $0 == 0 })
    #expect(Int(bitPattern: t.pointer) % 64 == 0)
    t[1, 2, 3] = 7
    #expect(t.pointer[23] == 7)
    #expect(t.offset([1, 0, 2]) == 14)
  }

  @Test func fromValuesFillAndCopy() {
    let t = Tensor<Double>(shape: [2, 2], values: [1, 2, 3, 4])
    #expect(t[1, 0] == 3)
    let u = Tensor<Double>(shape: [4])
    u.copy(from: t)
    #expect(u.array == [1, 2, 3, 4])
    u.fill(5)
    #expect(u.array == [5, 5, 5, 5])
    #expect(Tensor<Float>(shape: []).count == 1)
    #expect(Tensor<Float>(shape: [0, 3]).count == 0)
  }

  @Test func int32TensorsHoldLabels() {
    let labels = Tensor<Int32>(shape: [3], values: [2, 0, 1])
    let logits = Tensor<Float>(shape: [3, 3], values: [0, 0, 1, 1, 0, 0, 0, 1, 0])
    #expect(
      Metrics.correctCount(
        scores: logits.pointer, labels: labels.pointer, batch: 3, classes: 3) == 3)
  }
}
