/// The dlspec release, shown by `dlspec --version` and recorded in every run's summary.json.
public enum ToolVersion {
  public static let current = "0.1.0"
}
