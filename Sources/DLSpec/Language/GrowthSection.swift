/// `growth:` declarative growth (§3.5, docs/growth.md): after an epoch, when the watched
/// metric improved by less than `min_improvement`, insert the `layers` block before layer
/// `before`, at most `max_insertions` times.
///
/// ```yaml
/// growth:
///   metric: train_accuracy
///   min_improvement: 0.001     # 0.1 points of accuracy
///   after_epoch: 20
///   max_insertions: 3
///   before: dense_2            # a layer name, as `inspect` shows them
///   divide_lr_by_layers: true  # LR0 / (number of hidden layers)
///   layers:
///     - dense: {units: 100}
///     - tanh
/// ```
public enum GrowthSection {
  /// Every column a rule may watch; which exist depends on the task and the validation split.
  public static let metrics = [
    "train_loss", "train_accuracy", "train_mse", "train_mae", "train_r2", "val_loss",
    "val_accuracy", "val_mse", "val_mae", "val_r2",
  ]
  public static let initChoices = ["train"] + InitScheme.allCases.map(\.rawValue)

  public static let params = [
    ParamSpec(
      "metric", .choice(metrics), default: .string("train_accuracy"),
      doc: "the metrics.csv column the rule watches"),
    ParamSpec(
      "min_improvement", .number(min: 0, max: nil, exclusiveMin: false, exclusiveMax: false),
      default: .number(0.001),
      doc: "grow when the metric improved by less than this over the last epoch (accuracy 0.001 = 0.1 points; a loss improves by going down)"),
    ParamSpec(
      "after_epoch", .int(min: 0, max: nil), default: .int(0),
      doc: "check the rule only at the end of epochs after this one"),
    ParamSpec(
      "max_insertions", .int(min: 1, max: 1000), default: .int(1),
      doc: "insert the block at most this many times"),
    ParamSpec(
      "before", .string, required: true,
      doc: "the layer (by name, e.g. dense_2) before which each copy of the block is inserted"),
    ParamSpec(
      "init", .choice(initChoices), default: .string("train"),
      doc: "initialisation of the inserted layers' weights; 'train' uses train.init"),
    ParamSpec(
      "divide_lr_by_layers", .bool, default: .bool(false),
      doc: "divide the learning rate by the number of hidden layers (LR0 / layers, as in §3.5)"),
  ]
  /// The keys of the section: `params` and the block.
  public static var keys: [String] { params.map(\.name) + ["layers"] }

  static func read(
    _ node: SyntaxNode, model: ModelIR?, train: Section<TrainConfig>?, registry: LayerRegistry,
    into bag: inout DiagnosticBag
  ) -> Section<GrowthConfig>? {
    guard let pairs = node.mappingPairs else {
      bag.error(
        .wrongType, at: node.location, "'growth' must be a mapping, found \(node.kindDescription)",
        hint: "write `growth:` with `before:`, `layers:` and the rule's keys below it")
      return nil
    }
    let layersPair = pairs.first { $0.key.scalar == .string("layers") }
    let p = ParamReader.read(
      node, specs: params, context: "'growth'", anchor: node.location, otherKeys: ["layers"],
      into: &bag)
    guard let layersNode = layersPair?.value else {
      bag.error(
        .missingKey, at: node.location, "'growth' needs 'layers': the block to insert",
        hint: "add `layers:` with one `- kind` or `- kind: {params}` per line, e.g. `- dense: {units: 100}`")
      return nil
    }
    guard let items = layersNode.sequenceItems else {
      bag.error(
        .wrongType, at: layersNode.location,
        "'growth.layers' must be a list, found \(layersNode.kindDescription)",
        hint: "start each layer of the block on its own line with `- `")
      return nil
    }
    guard !items.isEmpty else {
      bag.error(
        .emptyGrowthBlock, at: layersNode.location, "the growth block has no layers",
        hint: "add the layers to insert, e.g. `- dense: {units: 100}` and `- tanh`")
      return nil
    }
    guard let model, let before = p.string("before") else { return nil }
    guard let anchor = model.layers.firstIndex(where: { $0.name == before }) else {
      let location = p.origins["before"]?.location ?? node.location
      bag.error(
        .unknownGrowthAnchor, at: location, "growth.before: '\(before)' is not a layer of the model",
        hint: Suggest.hint(for: before, among: model.layers.map(\.name), noun: "layers"))
      return nil
    }
    let at = model.layers[anchor].inputShape
    guard
      let block = ModelSection.readLayers(
        items, input: at, registry: registry, context: "growth layer", into: &bag)
    else { return nil }
    if let out = block.last?.outputShape, out != at {
      bag.error(
        .growthChangesShape, at: layersNode.location,
        "the growth block maps \(at) to \(out); inserted before \(before) it must keep the shape "
          + "\(at)",
        hint: "end the block with a layer of output \(at), e.g. `- dense: {units: \(at.elementCount)}`")
      return nil
    }
    guard let metric = p.string("metric"), let minImprovement = p.number("min_improvement"),
      let afterEpoch = p.int("after_epoch"), let maxInsertions = p.int("max_insertions"),
      let initName = p.string("init"), let divide = p.bool("divide_lr_by_layers"), let train
    else { return nil }
    let scheme = InitScheme(rawValue: initName) ?? train.value.initScheme
    return Section(
      GrowthConfig(
        metric: metric, minImprovement: minImprovement, afterEpoch: afterEpoch,
        maxInsertions: maxInsertions, anchor: anchor, block: block, initScheme: scheme,
        divideLearningRate: divide),
      variant: nil, params: p, origin: .source(node.location))
  }

  /// Checks that need the whole experiment: the metric is logged by this run (its task and
  /// validation split), and the largest grown model fits in `memoryLimit`.
  static func check(_ e: Experiment, memoryLimit: Int, into bag: inout DiagnosticBag) {
    guard let g = e.growth else { return }
    let metric = g.value.metric
    let location = g.params.origins["metric"]?.location ?? g.origin.location
    let regression = e.task.value == .regression
    let figures = regression ? ["loss", "mse", "mae", "r2"] : ["loss", "accuracy"]
    let validation = (e.data?.validationSplit ?? 0) > 0
    let logged = figures.map { "train_" + $0 } + (validation ? figures.map { "val_" + $0 } : [])
    if !logged.contains(metric) {
      let why =
        metric.hasPrefix("val_") && !validation
        ? "the run has no validation split (data.validation_split is 0)"
        : "a \(regression ? "regression" : "classification") run does not log it"
      bag.error(
        .growthMetricUnavailable, at: location, "growth.metric '\(metric)' is never logged: \(why)",
        hint: "watch one of " + logged.joined(separator: ", "))
    }
    let largest = e.largestGrown
    let bytes = TrainingMemory(largest, batch: e.train.value.batchSize).totalBytes
    if bytes > memoryLimit {
      bag.error(
        .growthTooLarge, at: g.params.origins["max_insertions"]?.location ?? g.origin.location,
        "grown \(g.value.maxInsertions) times the model needs \(ByteCount.format(bytes)) to train "
          + "(\(bytes) bytes), more than this machine's \(ByteCount.format(memoryLimit))",
        hint: "lower growth.max_insertions, the block's size or batch_size")
    }
  }
}
