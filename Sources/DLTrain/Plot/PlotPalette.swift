/// Okabe–Ito colours (Okabe & Ito 2008), distinguishable with every common colour-vision
/// deficiency. Ordered for lines on white: yellow, which is faint on white, comes last.
public enum PlotPalette {
  public static let lines = [
    "#0072B2",  // blue
    "#D55E00",  // vermillion
    "#009E73",  // bluish green
    "#CC79A7",  // reddish purple
    "#E69F00",  // orange
    "#56B4E9",  // sky blue
    "#000000",  // black
    "#F0E442",  // yellow
  ]

  /// The colour of series `i`, cycling after eight.
  public static func color(_ i: Int) -> String { lines[i % lines.count] }

  /// Dash pattern of series `i`: solid for the first eight colours, then dashed and dotted, so
  /// the ninth series does not look like the first.
  public static func dash(_ i: Int) -> String? {
    switch (i / lines.count) % 3 {
    case 0: return nil
    case 1: return dashed
    default: return "2 3"
    }
  }

  /// The dash pattern of validation series.
  public static let dashed = "7 4"
  public static let axis = "#444444"
  public static let grid = "#e6e6e6"
  public static let mutedText = "#555555"
}
