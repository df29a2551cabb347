/// A cheap scan of the raw text that bounds how deeply a document nests before Yams sees it.
///
/// Yams composes nodes recursively, so a document nested 50,000 levels deep would exhaust the
/// stack. Flow collections (`[[[[`) and block sequences (`- - - -`) are the two ways to nest
/// without ever-growing indentation, so the scan counts those; block indentation is bounded by
/// the column limit.
struct DepthGuard {
  static let maximumDepth = 64
  static let maximumIndent = 256

  /// The location of the first place that nests too deeply, if any.
  static func firstViolation(in text: String) -> (line: Int, column: Int, what: String)? {
    var line = 1
    var column = 0
    var flowDepth = 0
    var atLineStart = true
    var blockDashes = 0
    var quote: Character? = nil
    var inComment = false
    var previous: Character = "\n"
    for ch in text {
      if ch == "\n" {
        line += 1
        column = 0
        atLineStart = true
        blockDashes = 0
        inComment = false
        // Plain-style quotes never span lines in a valid spec; reset to keep the scan simple.
        if quote == "'" || quote == "\"" { quote = flowDepth > 0 ? quote : nil }
        previous = ch
        continue
      }
      column += 1
      if inComment {
        previous = ch
        continue
      }
      if let q = quote {
        if ch == q && previous != "\\" { quote = nil }
        previous = ch
        continue
      }
      if atLineStart {
        if ch == " " {
          if column > maximumIndent { return (line, column, "indentation deeper than \(maximumIndent) columns") }
          previous = ch
          continue
        }
        if ch == "-" || ch == "?" {
          blockDashes += 1
          if blockDashes > maximumDepth { return (line, column, "more than \(maximumDepth) nested sequences") }
          previous = ch
          continue
        }
        atLineStart = false
      }
      switch ch {
      case "#" where previous == " " || previous == "\t" || previous == "\n" || column == 1:
        inComment = true
      case "'", "\"":
        if previous == " " || previous == "[" || previous == "{" || previous == ","
          || previous == ":" || column == 1 || previous == "-" {
          quote = ch
        }
      case "[", "{":
        flowDepth += 1
        if flowDepth > maximumDepth { return (line, column, "more than \(maximumDepth) nested brackets") }
      case "]", "}":
        flowDepth = max(0, flowDepth - 1)
      default:
        break
      }
      previous = ch
    }
    return nil
  }
}
