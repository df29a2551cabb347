import DLRuntime
import Foundation
import Testing

@testable import DLSpec

/// Seeded fuzzing of the whole front end: mutated example specs, random bytes and randomly
/// generated well-formed specs. Whatever the input, checking must not crash, and the result is
/// either valid (the IR verifier passes and cost computes) or carries a located error.
@Suite struct FuzzTests {
  /// Cases per shard; shards run in parallel. 8 × 1,300 = 10,400 cases in total.
  static let shards = Array(0..<8)
  static let casesPerShard = 1_300

  @Test(arguments: shards)
  func mutatedExamplesRandomBytesAndGeneratedSpecs(shard: Int) {
    var rng = SplitMix64(seed: 0xD15C_0000 + UInt64(shard))
    let examples = TestSpecs.examples.map(\.text)
    #expect(examples.count >= 5)
    var valid = 0
    for i in 0..<Self.casesPerShard {
      let id = "shard \(shard) case \(i)"
      switch i % 10 {
      case 0..<6:
        var text = examples[rng.below(examples.count)]
        for _ in 0...rng.below(3) { text = Mutator.mutate(text, &rng) }
        if FuzzOracle.check(text: text, id: id) { valid += 1 }
      case 6:
        FuzzOracle.check(bytes: Mutator.randomBytes(&rng), id: id)
      case 7:
        var bytes = Array(examples[rng.below(examples.count)].utf8)
        Mutator.mutateBytes(&bytes, &rng)
        FuzzOracle.check(bytes: bytes, id: id)
      default:
        let text = SpecGenerator.randomSpec(&rng)
        // Generated specs are well-formed by construction: they must be accepted.
        let accepted = FuzzOracle.check(text: text, id: id)
        #expect(accepted, "\(id): a generated spec was rejected\n\(text)")
        if accepted { valid += 1 }
      }
    }
    // Mutations should not all be rejected: a fuzzer that never reaches the IR tests little.
    #expect(valid > Self.casesPerShard / 5)
  }
}

/// The property every input must satisfy.
enum FuzzOracle {
  /// Returns whether the text was valid.
  @discardableResult
  static func check(text: String, id: String) -> Bool {
    judge(SpecChecker(memoryLimit: 24 << 30).check(SourceFile(path: "fuzz.yaml", text: text)), id: id, text: text)
  }

  static func check(bytes: [UInt8], id: String) {
    switch SourceFile.decode(path: "fuzz.yaml", bytes: Data(bytes)) {
    case .failure(let d):
      #expect(d.severity == .error, "\(id)")
      expectLocated(d, id: id)
    case .success(let source):
      judge(SpecChecker(memoryLimit: 24 << 30).check(source), id: id, text: source.text)
    }
  }

  @discardableResult
  static func judge(_ result: SpecChecker.Result, id: String, text: String) -> Bool {
    if result.isValid, let e = result.experiment {
      let violations = IRVerifier.verify(e)
      #expect(violations.isEmpty, "\(id): \(violations)\n\(text.prefix(2000))")
      let report = CostReport(e, batch: e.train.value.batchSize)
      #expect(report.parameters == e.model.parameterCount, "\(id)")
      #expect(report.memory.totalBytes > 0, "\(id)")
      #expect(report.forwardOps > 0 && report.backwardOps >= 0, "\(id)")
      return true
    }
    let errors = result.diagnostics.filter { $0.severity == .error }
    #expect(!errors.isEmpty, "\(id): invalid but no error\n\(text.prefix(2000))")
    for d in errors { expectLocated(d, id: id) }
    return false
  }

  static func expectLocated(_ d: Diagnostic, id: String) {
    #expect(d.location != nil, "\(id): \(d.code.rawValue) \(d.message) has no location")
    if let l = d.location {
      #expect(l.line >= 1 && l.column >= 1, "\(id): \(d.code.rawValue) at \(l)")
    }
  }
}

/// The fuzzers draw from DLRuntime's seeded SplitMix64, so every failure reproduces from its id.
extension SplitMix64 {
  mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
  mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
}

enum Mutator {
  static let extremes = [
    "0", "-1", "1e308", "-1e308", ".nan", ".inf", "-.inf", "99999999999999999999",
    "9223372036854775807", "-9223372036854775808", "2147483648", "4294967296", "1.5", "1e-320",
    "0x10", "null", "~", "true", "\"\"", "[]", "{}", "[1, 2]", "same", "auto",
    String(repeating: "x", count: 10_000), String(repeating: "9", count: 400),
  ]

  static func mutate(_ text: String, _ rng: inout SplitMix64) -> String {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard !lines.isEmpty else { return text }
    let i = rng.below(lines.count)
    switch rng.below(7) {
    case 0:
      lines.remove(at: i)
    case 1:
      lines.insert(lines[i], at: i)
    case 2:
      lines.swapAt(i, rng.below(lines.count))
    case 3, 4:
      lines[i] = replaceNumber(in: lines[i], &rng)
    case 5:
      // Re-indent a line: the classic YAML mistake.
      lines[i] = String(repeating: " ", count: rng.below(6)) + lines[i].drop { $0 == " " }
    default:
      var bytes = Array(text.utf8)
      mutateBytes(&bytes, &rng)
      return String(decoding: bytes, as: UTF8.self)
    }
    return lines.joined(separator: "\n")
  }

  /// Replaces one number (or, failing that, the value after a colon) with an extreme.
  static func replaceNumber(in line: String, _ rng: inout SplitMix64) -> String {
    let chars = Array(line)
    var runs: [Range<Int>] = []
    var start: Int? = nil
    for (j, c) in chars.enumerated() {
      if c.isNumber || c == "." {
        if start == nil { start = j }
      } else if let s = start {
        runs.append(s..<j)
        start = nil
      }
    }
    if let s = start { runs.append(s..<chars.count) }
    let value = rng.pick(extremes)
    if !runs.isEmpty {
      let r = rng.pick(runs)
      return String(chars[..<r.lowerBound]) + value + String(chars[r.upperBound...])
    }
    if let colon = line.firstIndex(of: ":") {
      return String(line[...colon]) + " " + value
    }
    return line + " " + value
  }

  static func mutateBytes(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
    for _ in 0...rng.below(4) {
      let i = rng.below(bytes.count + 1)
      switch rng.below(3) {
      case 0 where i < bytes.count: bytes[i] ^= UInt8(1 << rng.below(8))
      case 1: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: i)
      default: if i < bytes.count { bytes.remove(at: i) }
      }
    }
  }

  static func randomBytes(_ rng: inout SplitMix64) -> [UInt8] {
    let alphabet = Array("dlspec: 1\nmodel:\n  input: [784]\n  layers:\n- {}[]&*!|>'\"%@`#,?".utf8)
    return (0..<rng.below(300)).map { _ in
      rng.below(2) == 0 ? rng.pick(alphabet) : UInt8(truncatingIfNeeded: rng.next())
    }
  }
}

/// Random well-formed specs: random input shapes and layer stacks that fit them by construction.
enum SpecGenerator {
  static func randomSpec(_ rng: inout SplitMix64) -> String {
    var layers: [String] = []
    var shape: [Int]
    if rng.below(2) == 0 {
      shape = [1 + rng.below(300)]
    } else {
      shape = [1 + rng.below(4), 4 + rng.below(29), 4 + rng.below(29)]
    }
    let input = shape
    let activations = [
      "relu", "tanh", "sigmoid", "clipped_relu: {t: 6}", "dropout: {p: 0.25}", "leaky_relu",
      "batchnorm: {momentum: 0.3}",
    ]
    for _ in 0..<rng.below(8) {
      if shape.count == 3 {
        switch rng.below(5) {
        case 0, 1:
          let k = 1 + rng.below(min(5, shape[1], shape[2]))
          let f = 1 + rng.below(8)
          let s = 1 + rng.below(2)
          let p = rng.below(3)
          let bias = rng.below(2) == 0
          layers.append("conv2d: {filters: \(f), kernel: \(k), stride: \(s), padding: \(p), bias: \(bias)}")
          shape = [f, (shape[1] + 2 * p - k) / s + 1, (shape[2] + 2 * p - k) / s + 1]
        case 2:
          let k = 1 + rng.below(min(3, shape[1], shape[2]))
          let pool = rng.below(2) == 0 ? "maxpool" : "avgpool"
          if rng.below(2) == 0 {
            layers.append("\(pool): {size: \(k)}")
            shape = [shape[0], (shape[1] - k) / k + 1, (shape[2] - k) / k + 1]
          } else {
            layers.append("\(pool): {size: [\(k), \(k)], stride: 1}")
            shape = [shape[0], shape[1] - k + 1, shape[2] - k + 1]
          }
        case 3:
          layers.append(rng.pick(activations))
        default:
          layers.append("flatten")
          shape = [shape.reduce(1, *)]
        }
      } else {
        if rng.below(2) == 0 {
          let u = 1 + rng.below(200)
          layers.append("dense: {units: \(u)\(rng.below(3) == 0 ? ", bias: false" : "")}")
          shape = [u]
        } else {
          layers.append(rng.pick(activations + ["flatten"]))
        }
      }
    }
    if shape.count == 3 { layers.append("flatten") }
    let classes = 2 + rng.below(20)
    layers.append("dense: {units: \(classes)}")
    let loss = rng.pick(["cross_entropy", "mse", "l1"])
    if loss == "cross_entropy" && rng.below(2) == 0 { layers.append(rng.pick(["softmax", "log_softmax"])) }
    let optimizer = rng.pick([
      "sgd: {lr: 0.1}", "sgd: {lr: 0.01, momentum: 0.9, nesterov: true}", "adam: {lr: 0.001}",
      "rmsprop: {lr: 0.001, momentum: 0.5}",
    ])
    let schedule = rng.pick([
      "constant", "inverse: {c0: 1, c1: 10}", "step: {step_size: 3}",
      "exponential: {gamma: 0.9, unit: step}",
      "piecewise: {boundaries: [5, 10], values: [0.1, 0.01, 0.001]}",
    ])
    return """
      dlspec: 1
      model:
        input: \(input)
        layers:
      \(layers.map { "    - " + $0 }.joined(separator: "\n"))
      loss: \(loss)
      optimizer: {\(optimizer)}
      schedule: {\(schedule)}
      train: {batch_size: \(1 + rng.below(256)), epochs: \(1 + rng.below(20)), seed: \(rng.below(1000))}

      """
  }
}

/// The example specs of the repository (specs/*.yaml), found from this file's path.
enum TestSpecs {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  static let examples: [(name: String, text: String)] = {
    let dir = root.appendingPathComponent("specs")
    let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return files.filter { $0.hasSuffix(".yaml") }.sorted().compactMap { f in
      guard let t = try? String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8) else { return nil }
      return (f, t)
    }
  }()
}
