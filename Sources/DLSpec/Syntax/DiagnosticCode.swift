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
  // Data files (E06x)
  /// A `data.train`/`data.test` entry names no file format (hdf5, idx, csv, npy, npz).
  case noDataFormat = "E060"
  /// A CSV data file is malformed: ragged rows, a cell that is no finite number, a bad label.
  case badCSV = "E061"
  /// A `.npy` array is malformed: its header, dtype, order or size.
  case badNPY = "E062"
  /// A `.npz` archive is malformed: its zip structure, a member's compression or checksum.
  case badNPZ = "E063"
  // Growth, `growth:` (E07x)
  /// `growth.before` names no layer of the model.
  case unknownGrowthAnchor = "E070"
  /// The growth block does not keep the shape at its insertion point.
  case growthChangesShape = "E071"
  /// `growth.metric` is not a column this run logs.
  case growthMetricUnavailable = "E072"
  /// `growth.layers` is empty.
  case emptyGrowthBlock = "E073"
  /// The largest grown model would not fit in memory.
  case growthTooLarge = "E074"
  // ONNX export, `dlspec export --to onnx` (E08x)
  case onnxInexpressible = "E080"
  case onnxTooLarge = "E081"
  case onnxOpset = "E082"
  case onnxMismatch = "E083"
  case onnxVerifierMissing = "E084"
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
  // Training warnings (W015–W019): printed by `train` and recorded in summary.json.
  /// Accuracy indistinguishable from 1/classes at the end of an epoch (§4.3).
  case accuracyAtChance = "W015"
  /// The first layer's gradient norm below 1e-6 of the last layer's (§4.3, (4.21)).
  case vanishingGradient = "W016"

  public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
