extension Plan {
  /// Runs `body`, a pass of `forward(n, training: false)` over parameters that do not change
  /// inside it (an evaluation, a prediction), with what the layers can prepare for it prepared
  /// first: dense layers' weight matrices packed once into the GEMM's panels instead of on
  /// every batch (`PackedWeights`). Outside `body`, forward packs per call as before, so
  /// training, gradient checks and callers writing `parameters` see no difference.
  public func withPreparedEvaluation<R>(_ body: () throws -> R) rethrows -> R {
    let preparations = programs.compactMap(\.evaluationPreparation)
    for p in preparations { p.begin() }
    defer { for p in preparations { p.end() } }
    return try body()
  }
}
