/// A position in a spec file: 1-based line and column (columns count Unicode scalars,
/// as libyaml does).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
  public var file: String
  public var line: Int
  public var column: Int

  public init(file: String, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  public var description: String { "\(file):\(line):\(column)" }
}

/// Where an IR attribute's value came from: written in the spec, or filled in by a default.
public enum Origin: Hashable, Sendable {
  case source(SourceLocation)
  case defaulted

  public var isDefault: Bool { self == .defaulted }

  /// The source position, or nil for a default.
  public var location: SourceLocation? {
    if case .source(let l) = self { return l }
    return nil
  }
}
