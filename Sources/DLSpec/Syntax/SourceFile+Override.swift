/// The pseudo-source of a `--set KEY=VALUE` override, so its problems are located in the
/// override itself: `--set optimizer.sgd.lrr=0.1:1:15: error[E014]: …`, then the assignment
/// as the quoted line and a caret under `lrr`.
///
/// The name alone determines the text (the name is `--set ` followed by the text), so a
/// renderer given only the spec's source still finds an override's line by its name.
extension SourceFile {
  /// What every override's pseudo-source name starts with.
  public static let overridePrefix = "--set "

  /// The pseudo-source of one assignment. Control characters (never valid in an override, and
  /// reported as such) are shown as their Unicode control pictures, one for one, so the name
  /// and the quoted line stay on one line and columns still match the argument.
  public static func override(_ assignment: String) -> SourceFile {
    var shown = String.UnicodeScalarView()
    for u in assignment.unicodeScalars {
      if u.value < 0x20, let picture = Unicode.Scalar(0x2400 + u.value) {
        shown.append(picture)
      } else if u.value == 0x7F {
        shown.append("\u{2421}")
      } else {
        shown.append(u)
      }
    }
    let text = String(shown)
    return SourceFile(path: overridePrefix + text, text: text)
  }

  /// The pseudo-source named `name` when it is an override's (`--set …`), else nil.
  public init?(overrideNamed name: String) {
    guard name.hasPrefix(Self.overridePrefix) else { return nil }
    self.init(path: name, text: String(name.dropFirst(Self.overridePrefix.count)))
  }

  /// True for an override's pseudo-source.
  public var isOverride: Bool { path.hasPrefix(Self.overridePrefix) }
}
