/// How one split is read from a CSV table: `{csv: FILE, label: …, header: …, …}` in `data:`.
///
/// One sample per row; every column but the label is a feature unless `features` lists them.
public struct CSVSource: Sendable, Equatable {
  /// A column named in the header row, or counted from 0.
  public enum Column: Sendable, Equatable, CustomStringConvertible {
    case name(String)
    case index(Int)

    public var description: String {
      switch self {
      case .name(let n): return "'\(n)'"
      case .index(let i): return "\(i)"
      }
    }
  }

  /// How feature cells are read.
  public enum CellType: String, Sendable, Equatable, CaseIterable {
    /// Any finite number, taken as is.
    case float32
    /// Whole numbers 0…255 (pixels), divided by 255 as the HDF5 and IDX loaders do.
    case uint8
  }

  /// The file, resolved against the spec's directory.
  public var path: String
  /// The label (classification) or target (regression) column.
  public var label: Column
  /// True when the first line names the columns instead of holding a sample.
  public var header: Bool
  /// The feature columns (0-based) in order; nil means every column but the label.
  public var features: [Int]?
  /// The byte separating cells.
  public var delimiter: String
  public var dtype: CellType

  public init(
    path: String, label: Column = .index(0), header: Bool = false, features: [Int]? = nil,
    delimiter: String = ",", dtype: CellType = .float32
  ) {
    self.path = path
    self.label = label
    self.header = header
    self.features = features
    self.delimiter = delimiter
    self.dtype = dtype
  }
}
