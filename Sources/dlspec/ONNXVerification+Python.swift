import DLSpec
import DLTrain
import Foundation

extension ONNXVerification {
  /// Checks the written file with onnx.checker (full_check: with shape inference) and runs the
  /// model whose layers are all outputs in onnxruntime, writing each output as raw float32 to
  /// OUT/<name>.bin. Exit 3: a module is missing (its name on stderr); 4: the checker refused.
  static let script = """
    import json, sys
    try:
        import numpy as np
        import onnx
        import onnxruntime as ort
    except ImportError as e:
        sys.stderr.write(e.name or str(e))
        sys.exit(3)
    written, exposed, data, shape, out = sys.argv[1:6]
    try:
        onnx.checker.check_model(onnx.load(written), full_check=True)
    except Exception as e:
        sys.stderr.write(str(e))
        sys.exit(4)
    session = ort.InferenceSession(exposed, providers=["CPUExecutionProvider"])
    x = np.fromfile(data, dtype="<f4").reshape([int(d) for d in shape.split(",")])
    names = [o.name for o in session.get_outputs()]
    for name, value in zip(names, session.run(None, {"input": x})):
        np.ascontiguousarray(value, dtype="<f4").tofile(f"{out}/{name}.bin")
    print(json.dumps({"onnx": onnx.__version__, "onnxruntime": ort.__version__}))
    """

  static let installHint =
    "run `python3 -m pip install onnx onnxruntime` (small CPU wheels), or point \(pythonVariable) "
    + "at a Python that has them"

  /// Runs `script` with `arguments`; returns the versions it reports, or the E084/E083 problem.
  func runPython(_ arguments: [String]) throws(Diagnostic) -> (onnx: String, runtime: String) {
    guard let python = Self.findPython() else {
      throw Diagnostic(
        .onnxVerifierMissing, at: nil,
        "--verify needs python3 with onnx and onnxruntime, and no python3 was found"
          + (ProcessInfo.processInfo.environment[Self.pythonVariable].map {
            " (\(Self.pythonVariable)=\($0) is not an executable file)"
          } ?? " on PATH"),
        hint: "install Python 3, then " + Self.installHint)
    }
    // A launch failure reads as status 127 with the reason on stderr.
    let (status, stdout, stderr) = Subprocess.run(python, ["-c", Self.script] + arguments)
    let message = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
    switch status {
    case 0: break
    case 127:
      throw Diagnostic(
        .onnxVerifierMissing, at: nil, "cannot start \(python.path): \(message)",
        hint: Self.installHint)
    case 3:
      throw Diagnostic(
        .onnxVerifierMissing, at: nil,
        "--verify needs the Python modules onnx and onnxruntime, and \(python.path) has no "
          + "module '\(message)'",
        hint: Self.installHint)
    case 4:
      throw Diagnostic(
        .onnxMismatch, at: nil, "onnx.checker refused the exported file: \(message)",
        hint: "this is a bug in dlspec's exporter; please report it with the spec")
    default:
      throw Diagnostic(
        .onnxMismatch, at: nil,
        "onnxruntime could not run the exported model (exit \(status)): "
          + String(message.suffix(2000)),
        hint: "this is a bug in dlspec's exporter; please report it with the spec")
    }
    let versions =
      (try? JSONSerialization.jsonObject(with: stdout)) as? [String: String] ?? [:]
    return (versions["onnx"] ?? "?", versions["onnxruntime"] ?? "?")
  }

  /// $DLSPEC_PYTHON when set (nil if it is not executable), else python3 on PATH.
  static func findPython() -> URL? {
    let environment = ProcessInfo.processInfo.environment
    if let chosen = environment[pythonVariable] {
      return FileManager.default.isExecutableFile(atPath: chosen)
        ? URL(fileURLWithPath: chosen) : nil
    }
    for dir in (environment["PATH"] ?? "").split(separator: ":") where !dir.isEmpty {
      let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent("python3")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return nil
  }
}
