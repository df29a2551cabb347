import DLONNX
import Foundation
import Testing

@Suite struct FloatTensorTests {
  /// raw_data is little-endian float32: 1.0 is 00 00 80 3f, -2.5 is 00 00 20 c0.
  @Test func writesRawLittleEndianFloat32() {
    let t = FloatTensor(dims: [2], values: [1, -2.5]).proto(named: "w")
    #expect(t.name == "w")
    #expect(t.dims == [2])
    #expect(t.dataType == 1)
    #expect([UInt8](t.rawData) == [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0])
  }

  @Test func readsFloatDataAndRawData() throws {
    var t = Onnx_TensorProto()
    t.dataType = 1
    t.dims = [1, 2]
    t.floatData = [3, 4]
    #expect(try FloatTensor(t) == FloatTensor(dims: [1, 2], values: [3, 4]))
    let raw = FloatTensor(dims: [2], values: [1, -2.5]).proto(named: "w")
    #expect(try FloatTensor(raw) == FloatTensor(dims: [2], values: [1, -2.5]))
  }

  @Test func refusesOtherTypesAndWrongCounts() {
    var t = Onnx_TensorProto()
    t.dataType = 7  // int64
    #expect(throws: FloatTensor.ReadProblem.notFloat(dataType: 7)) { try FloatTensor(t) }
    t.dataType = 1
    t.dims = [3]
    t.floatData = [1, 2]
    #expect(throws: FloatTensor.ReadProblem.wrongCount(expected: 3, found: 2)) {
      try FloatTensor(t)
    }
  }
}
