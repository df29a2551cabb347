import Foundation
import Testing

@testable import DLTrain

@Suite struct SVGDocumentTests {
  @Test func numbersHaveAtMostTwoDecimals() {
    #expect(SVGDocument.n(12) == "12")
    #expect(SVGDocument.n(12.5) == "12.5")
    #expect(SVGDocument.n(12.3456) == "12.35")
    #expect(SVGDocument.n(-0.001) == "0")
    #expect(SVGDocument.n(.nan) == "0")
  }

  @Test func textAndAttributesAreEscaped() throws {
    var svg = SVGDocument(width: 100, height: 50)
    svg.open([("data-label", "a\"b<c>")])
    svg.text("x & y < z \u{1}", x: 1, y: 2)
    svg.close()
    let text = svg.render()
    #expect(text.contains("data-label=\"a&quot;b&lt;c&gt;\""))
    #expect(text.contains(">x &amp; y &lt; z </text>"), "control characters are dropped")
    let parsed = try ParsedSVG(text)
    #expect(parsed.elements("text").first?.stringValue == "x & y < z ")
    #expect(parsed.root.attr("width") == "100" && parsed.root.attr("viewBox") == "0 0 100 50")
  }
}
