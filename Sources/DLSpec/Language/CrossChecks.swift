/// Rules that span sections: output width against the data's classes, the loss against the
/// model's output, the data's sample size against the input, memory, and warnings for legal
/// but suspicious specs.
struct CrossChecks {
  var memoryLimit: Int

  func run(_ e: Experiment, into bag: inout DiagnosticBag) {
    let layers = e.model.layers
    let output = e.model.output
    let lastLocation = layers.last?.location
    // The layer that decides the output width: the last one with parameters.
    let widthLayer = layers.last { !$0.parameters.isEmpty } ?? layers.last

    if output.rank != 1 {
      bag.error(
        .lossMismatch, at: lastLocation,
        "loss '\(e.loss.value.rawValue)' needs a flat output of class scores, but the model "
          + "outputs \(output)",
        hint: "end the model with `- flatten` and `- dense: {units: <classes>}`")
    } else if let classes = e.data?.classes, output.dims[0] != classes {
      bag.error(
        .classCountMismatch, at: widthLayer?.location,
        "the model outputs \(output.dims[0]) values per sample, but the data has \(classes) classes",
        hint: "set the last dense layer's units to \(classes)")
    } else if e.loss.value == .crossEntropy, output.dims[0] < 2 {
      bag.error(
        .lossMismatch, at: widthLayer?.location,
        "cross_entropy needs at least 2 classes, but the model outputs \(output.dims[0])",
        hint: "use one output per class")
    }

    if let data = e.data, case .named(let name) = data.source,
      let shape = DataSection.namedDatasets[name]?.shape
    {
      let samples = shape.reduce(1, *)
      if e.model.input.elementCount != samples {
        bag.error(
          .shapeMismatch, at: e.model.inputOrigin.location,
          "'\(name)' samples are \(Shape(shape)) (\(samples) values), but the model input is "
            + "\(e.model.input)",
          hint: "use `input: [\(samples)]` or `input: \(Shape(shape))`")
      }
    }

    let bytes = TrainingMemory(e, batch: e.train.value.batchSize).totalBytes
    if bytes > memoryLimit {
      bag.error(
        .tooLarge, at: e.model.inputOrigin.location ?? lastLocation,
        "training at batch size \(e.train.value.batchSize) needs \(ByteCount.format(bytes)) "
          + "(\(bytes) bytes), more than this machine's \(ByteCount.format(memoryLimit))",
        hint: "reduce batch_size or the model's size; `dlspec cost` shows where the memory goes")
    }
    warnings(e, into: &bag)
  }

  func warnings(_ e: Experiment, into bag: inout DiagnosticBag) {
    let layers = e.model.layers
    // Kinds that turn scores into (log-)probabilities: those that fuse into cross-entropy.
    let softmaxes = layers.filter { $0.kind.fusion.intoCrossEntropy != nil }
    if e.loss.value == .crossEntropy {
      for s in softmaxes where s.index != layers.count - 1 {
        bag.warning(
          .softmaxNotLast, at: s.location,
          "\(s.kindName) is not the last layer, but the loss is cross_entropy",
          hint: "cross_entropy reads the last layer as class scores; put \(s.kindName) last or remove it")
      }
    }
    if softmaxes.count > 1, let second = softmaxes.dropFirst().first {
      bag.warning(
        .doubleSoftmax, at: second.location, "the model applies softmax more than once",
        hint: "a second softmax flattens the probabilities towards uniform; keep one")
    }
    // §4.3: gradients through sigmoid layers shrink by at least 4× each (σ' ≤ 1/4), (4.21);
    // any kind whose derivative is so bounded declares it.
    let shrinking = layers.filter { ($0.kind.derivativeBound ?? 1) <= 0.25 }
    if shrinking.count > 5, let sixth = shrinking.dropFirst(5).first {
      bag.warning(
        .deepSigmoid, at: sixth.location,
        "\(shrinking.count) \(sixth.kindName) layers: gradients shrink at least 4× per layer "
          + "(§4.3, (4.21))",
        hint: "use relu or tanh in deep stacks; watch the per-layer gradient norms in metrics.csv")
    }
    if let w = ScheduleSpan(e).warning(e) { bag.append(w) }
    // One warning per run of activations, not one per pair: a 100,000-entry run would
    // otherwise print 100,000 identical warnings.
    var i = 1
    while i < layers.count {
      guard layers[i - 1].kind.isActivation, layers[i].kind.isActivation else {
        i += 1
        continue
      }
      var end = i
      while end + 1 < layers.count, layers[end + 1].kind.isActivation { end += 1 }
      let (a, b) = (layers[i - 1], layers[i])
      let more = end - i
      bag.warning(
        .consecutiveActivations, at: b.location,
        "\(b.kindName) directly follows \(a.kindName)"
          + (more > 0
            ? " (and \(more) more activation\(more == 1 ? "" : "s") follow in a row)" : ""),
        hint: "two activations in a row are rarely intended; is a dense or conv2d layer missing?")
      i = end + 1
    }
  }
}

/// Human-readable byte counts (binary units), used in messages and tables.
public enum ByteCount {
  public static func format(_ bytes: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    var value = Double(bytes)
    var i = 0
    while value >= 1024, i < units.count - 1 {
      value /= 1024
      i += 1
    }
    return i == 0 ? "\(bytes) B" : String(format: "%.2f", value) + " " + units[i]
  }

  /// Decimal units, as the notes write them: `10.21 MB`, `0.08 GB`.
  public static func decimal(_ bytes: Int) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
    var value = Double(bytes)
    var i = 0
    while value >= 1000, i < units.count - 1 {
      value /= 1000
      i += 1
    }
    return i == 0 ? "\(bytes) B" : String(format: "%.2f", value) + " " + units[i]
  }
}
