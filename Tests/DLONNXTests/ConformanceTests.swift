import DLONNX
import Foundation
import Testing

/// ONNX's node tests of the operators dlspec implements, on DLRuntime's kernels
/// (docs/conformance.md). Needs python3 with onnx; skipped, saying so, without it.
@Suite struct ConformanceTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  /// The node-test directory `scripts/onnx-node-tests.py` gives, and onnx's version; nil
  /// without python3 or onnx.
  static let nodeTests: (directory: URL, version: String)? = {
    let scratch = FileManager.default.temporaryDirectory
      .appendingPathComponent("dlspec-onnx-node-\(getpid())")
    guard
      let out = Python.run(
        [root.appendingPathComponent("scripts/onnx-node-tests.py").path, scratch.path]),
      let version = Python.run(["-c", "import onnx; print(onnx.__version__)"])
    else { return nil }
    return (URL(fileURLWithPath: out), version)
  }()

  @Test func nodeTestsOfDLSpecsOperatorsPassOrAreOutsideItsSemantics() throws {
    guard let (directory, version) = Self.nodeTests else {
      print(
        "ConformanceTests: skipped: python3 with onnx is not installed (scripts/setup.sh --python)")
      return
    }
    let results = ConformanceRun.runAll(in: directory)
    let failed = results.filter {
      if case .failed = $0.outcome { return true } else { return false }
    }
    #expect(failed.isEmpty, "\(failed.map { "\($0.name): \($0.outcome)" })")
    // Every operator of the issue has tests, and the ones dlspec's layers mean do run.
    #expect(Set(results.map(\.operatorType)) == NodeTest.operators)
    let outcome = Dictionary(uniqueKeysWithValues: results.map { ($0.name, $0.outcome) })
    for name in [
      "test_relu", "test_tanh", "test_sigmoid", "test_leakyrelu", "test_gemm_transposeB",
      "test_matmul_2d", "test_basic_conv_with_padding", "test_conv_with_strides_padding",
      "test_maxpool_2d_strides", "test_averagepool_2d_precomputed_strides",
      "test_softmax_axis_2", "test_logsoftmax_example_1", "test_flatten_axis1",
      "test_batchnorm_epsilon",
    ] {
      guard case .passed = outcome[name] else {
        Issue.record("\(name): \(outcome[name].map { "\($0)" } ?? "missing")")
        continue
      }
    }
    guard case .outside(let why) = outcome["test_maxpool_2d_dilations"] else {
      Issue.record("test_maxpool_2d_dilations should be outside dlspec's semantics")
      return
    }
    #expect(why.contains("dilations"))

    let report = ConformanceReport.markdown(results, onnxVersion: version)
    let doc = Self.root.appendingPathComponent("docs/conformance.md")
    if ProcessInfo.processInfo.environment["RECORD_CONFORMANCE"] == "1" {
      try report.write(to: doc, atomically: true, encoding: .utf8)
      return
    }
    let committed = (try? String(contentsOf: doc, encoding: .utf8)) ?? ""
    if committed.contains("onnx \(version) ") {
      #expect(
        committed == report,
        "docs/conformance.md is stale: RECORD_CONFORMANCE=1 swift test --filter ConformanceTests")
    } else {
      print(
        "ConformanceTests: docs/conformance.md was recorded with another onnx than \(version); not compared"
      )
    }
  }
}

enum Python {
  /// python3's stdout (trimmed) for `arguments`, or nil when it cannot run or exits non-zero.
  static func run(_ arguments: [String]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
