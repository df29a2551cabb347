/// Estimated text widths for layout. SVG has no text measurement without a renderer, so
/// widths are estimated from DejaVu Sans advances (the widest common sans-serif), erring wide
/// so that labels never overlap when a narrower font is substituted.
public enum TextWidth {
  public static func of(_ s: String, size: Double) -> Double {
    var em = 0.0
    for c in s {
      switch c {
      case "i", "l", "j", "'", "|", "!", ".", ",", ":", ";": em += 0.3
      case "f", "t", "r", "I", "(", ")", "[", "]", " ", "-": em += 0.4
      case "m", "w", "M", "W": em += 0.95
      case "A"..."Z", "_", "…": em += 0.72
      default: em += 0.64
      }
    }
    return em * size
  }
}
