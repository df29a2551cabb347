import Foundation

/// The grid of a sweep: axes `KEY=V1,V2,...`, expanded to their cartesian product.
///
/// Value lists are split on commas outside brackets, braces and quotes, so a value may be any
/// YAML flow value: `--grid 'model.input=[1,28,28],[784]'` has the two values `[1,28,28]` and
/// `[784]`; `--grid "name='a,b',c"` has `'a,b'` and `c`. Order is fixed: the points enumerate
/// the first axis slowest and the last fastest (like nested loops in the order given).
public struct SweepGrid: Sendable, Equatable {
  public struct Axis: Sendable, Equatable {
    public var key: String
    public var values: [String]

    public init(key: String, values: [String]) {
      self.key = key
      self.values = values
    }
  }

  /// One point: its 1-based index and one value per axis.
  public struct Point: Sendable, Equatable {
    public var index: Int
    public var values: [String]
  }

  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  public var axes: [Axis]

  public init(axes: [Axis]) { self.axes = axes }

  /// Parses `--grid` arguments.
  public init(arguments: [String]) throws {
    var axes: [Axis] = []
    for a in arguments {
      guard let eq = a.firstIndex(of: "=") else {
        throw Failure(
          description: "--grid '\(a)': expected KEY=V1,V2,..., e.g. optimizer.sgd.lr=0.01,0.1")
      }
      let key = String(a[..<eq]).trimmingCharacters(in: .whitespaces)
      guard !key.isEmpty else {
        throw Failure(
          description: "--grid '\(a)': the key is empty; write e.g. train.batch_size=10,100")
      }
      if axes.contains(where: { $0.key == key }) {
        throw Failure(description: "--grid '\(a)': \(key) is already swept by an earlier --grid")
      }
      let values = try Self.split(String(a[a.index(after: eq)...]))
      if let empty = values.firstIndex(where: { $0.isEmpty }) {
        throw Failure(
          description:
            "--grid '\(a)': value \(empty + 1) is empty; separate values by single commas")
      }
      axes.append(Axis(key: key, values: values))
    }
    self.axes = axes
  }

  /// Splits on commas at nesting depth 0 and outside quotes; values are trimmed.
  public static func split(_ list: String) throws -> [String] {
    var values: [String] = []
    var current = ""
    var depth = 0
    var quote: Character? = nil
    for c in list {
      if let q = quote {
        if c == q { quote = nil }
      } else if c == "'" || c == "\"" {
        quote = c
      } else if c == "[" || c == "{" {
        depth += 1
      } else if c == "]" || c == "}" {
        depth -= 1
        if depth < 0 { throw Failure(description: "unbalanced '\(c)' in the value list '\(list)'") }
      } else if c == ",", depth == 0 {
        values.append(current.trimmingCharacters(in: .whitespaces))
        current = ""
        continue
      }
      current.append(c)
    }
    if quote != nil { throw Failure(description: "unclosed quote in the value list '\(list)'") }
    if depth != 0 { throw Failure(description: "unclosed bracket in the value list '\(list)'") }
    values.append(current.trimmingCharacters(in: .whitespaces))
    return values
  }

  public var count: Int { axes.isEmpty ? 0 : axes.reduce(1) { $0 * $1.values.count } }

  /// Every point, the last axis varying fastest.
  public var points: [Point] {
    guard !axes.isEmpty else { return [] }
    var out: [[String]] = [[]]
    for axis in axes {
      out = out.flatMap { prefix in axis.values.map { prefix + [$0] } }
    }
    return out.enumerated().map { Point(index: $0.offset + 1, values: $0.element) }
  }

  /// `KEY=VALUE` for each axis of `point`: the point's `--set` assignments.
  public func assignments(_ point: Point) -> [String] {
    zip(axes, point.values).map { "\($0.key)=\($1)" }
  }

  /// `point 3 (optimizer.sgd.lr=0.1, train.batch_size=10)`.
  public func label(_ point: Point) -> String {
    "point \(point.index) (" + assignments(point).joined(separator: ", ") + ")"
  }

  /// The point's directory name: `003-lr=0.1-batch_size=10` (last key component, value
  /// reduced to safe characters), the index first so names sort in grid order.
  public func directoryName(_ point: Point) -> String {
    let parts = zip(axes, point.values).map { axis, value -> String in
      let leaf = axis.key.split(separator: ".").last.map(String.init) ?? axis.key
      return leaf + "=" + Self.safe(value)
    }
    let slug = String(parts.joined(separator: "-").prefix(80))
    return String(format: "%03d", point.index) + (slug.isEmpty ? "" : "-" + slug)
  }

  static func safe(_ s: String) -> String {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+")
    let mapped = String(s.map { allowed.contains($0) ? $0 : "_" })
    return mapped.isEmpty ? "_" : mapped
  }
}
