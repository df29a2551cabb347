import Foundation

/// Syntax tree → `Experiment`: checks every section, runs shape inference and the
/// cross-section rules, and reports every problem found in one pass.
public struct SpecChecker {
  public static let sections = [
    "checkpoint", "data", "description", "dlspec", "growth", "loss", "model", "name",
    "optimizer", "schedule", "task", "train",
  ]

  public var registry: LayerRegistry
  /// Training memory above this is refused (bytes); the CLI passes the machine's memory.
  public var memoryLimit: Int

  public init(registry: LayerRegistry = .builtIn, memoryLimit: Int = SpecChecker.defaultMemoryLimit) {
    self.registry = registry
    self.memoryLimit = memoryLimit
  }

  /// Physical RAM, not the memory free at the moment: `validate` must give the same answer
  /// however loaded the machine is (see `MachineMemory`). What is free now is checked by the
  /// readers that allocate (`HDF5File.read`, the IDX reader).
  public static var defaultMemoryLimit: Int { MachineMemory.total }

  /// The outcome of checking one file: the IR when there are no errors, and all diagnostics.
  public struct Result: Sendable {
    public var experiment: Experiment?
    public var diagnostics: [Diagnostic]
    public var source: SourceFile?
    /// The pseudo-sources of the overrides checked with the spec (`--set …`), in order.
    public var overrideSources: [SourceFile] = []
    /// With `check(_:overrides:)`: the spec text with the overrides applied (the text itself
    /// when there are none), or nil when the spec does not parse or an override cannot be
    /// applied. Nil from `check(_:)`.
    public var overriddenText: String? = nil

    public var isValid: Bool { experiment != nil && !diagnostics.contains { $0.severity == .error } }

    /// Every source a diagnostic can point into, by path: the spec and the overrides.
    public var sources: [String: SourceFile] {
      var all: [String: SourceFile] = [:]
      for s in overrideSources { all[s.path] = s }
      if let source { all[source.path] = source }
      return all
    }
  }

  public func check(path: String) -> Result {
    switch SourceFile.load(path: path) {
    case .failure(let d): return Result(experiment: nil, diagnostics: [d], source: nil)
    case .success(let source): return check(source)
    }
  }

  public func check(_ source: SourceFile) -> Result {
    var bag = DiagnosticBag()
    let root: SyntaxNode
    switch SyntaxParser.parse(source) {
    case .failure(let d): return Result(experiment: nil, diagnostics: [d], source: source)
    case .success(let node): root = node
    }
    let experiment = build(root, source: source, into: &bag)
    return Result(
      experiment: bag.hasErrors ? nil : experiment, diagnostics: bag.sorted, source: source)
  }

  /// Loads the file as `check(path:)` does, then `check(_:overrides:)`.
  public func check(path: String, overrides: [String]) -> Result {
    switch SourceFile.load(path: path) {
    case .failure(let d):
      return Result(
        experiment: nil, diagnostics: [d], source: nil,
        overrideSources: overrides.map(SourceFile.override))
    case .success(let source): return check(source, overrides: overrides)
    }
  }

  /// Checks the spec with `--set KEY=VALUE` overrides applied to its syntax tree (see
  /// `SpecOverrides`). Problems with an override, and checker errors about values it gave, are
  /// located in the override's pseudo-source (`--set train.epochs=abc:1:14`); the rest of the
  /// spec keeps its own lines. Diagnostics come in source order: the spec's, then each
  /// override's in the order given. `overriddenText` is the spec to record as having run.
  public func check(_ source: SourceFile, overrides: [String]) -> Result {
    let overrideSources = overrides.map(SourceFile.override)
    var problems: [Diagnostic] = []
    var assignments: [OverrideAssignment] = []
    for text in overrides {
      switch OverrideAssignment.parse(text) {
      case .success(let a): assignments.append(a)
      case .failure(let d): problems.append(d)
      }
    }
    var tree: SyntaxNode
    switch SyntaxParser.parse(source) {
    case .failure(let d):
      return Result(
        experiment: nil, diagnostics: [d] + problems, source: source,
        overrideSources: overrideSources)
    case .success(let node): tree = node
    }
    // A root that is not a mapping gets its own error from `build`; overrides need a mapping.
    if tree.mappingPairs != nil {
      for a in assignments {
        do {
          tree = try SpecOverrides.apply(a, to: tree)
        } catch let d as Diagnostic {
          problems.append(d)
        } catch {
          problems.append(Diagnostic(.overridePath, at: a.steps.first?.location, "\(error)"))
        }
      }
    }
    var bag = DiagnosticBag()
    let experiment = build(tree, source: source, into: &bag)
    for d in problems { bag.append(d) }
    var text: String? = nil
    if overrides.isEmpty {
      text = source.text
    } else if problems.isEmpty, tree.mappingPairs != nil {
      do {
        text = try SyntaxEmitter.yaml(tree)
      } catch {
        // Never expected; but a run must not record a spec other than the one it checked.
        bag.error(
          .overridePath, at: overrideSources.first?.location(line: 1, column: 1),
          "cannot write the overridden spec as YAML: \(error)")
      }
    }
    let rank = Dictionary(
      overrideSources.enumerated().map { ($0.element.path, $0.offset + 1) },
      uniquingKeysWith: { first, _ in first })
    let ordered = bag.all.enumerated().sorted { a, b in
      func key(_ e: (offset: Int, element: Diagnostic)) -> (Int, Int, Int, Int) {
        let l = e.element.location
        let file = l.map { $0.file == source.path ? 0 : rank[$0.file] ?? Int.max } ?? 0
        return (file, l?.line ?? 0, l?.column ?? 0, e.offset)
      }
      return key(a) < key(b)
    }.map(\.element)
    return Result(
      experiment: bag.hasErrors ? nil : experiment, diagnostics: ordered, source: source,
      overrideSources: overrideSources, overriddenText: text)
  }

  func build(_ root: SyntaxNode, source: SourceFile, into bag: inout DiagnosticBag) -> Experiment? {
    guard let pairs = root.mappingPairs else {
      bag.error(
        .rootNotMapping, at: root.location,
        "a spec must be a mapping of sections, found \(root.kindDescription)",
        hint: "start with `dlspec: 1`, then `model:` and `loss:` at the left margin")
      return nil
    }
    let version = LanguageVersion.check(pairs, rootLocation: root.location, into: &bag)
    var nodes: [String: SyntaxNode] = [:]
    for (key, value) in pairs {
      guard case .string(let name)? = key.scalar else {
        bag.error(.wrongType, at: key.location, "section names must be strings, found \(key.kindDescription)")
        continue
      }
      guard Self.sections.contains(name) else {
        bag.error(
          .unknownKey, at: key.location, "unknown section '\(name)'",
          hint: Suggest.hint(for: name, among: Self.sections, noun: "sections"))
        continue
      }
      nodes[name] = value
    }
    // A wrong version means the grammar is unknown: stop before reporting noise.
    guard let version else { return nil }
    for required in ["model", "loss"] where nodes[required] == nil {
      bag.error(
        .missingSection, at: root.location, "the spec has no '\(required)' section",
        hint: required == "model"
          ? "add `model:` with `input:` and `layers:`"
          : "add `loss: cross_entropy` (or mse, l1)")
    }
    let name = readName(nodes["name"], path: source.path, into: &bag)
    let directory = URL(fileURLWithPath: source.path).deletingLastPathComponent().path
    if let d = nodes["description"], d.scalar.map({ if case .string = $0 { return false } else { return true } }) ?? true {
      bag.error(.wrongType, at: d.location, "'description' must be a string, found \(d.kindDescription)")
    }
    let data = nodes["data"].flatMap { DataSection.read($0, specDirectory: directory, into: &bag) }
    let model = nodes["model"].flatMap { ModelSection.read($0, registry: registry, into: &bag) }
    let loss = nodes["loss"].flatMap { LossSection.read($0, into: &bag) }
    let optimizer = nodes["optimizer"].map { OptimizerSection.read($0, into: &bag) }
      ?? OptimizerSection.defaultSection
    let schedule = nodes["schedule"].map { ScheduleSection.read($0, into: &bag) }
      ?? ScheduleSection.defaultSection
    let train = TrainSection.read(nodes["train"], into: &bag)
    let checkpoint = CheckpointSection.read(nodes["checkpoint"], into: &bag)
    let task = TaskInference.read(nodes["task"], loss: loss, model: model, data: data, into: &bag)
    let growth = nodes["growth"].flatMap {
      GrowthSection.read($0, model: model, train: train, registry: registry, into: &bag)
    }
    // A growth section with errors gives no experiment: training must never ignore it.
    if nodes["growth"] != nil, growth == nil { return nil }
    guard let model, let loss, let optimizer, let schedule, let train, let checkpoint, let name,
      let task
    else { return nil }
    let experiment = Experiment(
      version: version, name: name.0, nameOrigin: name.1, sourcePath: source.path, data: data,
      model: model, loss: loss, optimizer: optimizer, schedule: schedule, train: train,
      checkpoint: checkpoint, task: task, growth: growth)
    CrossChecks(memoryLimit: memoryLimit).run(experiment, into: &bag)
    GrowthSection.check(experiment, memoryLimit: memoryLimit, into: &bag)
    return experiment
  }

  /// Why `name` cannot be a directory name under runs/, or nil if it can. Any Unicode letter,
  /// digit or symbol (an emoji too) is safe; what is refused is what a file system or a shell
  /// would misread.
  public static func nameProblem(_ name: String) -> String? {
    if name.isEmpty { return "must not be empty" }
    if name == "." || name == ".." { return "cannot be '\(name)': it would escape runs/" }
    if name.utf8.count > 255 {
      return "is \(name.utf8.count) bytes long; a directory name holds at most 255 bytes"
    }
    if name.hasPrefix("-") { return "cannot start with '-': commands would read it as an option" }
    for u in name.unicodeScalars {
      if u == "/" || u == "\\" { return "cannot contain '\(u)': it separates directories" }
      if u.properties.generalCategory == .control || u.properties.generalCategory == .format {
        return "contains the control character U+\(String(u.value, radix: 16, uppercase: true))"
      }
      if u.properties.isWhitespace { return "cannot contain spaces or other white space" }
    }
    return nil
  }

  func readName(_ node: SyntaxNode?, path: String, into bag: inout DiagnosticBag) -> (String, Origin)? {
    guard let node else {
      let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
      return (stem.isEmpty ? "experiment" : stem, .defaulted)
    }
    guard case .string(let s)? = node.scalar else {
      bag.error(
        .wrongType, at: node.location, "'name' must be a name, found \(node.kindDescription)",
        hint: "it names the run directory (runs/<name>/); e.g. `name: mlp-baseline`")
      return nil
    }
    if let problem = Self.nameProblem(s) {
      bag.error(
        .wrongType, at: node.location, "'name' \(problem)",
        hint: "it names the run directory (runs/<name>/); e.g. `name: mlp-baseline`")
      return nil
    }
    return (s, .source(node.location))
  }
}
