import DLSpec
import Foundation

/// A sweep file: the one-command form of `dlspec sweep SPEC --grid ...`.
///
/// ```yaml
/// sweep: 1                       # marks the file as a sweep (a top-level grid: does too)
/// spec: ../logreg.yaml           # relative to this file
/// set: {schedule: constant}      # overrides for every point (a mapping or a list of K=V)
/// grid:                          # axes in order: the first is the plot's x, the second its series
///   optimizer.sgd.lr: [0.001, 0.01, 0.1, 1.0]
///   train.batch_size: [1, 10, 100]
/// epochs: 2                      # optional: jobs, threads, epochs, evaluate, out
/// ```
public struct SweepFile: Sendable {
  public var path: String
  /// The spec's path, resolved against the sweep file's directory.
  public var spec: String
  public var set: [String] = []
  public var grid: SweepGrid
  public var epochs: Int?
  public var jobs: Int?
  public var threads: Int?
  public var evaluate: Bool?
  public var out: String?

  /// Every problem of a sweep file, each located.
  public struct Problems: Error {
    public var diagnostics: [Diagnostic]
  }

  static let keys = [
    "sweep", "spec", "set", "grid", "epochs", "jobs", "threads", "evaluate", "out",
  ]

  /// Whether `text` is a sweep file rather than a spec: a top-level `sweep:` or `grid:` key.
  public static func isSweepFile(_ text: String, path: String) -> Bool {
    guard case .success(let root) = SyntaxParser.parse(SourceFile(path: path, text: text)),
      let pairs = root.mappingPairs
    else { return false }
    return pairs.contains { ["sweep", "grid"].contains(key($0.key)) }
  }

  static func key(_ n: SyntaxNode) -> String? {
    if case .scalar(let s, _) = n.value { return s }
    return nil
  }

  /// Parses a sweep file, or returns every problem found, each located.
  public static func parse(_ source: SourceFile) -> Result<SweepFile, Problems> {
    let root: SyntaxNode
    switch SyntaxParser.parse(source) {
    case .failure(let d): return .failure(Problems(diagnostics: [d]))
    case .success(let r): root = r
    }
    guard let pairs = root.mappingPairs else {
      return .failure(
        Problems(diagnostics: [
          Diagnostic(.rootNotMapping, at: root.location, "a sweep file is a mapping")
        ]))
    }
    var problems: [Diagnostic] = []
    var file = SweepFile(path: source.path, spec: "", grid: SweepGrid(axes: []))
    var sawSpec = false
    var sawGrid = false
    func int(_ v: SyntaxNode, _ name: String, minimum: Int) -> Int? {
      guard case .int(let i)? = v.scalar, i >= minimum else {
        problems.append(
          Diagnostic(
            .wrongType, at: v.location,
            "`\(name)` must be an integer ≥ \(minimum), found \(v.kindDescription)"))
        return nil
      }
      return i
    }
    for (k, v) in pairs {
      let name = key(k) ?? ""
      switch name {
      case "sweep":
        if v.scalar != .int(1) {
          problems.append(
            Diagnostic(
              .unknownVersion, at: v.location,
              "unknown sweep file version \(v.kindDescription)", hint: "write `sweep: 1`"))
        }
      case "spec":
        sawSpec = true
        guard case .scalar(let s, _) = v.value, !s.isEmpty else {
          problems.append(
            Diagnostic(
              .wrongType, at: v.location, "`spec` must be a path, found \(v.kindDescription)"))
          continue
        }
        let dir = (source.path as NSString).deletingLastPathComponent
        file.spec = s.hasPrefix("/") || dir.isEmpty ? s : normalized(dir + "/" + s)
      case "set":
        if let items = v.sequenceItems {
          for item in items {
            if case .scalar(let s, _) = item.value, s.contains("=") {
              file.set.append(s)
            } else {
              problems.append(
                Diagnostic(
                  .wrongType, at: item.location,
                  "a `set` item is KEY=VALUE, found \(item.kindDescription)"))
            }
          }
        } else if let entries = v.mappingPairs {
          for (ek, ev) in entries { file.set.append((key(ek) ?? "") + "=" + flow(ev)) }
        } else {
          problems.append(
            Diagnostic(
              .wrongType, at: v.location,
              "`set` must be a mapping (key: value) or a list of KEY=VALUE, found \(v.kindDescription)"
            ))
        }
      case "grid":
        sawGrid = true
        guard let entries = v.mappingPairs, !entries.isEmpty else {
          problems.append(
            Diagnostic(
              .wrongType, at: v.location,
              "`grid` must be a mapping of keys to value lists, found \(v.kindDescription)",
              hint: "grid: {optimizer.sgd.lr: [0.01, 0.1], train.batch_size: [10, 100]}"))
          continue
        }
        for (ek, ev) in entries {
          guard let items = ev.sequenceItems, !items.isEmpty else {
            problems.append(
              Diagnostic(
                .wrongType, at: ev.location,
                "grid key `\(key(ek) ?? "")` needs a non-empty list of values, found \(ev.kindDescription)"
              ))
            continue
          }
          file.grid.axes.append(SweepGrid.Axis(key: key(ek) ?? "", values: items.map(flow)))
        }
      case "epochs": file.epochs = int(v, name, minimum: 1)
      case "jobs": file.jobs = int(v, name, minimum: 1)
      case "threads": file.threads = int(v, name, minimum: 1)
      case "evaluate":
        if case .bool(let b)? = v.scalar {
          file.evaluate = b
        } else {
          problems.append(
            Diagnostic(
              .wrongType, at: v.location,
              "`evaluate` must be true or false, found \(v.kindDescription)"))
        }
      case "out":
        if case .scalar(let s, _) = v.value, !s.isEmpty {
          file.out = s
        } else {
          problems.append(Diagnostic(.wrongType, at: v.location, "`out` must be a directory path"))
        }
      default:
        problems.append(
          Diagnostic(
            .unknownKey, at: k.location, "unknown key `\(name)` in a sweep file",
            hint: Suggest.hint(for: name, among: keys, noun: "sweep file keys")))
      }
    }
    if !sawSpec {
      problems.append(
        Diagnostic(
          .missingKey, at: root.location, "the sweep file has no `spec:`",
          hint: "spec: ../logreg.yaml"))
    }
    if !sawGrid {
      problems.append(
        Diagnostic(
          .missingKey, at: root.location, "the sweep file has no `grid:`",
          hint: "grid: {optimizer.sgd.lr: [0.01, 0.1]}"))
    }
    return problems.isEmpty ? .success(file) : .failure(Problems(diagnostics: problems))
  }

  /// `specs/sweeps/../logreg.yaml` → `specs/logreg.yaml` (a leading `..` stays).
  static func normalized(_ path: String) -> String {
    var parts: [Substring] = []
    for c in path.split(separator: "/", omittingEmptySubsequences: false) {
      if c == "." { continue }
      if c == "..", let last = parts.last, last != "..", !last.isEmpty {
        parts.removeLast()
      } else {
        parts.append(c)
      }
    }
    return parts.joined(separator: "/")
  }

  /// A node as YAML flow text, the form `SpecOverrides` parses back: scalars as written
  /// (quoted ones quoted again), lists as `[a, b]`, mappings as `{k: v}`.
  static func flow(_ n: SyntaxNode) -> String {
    switch n.value {
    case .scalar(let s, let quoted): return quoted ? JSONText.string(s) : s
    case .sequence(let items): return "[" + items.map(flow).joined(separator: ", ") + "]"
    case .mapping(let pairs):
      return "{" + pairs.map { flow($0.key) + ": " + flow($0.value) }.joined(separator: ", ") + "}"
    }
  }
}
