import ArgumentParser
import DLRuntime
import DLSpec
import DLTrain
import Foundation

struct GradCheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gradcheck",
    abstract: "Check backpropagation against central differences (3.24) for every tensor of a spec's model.",
    discussion: "Exit status: 0 when every tensor passes, 1 otherwise. See docs/gradcheck.md.")

  @Argument(help: "Spec files to check.")
  var specs: [String]

  @Option(parsing: .unconditional, help: "Samples in the batch.") var samples = 4
  @Option(parsing: .unconditional, help: "Finite-difference step Δ.") var eps = 1e-6
  @Option(parsing: .unconditional, help: "Relative tolerance.") var rtol = 1e-5
  @Option(parsing: .unconditional, help: "Absolute tolerance.") var atol = 1e-7
  @Option(
    parsing: .unconditional,
    help: "Entries checked per tensor (all entries of smaller tensors).")
  var maxEntries = 30
  @Option(help: "Only these tensors (comma-separated: dense_1, dense_1.weight, input).") var params: String?
  @Flag(help: "Use synthetic data of the right shape instead of the spec's data.") var synthetic = false
  @Option(parsing: .unconditional, help: "Seed for weights, data and the sampled entries.")
  var seed = 1
  @Option(help: "Output format: text or json.") var format: OutputFormat = .text
  @Flag(help: "Check in Float32 (for curiosity: rounding makes the tolerances loose; defaults become Δ 1e-2, rtol 5e-2, atol 1e-4).")
  var float32 = false

  func validate() throws {
    if samples < 1 { throw ValidationError("--samples must be at least 1") }
    if !(eps > 0 && eps.isFinite) { throw ValidationError("--eps must be a positive number") }
    if !(rtol >= 0) || !(atol >= 0) { throw ValidationError("--rtol and --atol must be ≥ 0") }
    if maxEntries < 1 { throw ValidationError("--max-entries must be at least 1") }
    if seed < 0 { throw ValidationError("--seed must be at least 0") }
  }

  func run() throws {
    var allPassed = true
    var jsonItems: [String] = []
    for spec in specs {
      let e = try loadExperiment(spec, quietWarnings: true)
      try ensureFits(e, batch: samples, scalarBytes: 8)
      let asked = params.map {
        $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
      }
      if let asked, asked.allSatisfy(\.isEmpty) {
        throw ValidationError(
          "--params needs at least one tensor name (e.g. --params dense_1.weight); "
            + "leave it out to check every tensor")
      }
      if let asked {
        // Every name must be a layer, a layer's tensor, or "input".
        var known: Set<String> = ["input"]
        for l in e.model.layers where !l.parameters.isEmpty {
          known.insert(l.name)
          for p in l.parameters { known.insert("\(l.name).\(p.name)") }
        }
        if let unknown = asked.first(where: { !known.contains($0) }) {
          throw ValidationError(
            "--params: '\(unknown)' is not a tensor of \(spec); tensors: \(known.sorted().joined(separator: ", "))")
        }
      }
      var options = GradientCheck.Options()
      options.samples = samples
      // Float32 rounding (≈ 6e-8 relative) over a step Δ forces a much larger Δ and looser
      // tolerances; explicit flags still win.
      options.eps = float32 && eps == 1e-6 ? 1e-2 : eps
      options.rtol = float32 && rtol == 1e-5 ? 5e-2 : rtol
      options.atol = float32 && atol == 1e-7 ? 1e-4 : atol
      options.maxEntries = maxEntries
      options.seed = UInt64(seed)
      options.params = asked.map(Set.init)
      let (x, y, targets, description) = try batch(e)
      let check = GradientCheck(e, options: options)
      let report = float32
        ? check.run(x: x, y: y, targets: targets, dataDescription: description, as: Float.self)
        : check.run(x: x, y: y, targets: targets, dataDescription: description)
      if float32 {
        FileHandle.standardError.write(Data(
          "warning: --float32 checks in single precision; its tolerances are loose and a pass proves less than the default Float64 check\n".utf8))
      }
      allPassed = allPassed && report.passed
      if format == .json {
        jsonItems.append(GradCheckRenderer.json(report, spec: spec, options: options))
      } else {
        print(GradCheckRenderer.text(report, spec: spec, options: options), terminator: "")
      }
    }
    if format == .json {
      print(jsonItems.count == 1 ? jsonItems[0] : "[\n" + jsonItems.joined(separator: ",\n") + "\n]")
    }
    if !allPassed { throw ExitCode(1) }
  }

  /// A small batch from the spec's data, or synthetic data (uniform pixels, random labels)
  /// when asked, when the spec has no data, or when its data is not installed. Data that is
  /// there but unreadable (corrupt, wrong shape) is an error, not a reason to check on noise.
  func batch(_ e: Experiment) throws -> ([Double], [Int32], [Double]?, String) {
    let count = e.model.input.elementCount
    let classes = e.model.output.elementCount
    var loaded: Dataset? = nil
    if !synthetic, e.data != nil {
      do {
        loaded = try ExperimentData.load(e, split: .train)
      } catch is DataLocateError {
      } catch IDXError.fileNotFound(_) {
      }
    }
    if let data = loaded {
      var generator = RandomGenerator(seed: UInt64(seed))
      var x: [Double] = []
      var y: [Int32] = []
      var targets: [Double]? = data.targets == nil ? nil : []
      let width = data.targetWidth
      for _ in 0..<samples {
        let i = Int.random(in: 0..<data.count, using: &generator)
        x += data.x[(i * count)..<((i + 1) * count)].map(Double.init)
        if let t = data.targets {
          y.append(0)
          targets? += t[(i * width)..<((i + 1) * width)].map(Double.init)
        } else {
          y.append(data.y[i])
        }
      }
      return (x, y, targets, "\(samples) samples of the spec's training data")
    }
    var generator = RandomGenerator(seed: UInt64(seed))
    let x = (0..<(samples * count)).map { _ in Double.random(in: 0..<1, using: &generator) }
    let y = (0..<samples).map { _ in Int32(Int.random(in: 0..<max(1, classes), using: &generator)) }
    let why = synthetic ? "--synthetic" : (e.data == nil ? "the spec has no data" : "the spec's data is not installed")
    return (x, y, nil, "\(samples) synthetic samples (\(why))")
  }
}

enum GradCheckRenderer {
  static func sci(_ d: Double) -> String { String(format: "%.2e", d) }

  static func text(_ r: GradientCheck.Report, spec: String, options: GradientCheck.Options) -> String {
    var out = "gradcheck \(spec): \(r.dataDescription), Δ = \(sci(options.eps)), rtol \(sci(options.rtol)), atol \(sci(options.atol)), \(r.precision)\n"
    if let note = r.dropoutNote { out += "  note: \(note)\n" }
    for t in r.tensors {
      let status = t.passed ? "ok  " : "FAIL"
      out += "  \(status) \(t.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(t.shape.description.padding(toLength: 16, withPad: " ", startingAt: 0))"
        + " checked \(String(t.checked).leftPadded(4))  kinks \(String(t.kinksSkipped).leftPadded(3))"
        + "  max abs \(sci(t.maxAbsoluteError))  max rel \(sci(t.maxRelativeError))"
      if t.worstIndex >= 0 {
        out += "  worst [\(t.worstIndex)] backprop \(String(format: "%.8g", t.worstAnalytic)) numeric \(String(format: "%.8g", t.worstNumeric))"
      }
      out += "\n"
    }
    let failed = r.tensors.filter { !$0.passed }.count
    let kinks = r.tensors.reduce(0) { $0 + $1.kinksSkipped }
    out += failed == 0
      ? "  all \(r.tensors.count) tensors pass (\(kinks) entries at kinks skipped)\n"
      : "  \(failed) of \(r.tensors.count) tensors FAIL: \(r.tensors.filter { !$0.passed }.map(\.name).joined(separator: ", "))\n"
    return out
  }

  static func json(_ r: GradientCheck.Report, spec: String, options: GradientCheck.Options) -> String {
    let tensors = r.tensors.map { t in
      "    {\"name\": \(JSONText.string(t.name)), \"shape\": [\(t.shape.dims.map(String.init).joined(separator: ", "))], "
        + "\"checked\": \(t.checked), \"kinks_skipped\": \(t.kinksSkipped), "
        + "\"max_abs_error\": \(t.maxAbsoluteError), \"max_rel_error\": \(t.maxRelativeError), "
        + "\"worst_index\": \(t.worstIndex), \"worst_backprop\": \(t.worstAnalytic), "
        + "\"worst_numeric\": \(t.worstNumeric), \"passed\": \(t.passed)}"
    }
    return "{\n  \"spec\": \(JSONText.string(spec)),\n  \"data\": \(JSONText.string(r.dataDescription)),\n"
      + "  \"precision\": \"\(r.precision)\",\n"
      + "  \"eps\": \(options.eps), \"rtol\": \(options.rtol), \"atol\": \(options.atol),\n"
      + "  \"passed\": \(r.passed),\n  \"tensors\": [\n" + tensors.joined(separator: ",\n") + "\n  ]\n}"
  }
}
