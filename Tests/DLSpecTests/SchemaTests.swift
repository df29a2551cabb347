import DLSpec
import DLSpecTestSupport
import Foundation
import Testing

/// The committed JSON Schema is generated, never edited, and agrees with the Swift checker:
/// the examples pass it, and the bad specs it can express fail it.
@Suite struct SchemaTests {
  static let schemaFile = Snapshot.packageRoot.appendingPathComponent("schemas/dlspec-v1.schema.json")

  /// Bad cases the schema rejects too: unknown keys and kinds, wrong types, ranges, required
  /// keys, the root's type, data's dataset/train choice.
  static let schemaExpressible: Set<String> = [
    "062-unknown-task", "064-task-not-a-name",
    "005-empty-file", "006-root-is-list", "007-root-is-scalar", "008-missing-version",
    "009-unknown-version", "010-version-not-number", "011-missing-model", "012-missing-loss",
    "013-unknown-section-typo", "014-unknown-layer-kind", "015-unknown-layer-key",
    "016-unknown-loss", "017-unknown-optimizer", "018-unknown-schedule", "019-units-string",
    "020-input-scalar", "021-layers-not-list", "022-bias-not-bool", "023-units-zero",
    "024-units-negative", "025-lr-zero", "026-lr-negative", "029-dropout-p-one",
    "030-batch-size-zero", "031-momentum-too-large", "032-validation-split-one",
    "043-empty-layers", "044-layer-two-keys", "048-dataset-and-train-files", "049-data-neither",
    "050-several-errors", "056-unknown-dataset",
    "070-divergence-factor-negative", "071-divergence-patience-fraction",
    "083-growth-empty-block", "085-growth-typos", "086-growth-no-layers",
  ]

  /// Bad cases beyond a JSON Schema, with the reason.
  static let notSchemaExpressible: [String: String] = [
    "001-yaml-bad-indentation": "YAML syntax", "002-yaml-tab-indent": "YAML syntax",
    "003-yaml-unclosed-bracket": "YAML syntax", "004-yaml-unclosed-quote": "YAML syntax",
    "027-lr-nan": "JSON has no NaN", "028-lr-inf": "JSON has no infinity",
    "033-piecewise-not-increasing": "order of a list", "034-piecewise-count-mismatch": "counts across keys",
    "035-duplicate-key": "YAML loaders keep the last key", "036-dense-on-image-no-flatten": "shape inference",
    "037-conv-on-flat-input": "shape inference", "038-kernel-larger-than-input": "shape inference",
    "039-pool-larger-than-input": "shape inference", "040-padding-same-even-kernel": "parity across keys",
    "041-output-not-class-count": "class counts", "042-input-not-sample-size": "dataset sample sizes",
    "045-tensor-over-2-31": "tensor sizes", "046-training-memory-too-large": "memory",
    "047-nesterov-without-momentum": "a rule across keys",
    "051-warn-softmax-not-last": "valid (warnings only)", "052-warn-deep-sigmoid": "valid (warnings only)",
    "053-invalid-utf8": "bytes, not a document", "054-nesting-too-deep": "the parser's depth limit",
    "055-alias-bomb": "the parser's node budget", "057-loss-needs-flat-output": "shape inference",
    "058-cross-entropy-one-output": "output width against the loss",
    "059-no-parameters": "parameters counted across layers",
    "060-bom-keeps-columns": "a UTF-8 byte-order mark before the document",
    "061-integer-too-large": "integers beyond 64 bits",
    "063-task-regression-cross-entropy": "a rule across keys",
    "065-task-regression-with-classes": "a rule across keys",
    "066-warn-vanishing-lr": "valid (warnings only)",
    "080-growth-unknown-anchor": "layer names derived by the checker",
    "081-growth-changes-shape": "shape inference", "082-growth-metric-no-validation": "a rule across keys",
    "084-growth-too-large": "memory",
  ]

  @Test func committedSchemaIsGenerated() throws {
    let committed = try String(contentsOf: Self.schemaFile, encoding: .utf8)
    let generated = SchemaGenerator.generate()
    if committed != generated {
      Issue.record(
        Comment(
          rawValue: "schemas/dlspec-v1.schema.json is out of date; run "
            + "`dlspec schema > schemas/dlspec-v1.schema.json`:\n"
            + Snapshot.lineDiff(expected: committed, actual: generated)))
    }
  }

  @Test func everyBadCaseIsClassified() {
    for name in BadSpecCorpus.names {
      let inExpressible = Self.schemaExpressible.contains(name)
      let inNot = Self.notSchemaExpressible[name] != nil
      #expect(inExpressible != inNot, "classify \(name) in exactly one table of SchemaTests")
    }
    let unknown = Self.schemaExpressible.union(Self.notSchemaExpressible.keys)
      .subtracting(BadSpecCorpus.names)
    #expect(unknown.isEmpty, "tables name missing cases: \(unknown.sorted())")
  }

  /// One python3 run validates every file; examples and warning-only cases must pass,
  /// schema-expressible bad cases must fail.
  @Test func pythonJSONSchemaAgrees() throws {
    var mustPass = ExampleSpecs.names.map { ExampleSpecs.directory.appendingPathComponent("\($0).yaml").path }
    var mustFail: [String] = []
    for name in BadSpecCorpus.names {
      let path = BadSpecCorpus.bundled.appendingPathComponent("\(name).yaml").path
      if BadSpecCorpus.warningOnly.contains(name) { mustPass.append(path) }
      if Self.schemaExpressible.contains(name) { mustFail.append(path) }
    }
    let verdicts = try JSONSchemaRunner.validate(mustPass + mustFail, schema: Self.schemaFile)
    for path in mustPass + mustFail {
      let name = URL(fileURLWithPath: path).lastPathComponent
      guard let verdict = verdicts[path] else {
        Issue.record("python3 gave no verdict for \(path)")
        continue
      }
      if mustFail.contains(path) {
        #expect(verdict != nil, "the schema accepts \(name), which dlspec rejects")
      } else {
        #expect(verdict == nil, "the schema rejects \(name): \(verdict ?? "")")
      }
    }
  }
}

/// Runs python3 with `jsonschema` and PyYAML once over a list of files.
enum JSONSchemaRunner {
  static let script = """
    import json, sys
    try:
        import jsonschema, yaml
    except ImportError as e:
        print("missing python module: %s; pip install jsonschema pyyaml" % e, file=sys.stderr)
        sys.exit(3)
    schema = json.load(open(sys.argv[1]))
    validator = jsonschema.Draft202012Validator(schema)
    out = {}
    for path in json.load(open(sys.argv[2])):
        try:
            doc = yaml.safe_load(open(path, encoding="utf-8"))
        except yaml.YAMLError as e:
            out[path] = "YAML: %s" % str(e).splitlines()[0]
            continue
        errors = list(validator.iter_errors(doc))
        out[path] = errors[0].message[:200] if errors else None
    json.dump(out, sys.stdout)
    """

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// - Returns: path → nil when valid, or the first schema error.
  static func validate(_ files: [String], schema: URL) throws -> [String: String?] {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("dlspec-schema-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let scriptURL = dir.appendingPathComponent("validate.py")
    let listURL = dir.appendingPathComponent("files.json")
    try script.write(to: scriptURL, atomically: true, encoding: .utf8)
    try JSONSerialization.data(withJSONObject: files).write(to: listURL)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", scriptURL.path, schema.path, listURL.path]
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    do {
      try process.run()
    } catch {
      throw Failure(description: "cannot run python3 (\(error)); install python3, then pip install jsonschema pyyaml")
    }
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    let err = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw Failure(
        description: "python3 failed (status \(process.terminationStatus)): \(err)"
          + (err.contains("pip install") ? "" : "\nneeds python3 with: pip install jsonschema pyyaml"))
    }
    guard let object = try JSONSerialization.jsonObject(with: out) as? [String: Any] else {
      throw Failure(description: "python3 printed no JSON object: \(String(decoding: out, as: UTF8.self))")
    }
    var verdicts: [String: String?] = [:]
    for (path, value) in object { verdicts[path] = value as? String }
    return verdicts
  }
}
