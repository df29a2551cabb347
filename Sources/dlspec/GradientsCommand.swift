import ArgumentParser
import DLSpec
import DLTrain
import Foundation

struct GradientsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gradients",
    abstract: "Per-layer gradient norms and saturation: the vanishing-gradient report of §4.3.",
    discussion: """
      Runs --batches training batches (the first epoch's, in the spec's seeded order) through \
      the model without updating it, and prints per layer with parameters the mean norms of \
      ∂ρ/∂W and ∂ρ/∂b, their ratio to the last layer's beside (4.21)'s 2^-(L+1-ℓ), and per \
      sigmoid/tanh layer the share of inputs with |z| > 4, per ReLU layer the share with z ≤ 0 \
      and the units dead on every sample. See docs/gradients.md.
      """)

  @Argument(help: "The spec file.")
  var spec: String

  @Option(help: "Checkpoint (.h5) whose weights to examine; by default the spec's initialisation.")
  var checkpoint: String?

  @Option(parsing: .unconditional, help: "Training batches to average over.")
  var batches = 10

  @Option(help: "Output format: text or json.")
  var format: OutputFormat = .text

  @Option(help: "Also plot the gradient norm per layer (log scale) to this SVG file.")
  var out: String?

  func validate() throws {
    if batches < 1 { throw ValidationError("--batches must be at least 1") }
  }

  func run() throws {
    let e = try loadExperiment(spec, quietWarnings: true)
    let config = e.train.value
    try ensureFits(e, batch: config.batchSize)
    guard e.data != nil else {
      throw CLIError(
        "\(spec) has no data section; the gradient report runs on the spec's training data\n"
          + "  = hint: add `data:` (e.g. `dataset: fashion-mnist`); `dlspec gradcheck --synthetic` "
          + "checks gradients without data")
    }
    do {
      let seed = UInt64(config.seed)
      let plan =
        try checkpoint.map { try Checkpoint.plan(for: e, checkpoint: $0, batch: config.batchSize, seed: seed) }
        ?? Plan<Float>(e, batch: config.batchSize, seed: seed)
      plan.initialize(config.initScheme, seed: seed)
      var source = "weights initialised by \(config.initScheme.rawValue) (seed \(config.seed))"
      if let checkpoint {
        let meta = try Checkpoint.load(checkpoint, into: plan, optimizerState: false)
        source = "weights of \(checkpoint) (epoch \(meta.epoch), step \(meta.step))"
      }
      let data = try ExperimentData.load(e, split: .train)
      let split = try ValidationSplit(
        count: data.count, fraction: e.data?.validationSplit ?? 0, seed: seed)
      guard !split.train.isEmpty else {
        throw CLIError("the training split has no samples (N = 0); nothing to measure")
      }
      let iterator = try BatchIterator(
        indices: split.train, batchSize: config.batchSize, seed: seed, shuffle: config.shuffle)
      let report = GradientReport.measure(plan, data: data, batches: iterator, batchCount: batches)
      source += ", training data"
      switch format {
      case .text: print(report.text(spec: spec, source: source), terminator: "")
      case .json: print(report.json(spec: spec, source: source), terminator: "")
      }
      if let out {
        try PlotFile.write(report.plot(title: "\(e.name): gradient norm per layer").svg(), to: out)
        if format == .text { print("  plotted in \(out)") }
      }
    } catch let failure as CLIError {
      throw failure
    } catch {
      throw CLIError("\(error)")
    }
  }
}
