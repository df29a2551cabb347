/// What the model predicts: a class (labels in `0..<K`, accuracy) or real values (targets of
/// shape `N` or `N×K`, MSE/MAE/R²).
///
/// ```yaml
/// task: regression        # optional: inferred from the loss and the output width
/// ```
public enum TaskKind: String, Sendable, CaseIterable {
  case classification
  case regression
}
