import Foundation
import Testing

@testable import DLTrain

@Suite struct SHA256Tests {
  /// FIPS 180-4 / NIST example vectors, plus lengths around the 55/56/64-byte padding edges.
  @Test(arguments: [
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    (
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    ),
    (
      "The quick brown fox jumps over the lazy dog",
      "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"
    ),
  ])
  func knownVectors(message: String, digest: String) {
    #expect(SHA256.hex(of: Array(message.utf8)) == digest)
  }

  @Test func millionAs() {
    var hasher = SHA256()
    let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
    for _ in 0..<1000 {
      hasher.update(chunk)
    }
    #expect(
      hasher.finalizeHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  @Test func incrementalMatchesOneShotAcrossBlockEdges() {
    let bytes = (0..<300).map { UInt8($0 % 251) }
    for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 300] {
      let message = Array(bytes[0..<length])
      var hasher = SHA256()
      for piece in stride(from: 0, to: length, by: 7) {
        hasher.update(message[piece..<min(length, piece + 7)])
      }
      #expect(hasher.finalizeHex() == SHA256.hex(of: message), "length \(length)")
    }
  }

  @Test func fileMatchesSha256sum() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("blob")
    let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    #expect(try SHA256.hex(ofFileAt: path) == SHA256.hex(of: bytes))
    guard let (status, out, _) = DataFixtures.python(
      "import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())",
      [path]), status == 0
    else { return }
    #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == SHA256.hex(of: bytes))
  }
}
