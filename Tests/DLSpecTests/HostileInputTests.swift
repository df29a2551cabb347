import Foundation
import Testing

@testable import DLSpec

/// Inputs built to hurt a parser: each must be rejected with a clear code (or, for the large
/// valid spec, accepted), quickly. The time bound is generous; the rejection is the assertion.
@Suite struct HostileInputTests {
  static let bound = 2.0

  /// Checks text and returns the result and the seconds it took.
  func timed(_ text: String) -> (SpecChecker.Result, Double) {
    let start = Date()
    let r = SpecChecker(memoryLimit: 24 << 30).check(SourceFile(path: "hostile.yaml", text: text))
    return (r, Date().timeIntervalSince(start))
  }

  func timed(bytes: [UInt8]) -> ([Diagnostic], Double) {
    let start = Date()
    switch SourceFile.decode(path: "hostile.yaml", bytes: Data(bytes)) {
    case .failure(let d): return ([d], Date().timeIntervalSince(start))
    case .success(let s):
      let r = SpecChecker(memoryLimit: 24 << 30).check(s)
      return (r.diagnostics, Date().timeIntervalSince(start))
    }
  }

  func expectRejected(_ text: String, _ code: DiagnosticCode, _ comment: Comment? = nil) {
    let (r, t) = timed(text)
    #expect(!r.isValid, comment)
    #expect(r.diagnostics.contains { $0.code == code && $0.severity == .error },
      "expected \(code.rawValue), got \(r.diagnostics.map { "\($0.code.rawValue) \($0.message)" })")
    #expect(r.diagnostics.allSatisfy { ($0.location?.line ?? 0) >= 1 })
    #expect(t < Self.bound, "took \(t) s")
  }

  static let validHead = "dlspec: 1\nmodel:\n  input: [784]\n  layers:\n    - dense: {units: 10}\nloss: cross_entropy\n"

  @Test func billionLaughsAliasBomb() {
    // 9 levels, each a list of 10 aliases of the previous: 10⁹ nodes if expanded.
    var text = "a0: &a0 [lol]\n"
    for i in 1...9 {
      let refs = Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ")
      text += "a\(i): &a\(i) [\(refs)]\n"
    }
    text += Self.validHead
    expectRejected(text, .tooManyNodes)
  }

  @Test func deepFlowSequences() {
    expectRejected(String(repeating: "[", count: 50_000), .tooDeep)
    expectRejected(String(repeating: "{a: ", count: 50_000), .tooDeep)
  }

  @Test func deepBlockSequences() {
    expectRejected(String(repeating: "- ", count: 50_000) + "x\n", .tooDeep)
  }

  @Test func deepIndentedMappings() {
    // 50,000 mappings nested by indentation need 1.25 GB of leading spaces, so the size limit
    // refuses them; under it (1,400 levels, ~1 MB) the depth guard's indentation bound fires.
    var text = ""
    for i in 0..<1_400 { text += String(repeating: " ", count: i) + "k:\n" }
    expectRejected(text, .tooDeep)
    let huge = Array(repeating: UInt8(ascii: " "), count: SourceFile.maximumBytes + 1)
    let (diags, t) = timed(bytes: huge)
    #expect(diags.map(\.code) == [.fileTooLarge])
    #expect(t < Self.bound)
  }

  /// DepthGuard's quote tracking treats `\'` as an escape inside single quotes and `\\"` as an
  /// escaped quote, so it misses the brackets after such strings; libyaml's own limit (1000
  /// levels) then stops the parse, and that is reported as E006 too.
  @Test func quotesDoNotHideNesting() {
    expectRejected("a: ['\\', " + String(repeating: "[", count: 50_000), .tooDeep)
    expectRejected("a: [\"\\\\\", " + String(repeating: "[", count: 50_000), .tooDeep)
    expectRejected("a: ['it''s', " + String(repeating: "[", count: 50_000), .tooDeep)
    expectRejected("a: [-'x, " + String(repeating: "[", count: 50_000), .tooDeep)
  }

  @Test func multiMegabyteScalar() {
    let text = Self.validHead + "name: " + String(repeating: "x", count: 5 << 20) + "\n"
    let (diags, t) = timed(bytes: Array(text.utf8))
    #expect(diags.map(\.code) == [.fileTooLarge])
    #expect(t < Self.bound)
    // Just under the limit, a 1 MB description is parsed and accepted, quickly.
    let long = Self.validHead + "description: " + String(repeating: "y", count: 1_000_000) + "\n"
    let (r, t2) = timed(long)
    #expect(r.isValid)
    #expect(t2 < Self.bound)
  }

  @Test(arguments: [
    ("lone continuation byte", [0x80] as [UInt8]),
    ("truncated 2-byte sequence", [0xC3]),
    ("truncated 3-byte sequence", [0xE2, 0x82]),
    ("overlong slash", [0xC0, 0xAF]),
    ("overlong 3-byte NUL", [0xE0, 0x80, 0x80]),
    ("UTF-16 surrogate", [0xED, 0xA0, 0x80]),
    ("beyond U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
    ("invalid lead byte", [0xFF]),
  ])
  func invalidUTF8(name: String, bad: [UInt8]) {
    let bytes = Array("dlspec: 1\nname: ab".utf8) + bad + Array("cd\n".utf8)
    let (diags, t) = timed(bytes: bytes)
    #expect(diags.count == 1, "\(name)")
    #expect(diags.first?.code == .invalidUTF8, "\(name)")
    // The bad byte is on line 2, after "name: ab" (8 columns).
    #expect(diags.first?.location?.line == 2, "\(name)")
    #expect(diags.first?.location?.column == 9, "\(name)")
    #expect(t < Self.bound)
  }

  /// Every numeric field kind: int, number, intPair, padding, intList, numberList, intOrAuto.
  @Test(arguments: [".nan", ".inf", "-.inf", ".NaN", "+.inf"])
  func nonFiniteNumbers(value: String) {
    let numberFields = [
      "optimizer: {sgd: {lr: \(value)}}",
      "optimizer: {adam: {lr: 0.1, beta1: \(value)}}",
      "schedule: {inverse: {c0: \(value), c1: 1}}",
      "schedule: {piecewise: {boundaries: [1], values: [0.1, \(value)]}}",
      "data: {dataset: mnist, validation_split: \(value)}",
    ]
    for field in numberFields {
      let text = Self.validHead + field + "\n"
      let (r, t) = timed(text)
      #expect(!r.isValid, "\(field)")
      #expect(r.diagnostics.contains { $0.code == .notFinite || $0.code == .outOfRange }, "\(field): \(r.diagnostics.map(\.message))")
      #expect(t < Self.bound)
    }
    let intFields = [
      "train: {batch_size: \(value)}",
      "train: {epochs: \(value)}",
      "checkpoint: {every: \(value)}",
      "schedule: {piecewise: {boundaries: [\(value)], values: [0.1, 0.01]}}",
      "dlspec: 1\nmodel: {input: [\(value)], layers: [relu]}\nloss: mse",
    ]
    for field in intFields {
      let text = field.hasPrefix("dlspec") ? field + "\n" : Self.validHead + field + "\n"
      let (r, _) = timed(text)
      #expect(!r.isValid, "\(field)")
      #expect(r.diagnostics.contains { $0.code == .wrongType }, "\(field): \(r.diagnostics.map(\.message))")
    }
    let layerFields = [
      "conv2d: {filters: 2, kernel: \(value)}", "conv2d: {filters: 2, kernel: 3, padding: \(value)}",
      "maxpool: {size: 2, stride: \(value)}", "clipped_relu: {t: \(value)}", "dropout: {p: \(value)}",
      "conv2d: {filters: \(value), kernel: 3}",
    ]
    for layer in layerFields {
      let text = "dlspec: 1\nmodel:\n  input: [1, 8, 8]\n  layers:\n    - \(layer)\n    - flatten\n    - dense: {units: 2}\nloss: mse\n"
      let (r, _) = timed(text)
      #expect(!r.isValid, "\(layer)")
      #expect(r.diagnostics.contains { [.notFinite, .wrongType].contains($0.code) }, "\(layer): \(r.diagnostics.map(\.message))")
    }
  }

  @Test func thousandLayerSpec() {
    var layers = ""
    for i in 0..<1_000 { layers += i % 2 == 0 ? "    - dense: {units: 16}\n" : "    - relu\n" }
    let text = "dlspec: 1\nmodel:\n  input: [16]\n  layers:\n" + layers + "loss: mse\n"
    let (r, t) = timed(text)
    #expect(r.isValid, "\(r.diagnostics.prefix(3).map(\.message))")
    #expect(r.experiment?.model.layers.count == 1_000)
    #expect(r.experiment?.model.layers.last?.name == "relu_500")
    if let e = r.experiment {
      #expect(IRVerifier.verify(e).isEmpty)
      // 500 dense layers of 16×16 + 16.
      #expect(CostReport(e, batch: 1).parameters == 500 * 272)
    }
    #expect(t < Self.bound)
  }

  @Test(arguments: [
    "99999999999999999999", "-99999999999999999999", "18446744073709551616",
    "9223372036854775808", String(repeating: "9", count: 400),
  ])
  func integersBeyond64Bits(value: String) {
    for field in ["train: {batch_size: \(value)}", "train: {seed: \(value)}", "checkpoint: {keep_last: \(value)}"] {
      let (r, t) = timed(Self.validHead + field + "\n")
      #expect(!r.isValid, "\(field)")
      #expect(r.diagnostics.contains { [.wrongType, .outOfRange].contains($0.code) }, "\(field)")
      #expect(t < Self.bound)
    }
    let (r, _) = timed("dlspec: \(value)\nmodel: {input: [4], layers: [relu]}\nloss: mse\n")
    #expect(r.diagnostics.contains { $0.code == .wrongType || $0.code == .unknownVersion })
  }

  /// Regression: sizes near Int.max overflowed `H + 2·padding` and `C·ky·kx` and trapped.
  @Test(arguments: [
    "conv2d: {filters: 1, kernel: 3, padding: 9223372036854775807}",
    "conv2d: {filters: 1, kernel: 3, padding: [4611686018427387904, 1]}",
    "conv2d: {filters: 1, kernel: 2199023255552, padding: 1099511627776}",
    "conv2d: {filters: 9223372036854775807, kernel: 1}",
    "conv2d: {filters: 1, kernel: 1, stride: 9223372036854775807}",
    "maxpool: {size: 1, stride: 9223372036854775807}",
    "avgpool: {size: 9223372036854775807}",
  ])
  func hugeLayerSizes(layer: String) {
    let text = "dlspec: 1\nmodel:\n  input: [1, 8, 8]\n  layers:\n    - \(layer)\n    - flatten\n    - dense: {units: 2}\nloss: mse\n"
    let (r, t) = timed(text)
    if r.isValid, let e = r.experiment {
      #expect(IRVerifier.verify(e).isEmpty)
    } else {
      #expect(r.diagnostics.contains { $0.severity == .error && $0.location != nil })
    }
    #expect(t < Self.bound)
  }

  @Test func hugeDenseLayers() {
    for units in ["2147483648", "9223372036854775807", "100000"] {
      let text = "dlspec: 1\nmodel:\n  input: [100000]\n  layers:\n    - dense: {units: \(units)}\nloss: mse\n"
      expectRejected(text, .tooLarge)
    }
  }

  @Test(arguments: [0x00, 0x01, 0x07, 0x08, 0x0B, 0x0C, 0x1B, 0x7F] as [UInt8])
  func controlBytes(byte: UInt8) {
    for bytes in [
      Array("dlspec: 1\nname: a".utf8) + [byte] + Array("b\n".utf8),
      [byte] + Array(Self.validHead.utf8),
      Array(Self.validHead.utf8) + [byte],
    ] {
      let (diags, t) = timed(bytes: bytes)
      #expect(diags.contains { $0.severity == .error }, "byte \(byte)")
      #expect(diags.allSatisfy { ($0.location?.line ?? 0) >= 1 && ($0.location?.column ?? 0) >= 1 })
      #expect(t < Self.bound)
    }
  }
}
