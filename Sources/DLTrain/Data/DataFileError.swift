import DLSpec

/// A CSV, `.npy` or `.npz` data file that cannot be read as it claims: where (file, then line
/// and column for CSV, member and byte offset for `.npy`/`.npz`), what, and how to fix it.
///
/// Rendered as `train.csv:3:17: [E061] cell 'x' is not a number` and `  = hint: …` (after the
/// CLI's `error: `); `validate` shows it as a diagnostic with that code.
public struct DataFileError: Error, Equatable, CustomStringConvertible {
  public var code: DiagnosticCode
  /// The file, with `[member]` appended for a `.npz` member.
  public var file: String
  /// 1-based line (CSV), or nil.
  public var line: Int?
  /// 1-based byte column within the line (CSV), or nil.
  public var column: Int?
  public var message: String
  public var hint: String

  public init(
    _ code: DiagnosticCode, file: String, line: Int? = nil, column: Int? = nil, _ message: String,
    hint: String
  ) {
    self.code = code
    self.file = file
    self.line = line
    self.column = column
    self.message = message
    self.hint = hint
  }

  /// `file:line:column: message`, for a diagnostic that carries the code and hint itself.
  public var located: String {
    var place = file
    if let line { place += ":\(line)" }
    if line != nil, let column { place += ":\(column)" }
    return "\(place): \(message)"
  }

  /// The CLI prefixes `error: `, so the code goes in brackets after the place.
  public var description: String {
    let place = located.dropLast(message.count + 2)
    return "\(place): [\(code.rawValue)] \(message)\n  = hint: \(hint)"
  }
}
