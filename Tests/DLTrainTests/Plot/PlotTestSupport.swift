import DLSpecTestSupport
import Foundation
import Testing

@testable import DLTrain

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// One element of a parsed SVG: its name, attributes, text content and children.
final class SVGNode {
  let name: String
  let attributes: [String: String]
  var children: [SVGNode] = []
  var text = ""

  init(name: String, attributes: [String: String]) {
    self.name = name
    self.attributes = attributes
  }

  func attr(_ key: String) -> String? { attributes[key] }

  /// The text of this element and its children, like XPath's string().
  var stringValue: String? { text + children.compactMap(\.stringValue).joined() }
}

/// An SVG parsed with Foundation's XMLParser (a real XML parser: malformed output, an
/// unescaped `&` or `<`, fails the test) into plain values, so tests read what a browser would:
/// elements by name and class, their attributes and text.
struct ParsedSVG {
  let root: SVGNode

  /// libxml2 underneath XMLParser is not safe to enter from parallel tests.
  private static let lock = NSLock()

  private final class Builder: NSObject, XMLParserDelegate {
    var stack: [SVGNode] = []
    var root: SVGNode?

    func parser(
      _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
      qualifiedName: String?, attributes: [String: String] = [:]
    ) {
      let node = SVGNode(name: name, attributes: attributes)
      stack.last?.children.append(node)
      if root == nil { root = node }
      stack.append(node)
    }

    func parser(
      _ parser: XMLParser, didEndElement name: String, namespaceURI: String?,
      qualifiedName: String?
    ) {
      stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
      stack.last?.text += string
    }
  }

  init(_ text: String) throws {
    let builder = Builder()
    let ok = Self.lock.withLock {
      let parser = XMLParser(data: Data(text.utf8))
      parser.delegate = builder
      return parser.parse()
    }
    #expect(ok, "the SVG is well-formed XML")
    root = try #require(builder.root)
  }

  /// Every element below `node` (depth first, document order).
  static func descendants(_ node: SVGNode) -> [SVGNode] {
    node.children.flatMap { [$0] + descendants($0) }
  }

  /// Elements named `name` with `class == cls` when given, below `node` or the root.
  func elements(_ name: String, class cls: String? = nil, in node: SVGNode? = nil) -> [SVGNode] {
    Self.descendants(node ?? root).filter { e in
      e.name == name && (cls == nil || e.attr("class") == cls)
    }
  }

  /// The series group labelled `label` inside `panel` (or anywhere).
  func series(_ label: String, in panel: SVGNode? = nil) -> SVGNode? {
    elements("g", class: "series", in: panel).first { $0.attr("data-label") == label }
  }

  /// The tick labels' values and texts of the `axis` ("x" or "y") of `panel`.
  func ticks(_ axis: String, in panel: SVGNode) -> [(value: Double, label: String)] {
    guard
      let g = elements("g", class: "axis", in: panel).first(where: { $0.attr("data-axis") == axis })
    else { return [] }
    return elements("text", class: "tick-label", in: g).map {
      (Double($0.attr("data-value") ?? "") ?? .nan, $0.stringValue ?? "")
    }
  }

  /// The points of every polyline in `node`, as pixel pairs.
  func polylinePoints(in node: SVGNode) -> [[(Double, Double)]] {
    elements("polyline", in: node).map { line in
      (line.attr("points") ?? "").split(separator: " ").map { pair in
        let xy = pair.split(separator: ",").compactMap { Double($0) }
        return xy.count == 2 ? (xy[0], xy[1]) : (.nan, .nan)
      }
    }
  }

  /// Marker centres in `node`.
  func markers(in node: SVGNode) -> [(Double, Double)] {
    elements("circle", class: "marker", in: node).map {
      (Double($0.attr("cx") ?? "") ?? .nan, Double($0.attr("cy") ?? "") ?? .nan)
    }
  }

  /// The `rect.plot-area` of `panel`: x, y, width, height.
  func plotArea(_ panel: SVGNode) -> (x: Double, y: Double, w: Double, h: Double)? {
    guard let r = elements("rect", class: "plot-area", in: panel).first else { return nil }
    let v = ["x", "y", "width", "height"].map { Double(r.attr($0) ?? "") ?? .nan }
    return (v[0], v[1], v[2], v[3])
  }

  func texts(class cls: String) -> [String] {
    elements("text", class: cls).map { $0.stringValue ?? "" }
  }
}

/// Fixture runs: real metrics.csv files of `dlspec train` on Fashion-MNIST (logreg 12 epochs,
/// logreg with batch size 1000, the MLP 8 epochs, logreg without a validation split), kept
/// outside the test targets so SwiftPM does not ask to bundle them.
enum PlotFixtures {
  static let directory = Snapshot.packageRoot.appendingPathComponent("Tests/Fixtures/Plots")

  static func path(_ run: String) -> String {
    directory.appendingPathComponent(run).appendingPathComponent("metrics.csv").path
  }

  static func table(_ run: String) throws -> MetricsTable {
    try MetricsTable.read(path: path(run))
  }

  static func golden(_ name: String) -> URL {
    directory.appendingPathComponent("golden").appendingPathComponent(name)
  }

  /// Test accuracy of logreg after 3 epochs of constant-rate SGD, measured with `dlspec train`
  /// and `dlspec evaluate` (rows: batch size 10, 100, 1000; columns: lr 1e-3, 1e-2, 0.1, 1).
  static let sweepLR = [0.001, 0.01, 0.1, 1]
  static let sweepAccuracy: [(label: String, ys: [Double?])] = [
    ("10", [0.7843, 0.8305, 0.8053, 0.7212]),
    ("100", [0.6712, 0.7845, 0.8298, 0.7302]),
    ("1000", [0.3652, 0.6713, 0.7837, 0.7004]),
  ]

  /// The confusion matrix of the 12-epoch logreg run on the Fashion-MNIST test set.
  static let confusion = [
    [801, 2, 20, 49, 4, 1, 114, 0, 9, 0],
    [3, 955, 4, 27, 6, 0, 4, 0, 1, 0],
    [16, 4, 758, 11, 128, 1, 76, 0, 6, 0],
    [24, 12, 18, 876, 29, 1, 36, 0, 4, 0],
    [0, 1, 125, 38, 763, 0, 65, 0, 8, 0],
    [0, 0, 0, 1, 0, 930, 0, 49, 4, 16],
    [124, 1, 139, 39, 108, 1, 569, 0, 19, 0],
    [0, 0, 0, 0, 0, 36, 0, 952, 0, 12],
    [7, 1, 7, 10, 4, 5, 26, 6, 934, 0],
    [0, 0, 0, 0, 0, 20, 0, 67, 1, 912],
  ]

  static let fashionNames = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
  ]
}
