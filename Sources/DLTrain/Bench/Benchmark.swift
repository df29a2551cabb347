import Foundation
import DLRuntime
import DLSpec

/// `dlspec bench`: times a spec's training step and evaluation on synthetic data, per layer
/// and whole, in the spirit of `caffe time`. Figures, not assertions: docs/performance.md.
public struct Benchmark {
  public struct Options {
    public var batch: Int
    public var threads: Int
    public var steps = 50
    public var warmup = 5
    public var seed: UInt64 = 1
    /// Returns the process's allocation count so far (the CLI's malloc interposer).
    public var allocationCount: () -> UInt64 = { 0 }

    public init(batch: Int, threads: Int) {
      self.batch = batch
      self.threads = threads
    }
  }

  public struct LayerTiming {
    public var name: String
    public var kind: String
    public var forwardMilliseconds: Double
    public var backwardMilliseconds: Double
    /// Achieved GFLOP/s: the layer's forward + backward hardware FLOPs (2 per multiply-add)
    /// over its time.
    public var gflops: Double
  }

  public struct Result {
    public var batch: Int
    public var threads: Int
    public var blasCore: String
    public var trainSamplesPerSecond: Double
    public var evalSamplesPerSecond: Double
    public var trainGFLOPs: Double
    public var allocationsPerStep: Double
    /// Jobs the worker pool handed to other threads per training step (0 on one thread).
    public var poolHandOffsPerStep: Double
    public var peakRSSBytes: Int
    public var layers: [LayerTiming]
    public var stepMilliseconds: Double
    /// True when the step applied plain SGD inside backward (batch 1), as training does.
    public var fusedSGD: Bool
  }

  let experiment: Experiment
  let options: Options

  public init(_ e: Experiment, options: Options) {
    experiment = e
    self.options = options
  }

  public func run() -> Result {
    let e = experiment
    let n = options.batch
    BLAS.setThreads(options.threads)
    // The pool's threads start (and allocate) when it is first used: on several threads, start
    // them now, not inside the timed window; on one thread, leave the pool uncreated.
    let pool = options.threads > 1 ? WorkerPool.shared : nil
    let plan = Plan<Float>(e, batch: n, seed: options.seed)
    plan.initialize(e.train.value.initScheme, seed: options.seed)
    var generator = RandomGenerator(seed: options.seed)
    let inputCount = e.model.input.elementCount * n
    for i in 0..<inputCount { plan.input[i] = Float(generator.nextUniform()) }
    let classes = e.model.output.elementCount
    for i in 0..<n { plan.labels[i] = Int32(generator.next(below: classes)) }
    let optimizer = Optimizer<Float>(e.optimizer.value)
    let state = plan.optimizerState
    let count = plan.parameterCount
    let lr = e.optimizer.value.learningRate
    // A small learning rate keeps the synthetic run finite however many steps it takes.
    let safeRate = min(lr, 1e-3)
    // The trainer's batch-1 path: plain SGD applied inside backward (Plan+FusedSGD.swift).
    let fused = n == 1 && optimizer.isPlainSGD && plan.canFuseSGD
    let norms = UnsafeMutablePointer<Double>.allocate(capacity: e.model.layers.count)
    norms.initialize(repeating: 0, count: e.model.layers.count)
    defer { norms.deallocate() }
    func step(_ k: Int) {
      if fused {
        plan.forward(1, training: true)
        _ = plan.computeLoss(1, gradient: true)
        _ = plan.backwardApplyingSGD(rate: Float(safeRate), norms: norms)
        return
      }
      plan.lossAndGradient(n)
      optimizer.update(
        parameters: plan.parameters, gradients: plan.gradients, state: state, count: count,
        learningRate: safeRate, step: k)
    }
    for k in 0..<options.warmup { step(k + 1) }
    let allocationsBefore = options.allocationCount()
    let handOffsBefore = pool?.handOffs ?? 0
    let trainStart = Clock.now()
    for k in 0..<options.steps { step(options.warmup + k + 1) }
    let trainSeconds = Clock.now() - trainStart
    let allocations = options.allocationCount() - allocationsBefore
    let handOffs = (pool?.handOffs ?? 0) - handOffsBefore

    let evalStart = Clock.now()
    // As `dlspec evaluate` runs a pass: dense weights packed once, at the start (timed).
    plan.withPreparedEvaluation {
      for _ in 0..<options.steps { plan.forward(n, training: false) }
    }
    let evalSeconds = Clock.now() - evalStart

    // Per-layer timings in a separate pass, so the clock reads do not slow the totals above.
    let layerCount = e.model.layers.count
    var forward = [Double](repeating: 0, count: layerCount)
    var backward = [Double](repeating: 0, count: layerCount)
    forward.withUnsafeMutableBufferPointer { f in
      backward.withUnsafeMutableBufferPointer { b in
        guard let fp = f.baseAddress, let bp = b.baseAddress else { return }
        for _ in 0..<options.steps {
          plan.runForward(n, training: true, seconds: fp)
          _ = plan.computeLoss(n, gradient: true)
          plan.runBackward(n, seconds: bp)
        }
      }
    }
    let report = CostReport(e, batch: n)
    let steps = Double(options.steps)
    // Hardware FLOPs: 2 per multiply-add actually executed (a batched dW = δᵀX is a GEMM, 2 per
    // MAC, although the notes count a one-sample outer product as 1 per weight), and the
    // notes' operation count for layers without multiply-adds. This is what compares with the
    // SGEMM peak.
    func hardwareFlops(_ r: CostReport.Row) -> Double {
      let macs = r.forwardMACs + r.backwardMACs
      return Double(macs > 0 ? 2 * macs : r.forwardOps + r.backwardOps)
    }
    let layers = e.model.layers.enumerated().map { i, l -> LayerTiming in
      let fwd = forward[i] / steps
      let bwd = backward[i] / steps
      let flops = hardwareFlops(report.rows[i]) * Double(n)
      return LayerTiming(
        name: l.name, kind: l.kindName, forwardMilliseconds: fwd * 1e3, backwardMilliseconds: bwd * 1e3,
        gflops: fwd + bwd > 0 ? flops / (fwd + bwd) / 1e9 : 0)
    }
    let stepFlops = (report.rows.reduce(0) { $0 + hardwareFlops($1) }
      + Double(report.loss.forwardOps + report.loss.backwardOps)) * Double(n)
    return Result(
      batch: n, threads: options.threads, blasCore: BLAS.coreName,
      trainSamplesPerSecond: Double(n) * steps / trainSeconds,
      evalSamplesPerSecond: Double(n) * steps / evalSeconds,
      trainGFLOPs: stepFlops * steps / trainSeconds / 1e9,
      allocationsPerStep: Double(allocations) / steps,
      poolHandOffsPerStep: Double(handOffs) / steps, peakRSSBytes: Self.peakRSS(),
      layers: layers, stepMilliseconds: trainSeconds / steps * 1e3, fusedSGD: fused)
  }

  /// Peak resident set size of this process (VmHWM), in bytes.
  public static func peakRSS() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
      let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
      return kb * 1024
    }
    return 0
  }

  /// SGEMM GFLOP/s of square `size` products on the current BLAS threads: the machine's peak
  /// for the "% of peak" column.
  public static func sgemmPeak(size: Int = 1024, repeats: Int = 10) -> Double {
    let a = Tensor<Float>(shape: [size, size])
    let b = Tensor<Float>(shape: [size, size])
    let c = Tensor<Float>(shape: [size, size])
    a.fill(0.5)
    b.fill(0.25)
    func product() {
      BLAS.gemm(
        transA: false, transB: false, m: size, n: size, k: size, alpha: 1, a: a.pointer, lda: size,
        b: b.pointer, ldb: size, beta: 0, c: c.pointer, ldc: size)
    }
    product()
    let start = Clock.now()
    for _ in 0..<repeats { product() }
    let seconds = Clock.now() - start
    return 2 * Double(size * size * size) * Double(repeats) / seconds / 1e9
  }
}
