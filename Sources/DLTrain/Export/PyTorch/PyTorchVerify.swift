import DLRuntime
import DLSpec
import Foundation

/// `dlspec export --to pytorch --verify`: dlspec computes every layer's output and the loss on
/// one batch (evaluation mode) from the package's weights.h5, writes them to
/// verify-batch.h5, and runs the package's verify.py, which repeats the forward pass in torch
/// and reports the largest difference per output (docs/interop.md).
public enum PyTorchVerify {
  public struct Row: Sendable {
    public var output: String
    public var maxAbsoluteDifference: Double
    public var relative: Double
  }

  public struct Report: Sendable {
    public var samples: Int
    public var tolerance: Double
    public var rows: [Row]
    /// The first output above the tolerance (a layer name or the loss), nil when all agree.
    public var firstDifference: String?
    public var torchVersion: String
    /// Where the batch came from (the training data, or seeded random inputs).
    public var batchSource: String
  }

  /// The default tolerance: relative differences of float32 forward passes.
  public static let tolerance = 1e-5

  /// Runs the check on the package in `directory` (just written by `PyTorchExport.write`).
  public static func run(
    _ e: Experiment, package directory: String, tolerance: Double = tolerance,
    python: String = ProcessInfo.processInfo.environment["DLSPEC_PYTHON"] ?? "python3"
  ) throws -> Report {
    try probe(python)
    let source = try writeReference(e, package: directory)
    let (status, out, err) = runProcess(
      python, ["verify.py", "verify-batch.h5", "--json", "--tolerance", "\(tolerance)"],
      in: directory)
    guard let line = out.split(separator: "\n").last,
      let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
      let rows = json["outputs"] as? [[String: Any]]
    else {
      throw Diagnostic(
        .exportPython, at: nil,
        "verify.py failed (exit \(status)): \(lastLine(err) ?? "no output")",
        hint: "run `python verify.py` in \(directory) to see the whole error")
    }
    return Report(
      samples: json["samples"] as? Int ?? 0, tolerance: tolerance,
      rows: rows.map {
        Row(
          output: $0["output"] as? String ?? "?",
          maxAbsoluteDifference: $0["max_abs_diff"] as? Double ?? .nan,
          relative: $0["relative"] as? Double ?? .nan)
      },
      firstDifference: json["first_difference"] as? String,
      torchVersion: json["torch"] as? String ?? "?", batchSource: source)
  }

  /// Refuses early, naming the interpreter, when Python or one of its modules is missing.
  static func probe(_ python: String) throws {
    let (status, _, err) = runProcess(python, ["-c", "import torch, h5py, numpy"], in: nil)
    guard status == 0 else {
      let why = status == 127 ? "'\(python)' was not found" : lastLine(err) ?? "exit \(status)"
      throw Diagnostic(
        .exportPython, at: nil, "--verify needs Python with torch, h5py and numpy: \(why)",
        hint: "install them for it (pip install torch h5py numpy), or set DLSPEC_PYTHON to "
          + "a Python that has them")
    }
  }

  /// Writes verify-batch.h5 and says where its inputs came from.
  static func writeReference(_ e: Experiment, package directory: String) throws -> String {
    let n = min(e.train.value.batchSize, 64)
    let plan = Plan<Float>(e, batch: n, seed: UInt64(e.train.value.seed))
    try Checkpoint.load(directory + "/weights.h5", into: plan, optimizerState: false)
    let source = fillBatch(e, plan: plan, n: n)
    let width = plan.classCount
    let regression = e.task.value == .regression
    let inputCount = e.model.input.elementCount
    let x = Array(UnsafeBufferPointer(start: plan.input, count: n * inputCount))
    let y: [Float] =
      regression
      ? Array(UnsafeBufferPointer(start: plan.targets, count: n * width))
      : (0..<n).map { Float(plan.labels[$0]) }
    plan.forward(n, training: false)
    let loss = Double(plan.computeLoss(n, gradient: false))
    let file = try HDF5File.createInMemory(directory + "/verify-batch.h5")
    do {
      try file.write(x, shape: [n] + e.model.input.dims, to: "/x")
      try file.write(y, shape: regression ? [n, width] : [n], to: "/y")
      try file.setAttribute("loss", .double(loss))
      for (i, layer) in e.model.layers.enumerated() {
        let input = UnsafeBufferPointer(start: plan.input, count: n * e.model.input.elementCount)
        let values = plan.layerOutput(i, input: input, n: n)
        try file.write(values, shape: [n] + layer.outputShape.dims, to: "/outputs/\(layer.name)")
      }
    } catch {
      file.close()
      throw error
    }
    try FileWrite.write(try file.closeReturningImage(), to: directory + "/verify-batch.h5")
    return source
  }

  /// Puts the first `n` training samples into the plan's input (and labels or targets), or,
  /// when the data cannot be read, seeded uniform inputs in [0, 1) and random labels.
  static func fillBatch(_ e: Experiment, plan: Plan<Float>, n: Int) -> String {
    if let data = try? ExperimentData.load(e, split: .train, warn: { _ in }), data.count >= n {
      _ = data.gather(0..<n, into: plan)
      return "the first \(n) training samples"
    }
    var g = RandomGenerator(seed: UInt64(e.train.value.seed))
    for i in 0..<(n * e.model.input.elementCount) { plan.input[i] = Float(g.nextUniform()) }
    if e.task.value == .regression {
      for i in 0..<(n * plan.classCount) { plan.targets[i] = Float(g.nextUniform()) }
    } else {
      let classes = e.data?.classes ?? plan.classCount
      for i in 0..<n {
        plan.labels[i] = Int32(g.next(below: max(1, min(classes, plan.classCount))))
      }
    }
    return "\(n) seeded random inputs (the spec's data could not be read)"
  }

  /// Runs `python arguments` in `directory`, finding `python` on PATH; (exit status, stdout,
  /// stderr). 127 when it cannot start.
  static func runProcess(_ python: String, _ arguments: [String], in directory: String?)
    -> (Int32, String, String)
  {
    let (status, out, err) = Subprocess.run(
      URL(fileURLWithPath: "/usr/bin/env"), [python] + arguments, in: directory)
    return (status, String(decoding: out, as: UTF8.self), err)
  }

  static func lastLine(_ text: String) -> String? {
    text.split(separator: "\n").last.map(String.init)
  }
}
