import Foundation
import Testing

@testable import DLTrain

@Suite struct IDXFileTests {
  @Test(arguments: [false, true])
  func roundTrip(gzip: Bool) throws {
    let dir = try TemporaryDirectory()
    let (images, labels) = try DataFixtures.writeIDX(in: dir, prefix: "t", count: 5, gzip: gzip)
    let imageArray = try IDXFile.read(images)
    #expect(imageArray.elementType == .uint8)
    #expect(imageArray.shape == [5, 2, 3])
    #expect(imageArray.payload == DataFixtures.pixels(count: 5))
    let labelArray = try IDXFile.read(labels)
    #expect(labelArray.shape == [5])
    #expect(labelArray.payload == [0, 1, 2, 0, 1])
  }

  @Test func headerIsBigEndian() {
    let bytes = IDXFile.encode(IDXArray(uint8: [UInt8](repeating: 0, count: 300), shape: [300]))
    #expect(Array(bytes[0..<8]) == [0, 0, 8, 1, 0, 0, 1, 44])
  }

  @Test func gzipIsDetectedByMagicNotName() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("no-suffix")
    try IDXFile.write(IDXArray(uint8: [1, 2, 3], shape: [3]), to: path, gzip: true)
    #expect(try IDXFile.read(path).payload == [1, 2, 3])
  }

  @Test func otherElementTypesConvert() throws {
    // int32 [-2, 70000] and float32 [1.5], big-endian.
    let ints = try IDXFile.decode(
      [0, 0, 0x0C, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xfe, 0, 1, 0x11, 0x70], path: "x")
    #expect(ints.floatValues() == [-2, 70000])
    #expect(ints.integerValues() == [-2, 70000])
    let floats = try IDXFile.decode([0, 0, 0x0D, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0], path: "x")
    #expect(floats.floatValues() == [1.5])
  }

  @Test(arguments: [
    ([0, 0, 8] as [UInt8], IDXError.tooShort(path: "f", byteCount: 3)),
    ([1, 0, 8, 1, 0, 0, 0, 0], IDXError.badMagic(path: "f", bytes: [1, 0, 8, 1])),
    ([0, 0, 8, 0], IDXError.badMagic(path: "f", bytes: [0, 0, 8, 0])),
    ([0, 0, 7, 1, 0, 0, 0, 0], IDXError.unsupportedElementType(path: "f", code: 7)),
    ([0, 0, 8, 2, 0, 0, 0, 2], IDXError.tooShort(path: "f", byteCount: 8)),
    ([0, 0, 8, 1, 0, 0, 0, 3, 1, 2],
     IDXError.payloadLength(path: "f", shape: [3], expected: 3, actual: 2)),
    ([0, 0, 8, 1, 0, 0, 0, 1, 1, 2],
     IDXError.payloadLength(path: "f", shape: [1], expected: 1, actual: 2)),
  ])
  func corruptHeadersThrow(bytes: [UInt8], expected: IDXError) {
    #expect(throws: expected) { try IDXFile.decode(bytes, path: "f") }
  }

  @Test func truncatedGzipThrowsNamingTheFile() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("big.gz")
    let values = (0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) }
    try IDXFile.write(IDXArray(uint8: values, shape: [20_000]), to: path, gzip: true)
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
    do {
      _ = try IDXFile.read(path)
      Issue.record("truncated gzip was accepted")
    } catch let error as IDXError {
      #expect(error.description.contains(path))
    }
  }

  @Test func missingFile() {
    #expect(throws: IDXError.fileNotFound(path: "/nonexistent/x.idx")) {
      try IDXFile.read("/nonexistent/x.idx")
    }
  }
}
