import DLSpec
import Foundation

/// Runs the points of a sweep as child processes (`dlspec train`, then `dlspec evaluate`), at
/// most `jobs` at once, and keeps sweep.json, sweep.csv and sweep.md current after every point.
/// The first point that fails stops new points from starting; the running ones finish.
public final class SweepRunner: @unchecked Sendable {
  /// What a point needs: a fresh training, training resumed from its last checkpoint (a point
  /// killed mid-training), or only its evaluation (killed after training).
  public enum Action: Sendable, Equatable {
    case train
    case resume
    case evaluate
  }

  public struct Configuration: Sendable {
    public var binary: String
    public var directory: String
    public var specPath: String
    public var specText: String
    public var log: @Sendable (String) -> Void

    public init(
      binary: String, directory: String, specPath: String, specText: String,
      log: @escaping @Sendable (String) -> Void
    ) {
      self.binary = binary
      self.directory = directory
      self.specPath = specPath
      self.specText = specText
      self.log = log
    }
  }

  public private(set) var state: SweepState
  /// The settings, fixed for the run: read by the workers without the lock.
  let settings: SweepState.Settings
  let plan: SweepPlan
  let configuration: Configuration
  let lock = NSLock()
  var queue: [(index: Int, action: Action)] = []
  /// The first failure: no new point starts after it.
  public private(set) var failure: String? = nil
  var tableError: String? = nil

  public init(state: SweepState, plan: SweepPlan, configuration: Configuration) {
    self.state = state
    self.settings = state.settings
    self.plan = plan
    self.configuration = configuration
  }

  /// Runs `actions` (point index → action, in index order); returns the failure message, if any.
  public func run(_ actions: [(index: Int, action: Action)]) -> String? {
    queue = actions
    writeFiles()
    let workers = max(1, min(settings.jobs, actions.count))
    let group = DispatchGroup()
    for _ in 0..<workers {
      group.enter()
      let thread = Thread { [self] in
        work()
        group.leave()
      }
      thread.start()
    }
    group.wait()
    writeFiles()
    if failure == nil, let e = tableError { failure = e }
    return failure
  }

  func work() {
    while true {
      lock.lock()
      guard failure == nil, !queue.isEmpty else {
        lock.unlock()
        return
      }
      let (index, action) = queue.removeFirst()
      guard let i = state.points.firstIndex(where: { $0.index == index }) else {
        lock.unlock()
        continue
      }
      state.points[i].status = .running
      state.points[i].attempts += 1
      state.points[i].error = nil
      let point = state.points[i]
      writeFiles()
      lock.unlock()
      let label = plan.grid.label(plan.points[index - 1].point)
      let verb = action == .resume ? "resume" : action == .evaluate ? "evaluate" : "start"
      configuration.log("[\(verb)] \(label) → \(point.directory)")
      let result = perform(point, action: action, at: i)
      lock.lock()
      state.points[i].pid = nil
      switch result {
      case .success(let test):
        state.points[i].status = .finished
        state.points[i].test = test
      case .failure(let message):
        state.points[i].status = .failed
        state.points[i].error = message
        if failure == nil {
          let dir = configuration.directory + "/" + state.points[i].directory
          let log =
            FileManager.default.fileExists(atPath: dir + "/train.log")
            ? dir + "/train.log" : dir + ".train.log"
          failure = "\(label) failed: \(message)\n  see \(log)"
        }
      }
      writeFiles()
      let done = state.points.filter { $0.status == .finished }.count
      let line = "[\(done)/\(state.points.count)] \(label) " + outcome(state.points[i])
      lock.unlock()
      configuration.log(line)
    }
  }

  /// `finished: train acc 0.8123, val acc 0.8010, test acc 0.7990, 2 epochs in 12.3s`.
  func outcome(_ p: SweepState.Point) -> String {
    if p.status == .failed { return "failed: \(p.error ?? "")" }
    let r = RunScanner.read(configuration.directory + "/" + p.directory)
    var parts: [String] = []
    if let a = r.finalTrainAccuracy { parts.append("train acc \(RunFormat.metric(a))") }
    if let a = r.finalValidationAccuracy { parts.append("val acc \(RunFormat.metric(a))") }
    if let t = p.test?.accuracy ?? r.testAccuracy {
      parts.append("test acc \(RunFormat.metric(t))")
    }
    let epochs = r.epochsDone.map { "\($0) epoch\($0 == 1 ? "" : "s") in " } ?? ""
    parts.append(epochs + RunFormat.duration(r.durationSeconds))
    return "finished: " + parts.joined(separator: ", ")
  }

  typealias Test = (loss: Double, accuracy: Double, samples: Int?)

  enum Result {
    case success(Test?)
    case failure(String)
  }

  func perform(_ point: SweepState.Point, action: Action, at i: Int) -> Result {
    let dir = configuration.directory + "/" + point.directory
    let planned = plan.points[point.index - 1]
    let fm = FileManager.default
    // Until the trainer has made the run directory, its output goes to `<dir>.train.log`
    // beside it (the trainer creates `--out` itself and may refuse a directory that exists);
    // the log moves into the run as train.log as soon as the run exists.
    let inside = dir + "/train.log"
    let beside = dir + ".train.log"
    func adopt() {
      if fm.fileExists(atPath: dir), fm.fileExists(atPath: beside), !fm.fileExists(atPath: inside) {
        try? fm.moveItem(atPath: beside, toPath: inside)
      }
    }
    adopt()
    var logPath = fm.fileExists(atPath: dir) ? inside : beside
    do {
      try fm.createDirectory(
        atPath: (dir as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      if !fm.fileExists(atPath: logPath) { _ = fm.createFile(atPath: logPath, contents: nil) }
    } catch {
      return .failure("cannot create \(dir): \(error.localizedDescription)")
    }
    guard var log = FileHandle(forWritingAtPath: logPath) else {
      return .failure("cannot write \(logPath)")
    }
    defer { log.closeFile() }
    log.seekToEndOfFile()
    if action != .evaluate {
      var arguments = ["train", configuration.specPath]
      for a in planned.assignments.dropLast(settings.epochs == nil ? 0 : 1) {
        arguments += ["--set", a]
      }
      arguments += ["--out", dir, "--threads", String(settings.threads)]
      if let n = settings.epochs { arguments += ["--epochs", String(n)] }
      if action == .resume { arguments += ["--resume", dir] }
      let launched = launch(arguments, log: log, stdout: nil, at: i)
      if logPath == beside, fm.fileExists(atPath: dir) {
        log.closeFile()
        adopt()
        logPath = fm.fileExists(atPath: inside) ? inside : beside
        guard let reopened = FileHandle(forWritingAtPath: logPath) else {
          return .failure("cannot write \(logPath)")
        }
        log = reopened
        log.seekToEndOfFile()
      }
      guard case .success(let status) = launched else {
        return .failure("cannot start \(configuration.binary)")
      }
      if status != 0 {
        return .failure(Self.lastLine(of: logPath) ?? "dlspec train exited with status \(status)")
      }
      let run = RunScanner.read(dir)
      guard run.status == .finished else {
        return .failure("training ended, but its summary.json says \(run.status.rawValue)")
      }
    }
    guard settings.evaluate, SweepPlan.hasTestSet(planned.experiment) else {
      return .success(nil)
    }
    var spec = dir + "/spec.yaml"
    if !planned.absoluteDataPaths.isEmpty {
      // The data paths are relative to the original spec; the run's copy lives elsewhere.
      spec = dir + "/spec.evaluate.yaml"
      do {
        let text = try SpecOverrides.apply(
          planned.assignments + planned.absoluteDataPaths, to: configuration.specText)
        try writeReplacing(text, to: spec)
      } catch {
        return .failure("cannot write \(spec): \(error)")
      }
    }
    let output = Pipe()
    let arguments = [
      "evaluate", spec, "--checkpoint", dir + "/checkpoints/last.h5", "--format", "json",
    ]
    // Read the child's JSON on another thread, so a full pipe cannot block it.
    final class Box: @unchecked Sendable { var data = Data() }
    let box = Box()
    let reader = DispatchGroup()
    reader.enter()
    DispatchQueue.global().async {
      box.data = output.fileHandleForReading.readDataToEndOfFile()
      reader.leave()
    }
    let launched = launch(arguments, log: log, stdout: output, at: i)
    try? output.fileHandleForWriting.close()
    reader.wait()
    guard case .success(let status) = launched else {
      return .failure("cannot start \(configuration.binary)")
    }
    if status != 0 {
      return .failure(Self.lastLine(of: logPath) ?? "dlspec evaluate exited with status \(status)")
    }
    guard let json = try? JSONSerialization.jsonObject(with: box.data) as? [String: Any],
      let loss = RecordedSummary.double(json["loss"]), let accuracy = RecordedSummary.double(json["accuracy"])
    else { return .failure("dlspec evaluate printed no loss and accuracy") }
    try? writeReplacing(String(decoding: box.data, as: UTF8.self), to: dir + "/evaluate.json")
    return .success(
      (loss, accuracy, RecordedSummary.double(json["samples"]).flatMap(RecordedSummary.exactInt)))
  }

  enum Launch {
    case success(Int32)
    case failure
  }

  /// Runs the binary with `arguments`, stderr (and stdout unless piped) into `log`; records the
  /// child's pid in sweep.json so a resumed sweep can wait for an orphan of a killed one.
  func launch(_ arguments: [String], log: FileHandle, stdout: Pipe?, at i: Int) -> Launch {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: configuration.binary)
    process.arguments = arguments
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = stdout ?? log
    process.standardError = log
    log.write(Data(("$ dlspec " + arguments.joined(separator: " ") + "\n").utf8))
    do {
      try process.run()
    } catch {
      return .failure
    }
    lock.lock()
    state.points[i].pid = process.processIdentifier
    writeFiles()
    lock.unlock()
    process.waitUntilExit()
    return .success(process.terminationStatus)
  }

  /// The error of a failed child: the last `error:` line of its log, else its last non-empty
  /// line, at most 300 characters. (The child's stdout is block-buffered into the log, so its
  /// last line is not always the error.)
  static func lastLine(of path: String) -> String? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { handle.closeFile() }
    let size = handle.seekToEndOfFile()
    handle.seek(toFileOffset: size > 4096 ? size - 4096 : 0)
    let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    let lines = text.split(separator: "\n").filter {
      !$0.trimmingCharacters(in: .whitespaces).isEmpty
    }
    let error = lines.last { $0.lowercased().hasPrefix("error:") }.map {
      $0.dropFirst(6).drop { $0 == " " }
    }
    return (error ?? lines.last).map { String($0.prefix(300)) }
  }

  /// sweep.json, sweep.csv and sweep.md, each replaced whole. Called with the lock held.
  func writeFiles() {
    let dir = configuration.directory
    let rows = SweepTable.rows(state, directory: dir)
    let plot = SweepTable.plotData(state, rows: rows)
    state.plot = plot?.json ?? .null
    do {
      if let plot { try writeReplacing(plot.svg, to: dir + "/sweep.svg") }
      try writeReplacing(state.json.render() + "\n", to: dir + "/sweep.json")
      try writeReplacing(SweepTable.csv(state, rows: rows), to: dir + "/sweep.csv")
      try writeReplacing(SweepTable.markdown(state, rows: rows), to: dir + "/sweep.md")
    } catch {
      // A full disk: stop starting points; the message names what could not be written.
      tableError = tableError ?? "\(error)"
      if failure == nil { failure = "\(error)" }
    }
  }
}
