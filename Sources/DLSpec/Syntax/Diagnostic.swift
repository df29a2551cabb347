/// One problem found in a spec: where, how bad, what is wrong and how to fix it.
///
/// Rendered in one place (`DiagnosticRenderer`) as `file:line:col: error[E012]: message`,
/// followed by the source line, a caret and the hint.
public struct Diagnostic: Error, Hashable, Sendable {
  public enum Severity: String, Sendable, Comparable {
    case warning
    case error

    public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .error }
  }

  public var severity: Severity
  public var code: DiagnosticCode
  public var location: SourceLocation?
  public var message: String
  public var hint: String?

  public init(
    _ code: DiagnosticCode, at location: SourceLocation?, _ message: String,
    hint: String? = nil, severity: Severity = .error
  ) {
    self.code = code
    self.location = location
    self.message = message
    self.hint = hint
    self.severity = severity
  }
}

/// Collects diagnostics while a spec is checked; checking goes on after an error so that one
/// run reports every problem.
public struct DiagnosticBag: Sendable {
  public private(set) var all: [Diagnostic] = []

  public init() {}

  public var hasErrors: Bool { all.contains { $0.severity == .error } }
  public var errors: [Diagnostic] { all.filter { $0.severity == .error } }
  public var warnings: [Diagnostic] { all.filter { $0.severity == .warning } }

  public mutating func append(_ d: Diagnostic) { all.append(d) }

  public mutating func error(
    _ code: DiagnosticCode, at location: SourceLocation?, _ message: String, hint: String? = nil
  ) {
    all.append(Diagnostic(code, at: location, message, hint: hint))
  }

  public mutating func warning(
    _ code: DiagnosticCode, at location: SourceLocation?, _ message: String, hint: String? = nil
  ) {
    all.append(Diagnostic(code, at: location, message, hint: hint, severity: .warning))
  }

  /// Diagnostics in source order (stable for equal positions), which is how compilers print.
  public var sorted: [Diagnostic] {
    all.enumerated().sorted { a, b in
      let la = a.element.location
      let lb = b.element.location
      let ka = (la?.line ?? 0, la?.column ?? 0, a.offset)
      let kb = (lb?.line ?? 0, lb?.column ?? 0, b.offset)
      return ka < kb
    }.map(\.element)
  }
}
