/// Stable diagnostic codes. A code never changes meaning once released; new problems get new
/// numbers. docs/spec-language.md lists them all.
public enum DiagnosticCode: String, Sendable, CaseIterable, Comparable {
  // Reading the file (E00x)
  case fileUnreadable = "E001"
  case fileTooLarge = "E002"
  case invalidUTF8 = "E003"
  case yamlSyntax = "E004"
  case emptyFile = "E005"
  case tooDeep = "E006"
  case tooManyNodes = "E007"
  case duplicateKey = "E008"
  case notRegularFile = "E009"
  // Document structure (E01x)
  case rootNotMapping = "E010"
  case missingVersion = "E011"
  case unknownVersion = "E012"
  case missingSection = "E013"
  case unknownKey = "E014"
  case wrongType = "E015"
  case outOfRange = "E016"
  case missingKey = "E017"
  case notFinite = "E018"
  // Names (E02x)
  case unknownLayer = "E020"
  case unknownLoss = "E021"
  case unknownOptimizer = "E022"
  case unknownSchedule = "E023"
  case unknownDataset = "E024"
  case badLayerForm = "E025"
  case conflictingKeys = "E026"
  case unknownTask = "E027"
  // Shapes and sizes (E03x)
  case shapeMismatch = "E030"
  case kernelTooLarge = "E031"
  case needsFlatten = "E032"
  case classCountMismatch = "E033"
  case tooLarge = "E034"
  case emptyModel = "E035"
  case lossMismatch = "E036"
  case noParameters = "E037"
  /// The data does not match the model (found by `validate --check-data`).
  case dataMismatch = "E038"
  // Lists (E04x)
  case notIncreasing = "E040"
  case countMismatch = "E041"
  // Overrides, `--set KEY=VALUE` (E05x)
  case badOverride = "E050"
  case overridePath = "E051"
  case overrideTag = "E052"
  // Export to PyTorch (E085–E089)
  /// A layer kind the PyTorch exporter cannot express exactly.
  case exportUnsupportedLayer = "E085"
  /// `export --checkpoint` names a file that is not a checkpoint of this spec.
  case exportCheckpoint = "E086"
  /// `export --out` cannot be written.
  case exportOutput = "E087"
  /// `export --verify` finds no Python with torch, h5py and numpy.
  case exportPython = "E088"
  /// `export --verify`: the exported model's outputs differ from dlspec's.
  case exportMismatch = "E089"
  // Warnings (W0xx)
  case softmaxNotLast = "W001"
  case deepSigmoid = "W002"
  case doubleSoftmax = "W003"
  case consecutiveActivations = "W004"
  case vanishingLearningRate = "W005"

  public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
