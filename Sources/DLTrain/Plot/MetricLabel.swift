/// Readable axis and legend names for metrics.csv columns: `val_accuracy` → "validation
/// accuracy", `grad_norm_dense_1` → "gradient norm (dense_1)". Unknown names pass through.
public enum MetricLabel {
  public static func display(_ column: String) -> String {
    switch column {
    case "epoch": return "epoch"
    case "step": return "step"
    case "lr": return "learning rate"
    case "samples_per_s": return "samples/s"
    default: break
    }
    if column.hasPrefix("grad_norm_") { return "gradient norm (\(column.dropFirst(10)))" }
    if column.hasPrefix("val_") { return "validation " + words(column.dropFirst(4)) }
    if column.hasPrefix("train_") { return "train " + words(column.dropFirst(6)) }
    if column.hasPrefix("test_") { return "test " + words(column.dropFirst(5)) }
    return column
  }

  /// True for validation metrics, which are drawn dashed.
  public static func isValidation(_ column: String) -> Bool {
    column.hasPrefix("val_") || column.hasPrefix("validation_")
  }

  private static func words(_ s: Substring) -> String {
    s.replacingOccurrences(of: "_", with: " ")
  }
}
