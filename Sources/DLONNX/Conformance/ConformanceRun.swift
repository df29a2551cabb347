import Foundation

/// ONNX's node tests for the operators dlspec implements, run on DLRuntime's kernels and
/// compared as onnx's backend runner compares (|got − expected| ≤ atol + rtol·|expected|).
public enum ConformanceRun {
  public static let rtol: Float = 1e-3
  public static let atol: Float = 1e-5

  public enum Outcome: Equatable, Sendable {
    /// Every output within tolerance; the detail gives the largest difference.
    case passed(String)
    /// An output outside tolerance (or of another shape): a bug in a kernel, or in the runner.
    case failed(String)
    /// The test asks for something dlspec's layers do not mean, and why.
    case outside(String)
  }

  public struct Result: Sendable {
    public var name: String
    public var operatorType: String
    public var outcome: Outcome
  }

  /// Every node test in `directory` (onnx's layout) of an operator in `NodeTest.operators`,
  /// sorted by operator and name. A test that cannot be read is a failure, not skipped.
  public static func runAll(in directory: URL) -> [Result] {
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
      .filter { $0.hasPrefix("test_") }.sorted()
    var tests: [NodeTest] = []
    var results: [Result] = []
    for name in names {
      do {
        tests.append(try NodeTest(directory: directory.appendingPathComponent(name)))
      } catch {
        results.append(Result(name: name, operatorType: "?", outcome: .failed("\(error)")))
      }
    }
    var baseOperators: [String: String] = [:]
    for t in tests where t.expandedBase == nil && t.model.graph.node.count == 1 {
      baseOperators[t.name] = t.model.graph.node[0].opType
    }
    for t in tests {
      guard let op = t.operatorType(baseOperators: baseOperators), NodeTest.operators.contains(op)
      else { continue }
      results.append(Result(name: t.name, operatorType: op, outcome: run(t, operatorType: op)))
    }
    return results.sorted { ($0.operatorType, $0.name) < ($1.operatorType, $1.name) }
  }

  /// Runs one test's data sets on the kernel of its operator.
  public static func run(_ test: NodeTest, operatorType op: String) -> Outcome {
    let graph = test.model.graph
    if test.expandedBase != nil || graph.node.count != 1 {
      let used = Set(graph.node.map(\.opType)).sorted().joined(separator: ", ")
      return .outside(
        "function-expanded form: a graph of \(used), not one \(op) node (the plain test "
          + "covers the operator)")
    }
    guard !test.dataSets.isEmpty else { return .failed("no test_data_set_* directory") }
    let node = graph.node[0]
    var largest: Float = 0
    var partialReason: String?
    for (k, set) in test.dataSets.enumerated() {
      var values: [String: FloatTensor] = [:]
      for (info, tensor) in zip(graph.input, set.inputs) {
        do {
          values[info.name] = try FloatTensor(tensor)
        } catch {
          return .outside("input \(info.name): \(error); dlspec's kernels compute in float32")
        }
      }
      let inputs = node.input.map { $0.isEmpty ? nil : values[$0] }
      let outputs: [FloatTensor?]
      if let p = NodeKernels.partial(node, inputs) {
        (outputs, partialReason) = (p.outputs, p.reason)
      } else {
        do {
          outputs = try NodeKernels.run(node, inputs, opset: test.opset)
        } catch {
          return .outside(error.reason)
        }
      }
      guard outputs.count == set.outputs.count else {
        return .failed("\(outputs.count) outputs computed, \(set.outputs.count) expected")
      }
      for (j, (computed, stored)) in zip(outputs, set.outputs).enumerated() {
        guard let got = computed else { continue }
        let expected: FloatTensor
        do {
          expected = try FloatTensor(stored)
        } catch {
          return .outside("output \(j): \(error); dlspec's kernels compute in float32")
        }
        guard got.dims == expected.dims else {
          return .failed("data set \(k), output \(j): shape \(got.dims), expected \(expected.dims)")
        }
        for (i, (g, e)) in zip(got.values, expected.values).enumerated() {
          let d = abs(g - e)
          guard d <= atol + rtol * abs(e) || (g.isNaN && e.isNaN) else {
            return .failed("data set \(k), output \(j), element \(i): \(g), expected \(e)")
          }
          if d.isFinite { largest = max(largest, d) }
        }
      }
    }
    let detail = String(format: "largest |Δ| %.1e", largest)
    if let partialReason { return .outside("\(partialReason) (compared: \(detail))") }
    return .passed(detail)
  }
}
