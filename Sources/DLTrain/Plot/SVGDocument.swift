import Foundation

/// A minimal SVG writer: elements are appended as text in call order, so the same calls give
/// byte-identical output (the plots are goldened). Coordinates are written with at most two
/// decimals; every text and attribute value is XML-escaped.
///
/// ```swift
/// var svg = SVGDocument(width: 200, height: 100)
/// svg.text("loss", x: 100, y: 20, anchor: .middle, size: 14, bold: true)
/// let text = svg.render()
/// ```
public struct SVGDocument {
  /// Horizontal alignment of a text element (`text-anchor`).
  public enum Anchor: String {
    case start
    case middle
    case end
  }

  public var width: Double
  public var height: Double
  private var body: [String] = []
  private var depth = 1

  public init(width: Double, height: Double) {
    self.width = width
    self.height = height
  }

  /// `<g>` with attributes; close it with `close()`.
  public mutating func open(_ attributes: [(String, String)] = []) {
    emit("<g\(Self.attributes(attributes))>")
    depth += 1
  }

  /// Closes the innermost `open()`.
  public mutating func close() {
    depth -= 1
    emit("</g>")
  }

  public mutating func line(
    x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1,
    dash: String? = nil
  ) {
    var a = [
      ("x1", Self.n(x1)), ("y1", Self.n(y1)), ("x2", Self.n(x2)), ("y2", Self.n(y2)),
      ("stroke", stroke), ("stroke-width", Self.n(width)),
    ]
    if let dash { a.append(("stroke-dasharray", dash)) }
    emit("<line\(Self.attributes(a))/>")
  }

  public mutating func rect(
    x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil,
    extra: [(String, String)] = []
  ) {
    var a = [
      ("x", Self.n(x)), ("y", Self.n(y)), ("width", Self.n(width)),
      ("height", Self.n(height)), ("fill", fill),
    ]
    if let stroke { a.append(("stroke", stroke)) }
    emit("<rect\(Self.attributes(a + extra))/>")
  }

  /// An open line through `points` (no fill).
  public mutating func polyline(
    _ points: [(Double, Double)], stroke: String, width: Double = 2, dash: String? = nil
  ) {
    let p = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
    var a = [
      ("points", p), ("fill", "none"), ("stroke", stroke), ("stroke-width", Self.n(width)),
      ("stroke-linejoin", "round"), ("stroke-linecap", "round"),
    ]
    if let dash { a.append(("stroke-dasharray", dash)) }
    emit("<polyline\(Self.attributes(a))/>")
  }

  public mutating func circle(
    x: Double, y: Double, r: Double, fill: String, stroke: String? = nil,
    extra: [(String, String)] = []
  ) {
    var a = [("cx", Self.n(x)), ("cy", Self.n(y)), ("r", Self.n(r)), ("fill", fill)]
    if let stroke { a.append(("stroke", stroke)) }
    emit("<circle\(Self.attributes(a + extra))/>")
  }

  /// A text element; `rotate` turns it (degrees, clockwise) about its anchor point.
  public mutating func text(
    _ s: String, x: Double, y: Double, anchor: Anchor = .start, size: Double = 12,
    bold: Bool = false, fill: String = "#222222", rotate: Double? = nil,
    baseline: String? = nil, extra: [(String, String)] = []
  ) {
    var a = [("x", Self.n(x)), ("y", Self.n(y))]
    if anchor != .start { a.append(("text-anchor", anchor.rawValue)) }
    a.append(("font-size", Self.n(size)))
    if bold { a.append(("font-weight", "bold")) }
    if fill != "#222222" { a.append(("fill", fill)) }
    if let baseline { a.append(("dominant-baseline", baseline)) }
    if let rotate { a.append(("transform", "rotate(\(Self.n(rotate)) \(Self.n(x)) \(Self.n(y)))")) }
    emit("<text\(Self.attributes(a + extra))>\(Self.escape(s))</text>")
  }

  /// The complete document: white background, sans-serif text, then the body in call order.
  public func render() -> String {
    let w = Self.n(width.rounded(.up))
    let h = Self.n(height.rounded(.up))
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    out +=
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\""
      + " viewBox=\"0 0 \(w) \(h)\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\""
      + " font-size=\"12\" fill=\"#222222\">\n"
    out += "  <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
    out += body.joined(separator: "\n") + (body.isEmpty ? "" : "\n")
    return out + "</svg>\n"
  }

  private mutating func emit(_ element: String) {
    body.append(String(repeating: "  ", count: depth) + element)
  }

  /// A coordinate with at most two decimals and no trailing zeros ("12", "12.5", "12.25").
  public static func n(_ v: Double) -> String {
    guard v.isFinite else { return "0" }
    var s = String(format: "%.2f", v)
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s == "-0" ? "0" : s
  }

  /// Text escaped for XML content and attribute values.
  public static func escape(_ s: String) -> String {
    var out = ""
    for c in s.unicodeScalars {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      default:
        // Control characters are not allowed in XML 1.0 at all; drop them.
        if c.value < 0x20 && c != "\t" && c != "\n" { continue }
        out.unicodeScalars.append(c)
      }
    }
    return out
  }

  private static func attributes(_ a: [(String, String)]) -> String {
    a.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
  }
}
