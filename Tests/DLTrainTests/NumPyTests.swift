import DLSpec
import Foundation
import Testing

@testable import DLTrain

/// `.npy` and `.npz` readers against files numpy itself writes (values compared with what
/// numpy prints for them), and every malformed case with its message.
@Suite(.enabled(if: NumPyFixtures.available)) struct NumPyTests {
  /// The message of the `DataFileError` (or other error) `body` throws.
  static func message(_ body: () throws -> Void) -> String {
    do {
      try body()
      return "no error"
    } catch let e as DataFileError {
      return "[\(e.code.rawValue)] \(e.located)"
    } catch {
      return "\(error)"
    }
  }

  @Test func float32ImagesAndInt64Labels() throws {
    let f = try NumPyFixtures.make()
    let d = try Dataset.loadNPY(x: f.path("x.npy"), y: f.path("y.npy"))
    #expect(d.sampleShape == [1, 2, 3])
    #expect(d.x == f.floats("x"))
    #expect(d.y == f.ints("y").map { Int32($0) })
    #expect(d.classCount == 3)
  }

  @Test func uint8PixelsBigEndianAndVersion2() throws {
    let f = try NumPyFixtures.make()
    let pixels = try Dataset.loadNPY(x: f.path("pixels.npy"), y: f.path("y4.npy"))
    #expect(pixels.x == f.floats("pixels_scaled"))
    #expect(pixels.sampleShape == [5])
    let big = try Dataset.loadNPY(x: f.path("big.npy"), y: f.path("big_y.npy"))
    #expect(big.x == f.floats("big"))
    #expect(big.y == f.ints("big_y").map { Int32($0) })
    let v2 = try Dataset.loadNPY(x: f.path("v2.npy"), y: f.path("y4.npy"), classCount: 4)
    #expect(v2.x == f.floats("v2"))
  }

  @Test func regressionTargetsOfWidthTwo() throws {
    let f = try NumPyFixtures.make()
    let d = try Dataset.loadNPY(x: f.path("pixels.npy"), y: f.path("targets.npy"), regression: true)
    #expect(d.targetWidth == 2)
    #expect(d.targets == f.floats("targets"))
  }

  @Test func npzStoredAndDeflatedReadAlike() throws {
    let f = try NumPyFixtures.make()
    for name in ["stored.npz", "deflated.npz"] {
      let d = try Dataset.loadNPZ(f.path(name), x: "x_train", y: "y_train")
      #expect(d.x == f.floats("x"), "\(name)")
      #expect(d.y == f.ints("y").map { Int32($0) }, "\(name)")
      let t = try Dataset.loadNPZ(f.path(name), x: "x_test.npy", y: "y_test", classCount: 4)
      #expect(t.x == f.floats("pixels_scaled"), "\(name)")
    }
  }

  @Test func predictInputStreamsBatchesFromTheMapping() throws {
    let f = try NumPyFixtures.make()
    let input = try PredictionInputs.open(f.path("pixels.npy"))
    #expect(input.count == 4)
    #expect(input.sampleShape == [5])
    #expect(!input.hasLabels)
    var x = [Float](repeating: -1, count: 20)
    var labels = [Int32](repeating: 0, count: 4)
    try x.withUnsafeMutableBufferPointer { xb in
      try labels.withUnsafeMutableBufferPointer { lb in
        try input.readNext(3, x: xb.baseAddress!, labels: lb.baseAddress!)
        try input.readNext(1, x: xb.baseAddress! + 15, labels: lb.baseAddress! + 3)
      }
    }
    #expect(x == f.floats("pixels_scaled"))
    #expect(throws: PredictionInputError.badShape(
      "input '\(f.path("y.npy"))' has shape [3]; expected N samples of one or more dimensions")
    ) { _ = try PredictionInputs.open(f.path("y.npy")) }
  }

  @Test func malformedArraysAreNamed() throws {
    let f = try NumPyFixtures.make()
    let y = f.path("y.npy")
    func npy(_ name: String) -> String {
      Self.message { _ = try Dataset.loadNPY(x: f.path(name), y: y) }
    }
    let p = f.prefix
    #expect(npy("fortran.npy") == "[E062] \(p)fortran.npy: the array is in Fortran (column-major) order, which is not supported")
    #expect(npy("complex.npy") == "[E062] \(p)complex.npy: dtype '<c8' is not supported")
    #expect(npy("strings.npy") == "[E062] \(p)strings.npy: dtype '<U3' is not supported")
    #expect(
      npy("structured.npy")
        == "[E062] \(p)structured.npy: header byte \(f.int("structured_list_at")): structured dtypes (a list of fields) are not supported")
    #expect(
      npy("cut.npy")
        == "[E062] \(p)cut.npy: the header claims shape [3, 1, 2, 3] of <f4, 72 bytes of data, but the file has 71 after its header")
    #expect(
      npy("long.npy")
        == "[E062] \(p)long.npy: the header claims shape [3, 1, 2, 3] of <f4, 72 bytes of data, but the file has 73 after its header")
    #expect(npy("empty.npy") == "[E062] \(p)empty.npy: the file is empty")
    #expect(npy("stored.npz") == "[E062] \(p)stored.npz: not a .npy file (it does not start with \\x93NUMPY)")
    #expect(npy("version9.npy") == "[E062] \(p)version9.npy: format version 9.0 is not one this build reads (1.0, 2.0, 3.0)")
    // A label file of the wrong shape, and a count mismatch, name both files.
    #expect(
      Self.message { _ = try Dataset.loadNPY(x: f.path("x.npy"), y: f.path("y4.npy")) }
        == "\(p)x.npy: 'x' has 3 samples but \(p)y4.npy: 'y' has 4 labels")
  }

  @Test func handWrittenHeadersAreCheckedByteByByte() {
    func parse(_ header: String, data: Int = 0) -> String {
      var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
      bytes += [UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)]
      bytes += Array(header.utf8) + [UInt8](repeating: 0, count: data)
      return Self.message {
        _ = try bytes.withUnsafeBytes { try NPYArray.parse($0, name: "h.npy") }
      }
    }
    let ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n"
    #expect(parse(ok, data: 8) == "no error")
    #expect(parse("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}") == "[E062] h.npy: header byte 66: unknown header key 'x'")
    #expect(parse("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,)}") == "[E062] h.npy: header byte 44: expected True or False")
    #expect(parse("{'descr': '<f4', 'shape': (2,)}") == "[E062] h.npy: header byte 41: the header has no 'fortran_order'")
    #expect(parse("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1)}") == "[E062] h.npy: header byte 64: expected a non-negative integer")
    #expect(parse("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999)}") == "[E062] h.npy: the shape [99999999999, 99999999999] claims more bytes than any file holds")
    #expect(parse("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x") == "[E062] h.npy: header byte 66: text after the header's closing '}'")
    #expect(parse("{'descr': '<f4") == "[E062] h.npy: header byte 24: unterminated string")
  }

  @Test func damagedArchivesAreNamed() throws {
    let f = try NumPyFixtures.make()
    let p = f.prefix
    func npz(_ name: String, x: String = "x_train") -> String {
      Self.message { _ = try Dataset.loadNPZ(f.path(name), x: x, y: "y_train") }
    }
    #expect(npz("stored.npz", x: "inputs") == "[E063] \(p)stored.npz: the archive has no array 'inputs'")
    #expect(npz("x.npy") == "[E063] \(p)x.npy: not a zip archive (no end-of-central-directory record)")
    #expect(npz("empty.npy") == "[E063] \(p)empty.npy: the file is empty")
    #expect(
      npz("crc.npz")
        == "[E063] \(p)crc.npz: member 'x_train.npy' fails its CRC-32 check (stored \(f.string("crc_stored")), computed \(f.string("crc_damaged"))): its bytes are damaged")
    #expect(npz("inflate.npz") == "[E063] \(p)inflate.npz: member 'x_train.npy': corrupt deflate data")
    #expect(npz("bzip2.npz") == "[E063] \(p)bzip2.npz: member 'x_train.npy' uses compression method 12; only stored (0) and deflate (8) are read")
    #expect(npz("truncated.npz") == "[E063] \(p)truncated.npz: not a zip archive (no end-of-central-directory record)")
    #expect(npz("directory.npz") == "[E063] \(p)directory.npz: central directory entry 0 is damaged (byte \(f.int("directory_at")))")
  }
}

/// Files written by numpy (`python3`), with what numpy says their values are.
final class NumPyFixtures {
  static let available: Bool = DataFixtures.python("import numpy")?.0 == 0

  let dir: TemporaryDirectory
  let expected: [String: Any]

  private init(dir: TemporaryDirectory, expected: [String: Any]) {
    self.dir = dir
    self.expected = expected
  }

  func path(_ name: String) -> String { dir.path(name) }
  /// The directory with a trailing `/`.
  var prefix: String { dir.url.path + "/" }
  func floats(_ key: String) -> [Float] { (expected[key] as? [Double] ?? []).map { Float($0) } }
  func ints(_ key: String) -> [Int] { expected[key] as? [Int] ?? [] }
  func int(_ key: String) -> Int { expected[key] as? Int ?? -1 }
  func string(_ key: String) -> String { expected[key] as? String ?? "?" }

  static func make() throws -> NumPyFixtures {
    let dir = try TemporaryDirectory()
    let result = try #require(DataFixtures.python(script, [dir.url.path + "/"]))
    guard result.0 == 0 else {
      Issue.record("numpy fixture script failed: \(result.2)")
      throw CancellationError()
    }
    let json = try JSONSerialization.jsonObject(with: Data(result.1.utf8))
    return NumPyFixtures(dir: dir, expected: json as? [String: Any] ?? [:])
  }

  /// Float32 values are printed as their exact float64 value (`float(np.float32(v))`).
  static let script = #"""
    import io, json, sys, zipfile, zlib
    import numpy as np
    d = sys.argv[1]
    out = {}
    x = (np.arange(18, dtype=np.float32).reshape(3, 1, 2, 3) / np.float32(7)) - np.float32(1)
    y = np.array([2, 0, 1], dtype=np.int64)
    np.save(d + "x.npy", x); np.save(d + "y.npy", y)
    out["x"] = [float(v) for v in x.ravel()]; out["y"] = y.tolist()
    pixels = np.array([[0, 1, 128, 254, 255], [3, 5, 7, 11, 13]] * 2, dtype=np.uint8)
    np.save(d + "pixels.npy", pixels)
    out["pixels_scaled"] = [float(v) for v in (pixels.astype(np.float32) / np.float32(255)).ravel()]
    np.save(d + "y4.npy", np.array([0, 1, 2, 3], dtype=np.uint8))
    big = np.array([[1.5, -2.25], [1e-3, 3e5], [7, 8]], dtype=">f8")
    np.save(d + "big.npy", big); out["big"] = [float(np.float32(v)) for v in big.ravel()]
    big_y = np.array([1, 0, 1], dtype=">i2"); np.save(d + "big_y.npy", big_y); out["big_y"] = big_y.tolist()
    v2 = np.linspace(-1, 1, 8, dtype=np.float32).reshape(4, 2)
    with open(d + "v2.npy", "wb") as f: np.lib.format.write_array(f, v2, version=(2, 0))
    out["v2"] = [float(v) for v in v2.ravel()]
    targets = np.array([[0.5, -1], [2, 3.25], [1e-7, 4], [-8, 0]], dtype=np.float64)
    np.save(d + "targets.npy", targets); out["targets"] = [float(np.float32(v)) for v in targets.ravel()]
    np.savez(d + "stored.npz", x_train=x, y_train=y, x_test=pixels, y_test=np.arange(4))
    np.savez_compressed(d + "deflated.npz", x_train=x, y_train=y, x_test=pixels, y_test=np.arange(4))
    np.save(d + "fortran.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(3, 2)))
    np.save(d + "complex.npy", np.zeros((3, 2), dtype=np.complex64))
    np.save(d + "strings.npy", np.array(["abc", "de", "f"]))
    np.save(d + "structured.npy", np.zeros(3, dtype=[("a", "<f4")]))
    head = open(d + "structured.npy", "rb").read()
    out["structured_list_at"] = head.index(b"[")
    raw = open(d + "x.npy", "rb").read()
    open(d + "cut.npy", "wb").write(raw[:-1]); open(d + "long.npy", "wb").write(raw + b"\0")
    open(d + "empty.npy", "wb").close()
    open(d + "version9.npy", "wb").write(raw[:6] + b"\x09" + raw[7:])
    stored = open(d + "stored.npz", "rb").read()
    z = zipfile.ZipFile(d + "stored.npz"); info = z.getinfo("x_train.npy")
    out["crc_stored"] = "0x%08x" % info.CRC
    lh = stored[info.header_offset:]
    start = info.header_offset + 30 + int.from_bytes(lh[26:28], "little") + int.from_bytes(lh[28:30], "little")
    damaged = bytearray(stored); damaged[start + info.file_size - 1] ^= 0x01
    open(d + "crc.npz", "wb").write(bytes(damaged))
    member = bytes(damaged[start:start + info.file_size])
    out["crc_damaged"] = "0x%08x" % (zlib.crc32(member) & 0xffffffff)
    deflated = open(d + "deflated.npz", "rb").read()
    zi = zipfile.ZipFile(d + "deflated.npz").getinfo("x_train.npy")
    lh = deflated[zi.header_offset:]
    dstart = zi.header_offset + 30 + int.from_bytes(lh[26:28], "little") + int.from_bytes(lh[28:30], "little")
    bad = bytearray(deflated)
    for k in range(4): bad[dstart + k] = 0xff
    open(d + "inflate.npz", "wb").write(bytes(bad))
    first = stored.index(b"PK\x01\x02")
    method = bytearray(stored); method[first + 10] = 12
    open(d + "bzip2.npz", "wb").write(bytes(method))
    open(d + "truncated.npz", "wb").write(stored[:len(stored) // 2])
    broken = bytearray(stored); broken[first] = 0x51
    open(d + "directory.npz", "wb").write(bytes(broken)); out["directory_at"] = first
    print(json.dumps(out))
    """#
}
