import DLRuntime
import Testing

/// Kernels chained the way a planner will chain them: layouts must agree between layers
/// (conv output NCHW read as dense input [N, C·H·W] is the flatten) and gradients must compose.
@Suite struct CompositionTests {
  /// conv(1→2, 3×3, pad 1) → relu → maxpool 2 → flatten → dense(18→3) → softmax-CE, in Double.
  struct TinyCNN {
    static let batch = 2
    static let conv = Conv2DKernel.Geometry(
      channels: 1, height: 6, width: 6, filters: 2, kernelHeight: 3, kernelWidth: 3,
      paddingY: 1, paddingX: 1)
    static let pool = Pool.Geometry(
      planes: batch * 2, height: 6, width: 6, windowHeight: 2, windowWidth: 2)
    static let features = 2 * 3 * 3
    static let classes = 3
    static var labels: [Int32] = [2, 0]

    let x = Tensor<Double>(shape: [batch, 1, 6, 6])
    let convWeight = Tensor<Double>(shape: [2, 1, 3, 3])
    let convBias = Tensor<Double>(shape: [2])
    let denseWeight = Tensor<Double>(shape: [classes, features])
    let denseBias = Tensor<Double>(shape: [classes])
    let convOut = Tensor<Double>(shape: [batch, 2, 6, 6])
    let pooled = Tensor<Double>(shape: [batch, 2, 3, 3])
    let logits = Tensor<Double>(shape: [batch, classes])
    let workspace = Tensor<Double>(shape: [Conv2DKernel.workspaceCount(conv, batch: batch)])
    let indices = Tensor<Int32>(shape: [pool.outputCount])

    // Gradients.
    let dLogits = Tensor<Double>(shape: [batch, classes])
    let dPooled = Tensor<Double>(shape: [batch, 2, 3, 3])
    let dConvOut = Tensor<Double>(shape: [batch, 2, 6, 6])
    let dx = Tensor<Double>(shape: [batch, 1, 6, 6])
    let dConvWeight = Tensor<Double>(shape: [2, 1, 3, 3])
    let dConvBias = Tensor<Double>(shape: [2])
    let dDenseWeight = Tensor<Double>(shape: [classes, features])
    let dDenseBias = Tensor<Double>(shape: [classes])

    init() {
      var generator = RandomGenerator(seed: 70)
      Initializer.normal(x.pointer, count: x.count, standardDeviation: 1, generator: &generator)
      Initializer.heNormal(
        convWeight.pointer, count: convWeight.count, fanIn: 9, generator: &generator)
      Initializer.normal(convBias.pointer, count: 2, standardDeviation: 0.1, generator: &generator)
      Initializer.xavierUniform(
        denseWeight.pointer, count: denseWeight.count, fanIn: Self.features,
        fanOut: Self.classes, generator: &generator)
    }

    func forward() -> Double {
      Conv2DKernel.forward(
        x: x.pointer, weight: convWeight.pointer, bias: convBias.pointer, y: convOut.pointer,
        batch: Self.batch, geometry: Self.conv, workspace: workspace.pointer)
      Activation.forward(.relu, x: convOut.pointer, y: convOut.pointer, count: convOut.count)
      Pool.maxForward(
        x: convOut.pointer, y: pooled.pointer, argmax: indices.pointer, geometry: Self.pool)
      DenseKernel.forward(
        x: pooled.pointer, weight: denseWeight.pointer, bias: denseBias.pointer,
        y: logits.pointer, batch: Self.batch, inFeatures: Self.features,
        outFeatures: Self.classes)
      return Loss.softmaxCrossEntropy(
        logits: logits.pointer, labels: &Self.labels, batch: Self.batch, classes: Self.classes,
        dLogits: dLogits.pointer)
    }

    func backward() {
      DenseKernel.backward(
        x: pooled.pointer, weight: denseWeight.pointer, dy: dLogits.pointer,
        dx: dPooled.pointer, dWeight: dDenseWeight.pointer, dBias: dDenseBias.pointer,
        batch: Self.batch, inFeatures: Self.features, outFeatures: Self.classes)
      Pool.maxBackward(
        dy: dPooled.pointer, argmax: indices.pointer, dx: dConvOut.pointer, geometry: Self.pool)
      Activation.backward(
        .relu, y: convOut.pointer, dy: dConvOut.pointer, dx: dConvOut.pointer,
        count: convOut.count)
      Conv2DKernel.backward(
        x: x.pointer, weight: convWeight.pointer, dy: dConvOut.pointer, dx: dx.pointer,
        dWeight: dConvWeight.pointer, dBias: dConvBias.pointer, batch: Self.batch,
        geometry: Self.conv, workspace: workspace.pointer)
    }

    /// Central differences of the loss with respect to every element of `parameter`, which is
    /// restored afterwards (the last evaluation leaves its final element at θ − Δ).
    func numeric(_ parameter: Tensor<Double>) -> [Double] {
      let original = parameter.array
      defer { for (i, value) in original.enumerated() { parameter.pointer[i] = value } }
      return numericGradient(original) { theta in
        for (i, value) in theta.enumerated() { parameter.pointer[i] = value }
        return forward()
      }
    }
  }

  @Test func tinyCNNGradientsMatchCentralDifferences() {
    let net = TinyCNN()
    _ = net.forward()
    net.backward()
    // Analytic gradients first: `numeric` re-runs forward and overwrites the activations.
    let analytic = [
      net.dx.array, net.dConvWeight.array, net.dConvBias.array, net.dDenseWeight.array,
      net.dDenseBias.array,
    ]
    let parameters = [net.x, net.convWeight, net.convBias, net.denseWeight, net.denseBias]
    let names = ["dx", "dConvWeight", "dConvBias", "dDenseWeight", "dDenseBias"]
    for (index, parameter) in parameters.enumerated() {
      expectGradient(analytic[index], net.numeric(parameter), names[index])
    }
  }

  @Test func mlpLearnsSeparableBlobs() {
    // Two Gaussian blobs in 4-D; 4 → 16 tanh → 2 trained by SGD (BLAS.axpy) in Float.
    let (n, d, h, k) = (64, 4, 16, 2)
    var generator = RandomGenerator(seed: 71)
    let x = Tensor<Float>(shape: [n, d])
    Initializer.normal(x.pointer, count: x.count, standardDeviation: 1, generator: &generator)
    var labels = (0..<n).map { Int32($0 % 2) }
    for i in 0..<n { x[i, 0] += labels[i] == 0 ? -2 : 2 }
    let w1 = Tensor<Float>(shape: [h, d])
    let b1 = Tensor<Float>(shape: [h])
    let w2 = Tensor<Float>(shape: [k, h])
    let b2 = Tensor<Float>(shape: [k])
    Initializer.scaledNormal(w1.pointer, count: w1.count, fanIn: d, generator: &generator)
    Initializer.scaledNormal(w2.pointer, count: w2.count, fanIn: h, generator: &generator)
    let hidden = Tensor<Float>(shape: [n, h])
    let logits = Tensor<Float>(shape: [n, k])
    let dLogits = Tensor<Float>(shape: [n, k])
    let dHidden = Tensor<Float>(shape: [n, h])
    let (dw1, db1, dw2, db2) = (
      Tensor<Float>(shape: [h, d]), Tensor<Float>(shape: [h]), Tensor<Float>(shape: [k, h]),
      Tensor<Float>(shape: [k])
    )
    var losses: [Float] = []
    for _ in 0..<100 {
      DenseKernel.forward(
        x: x.pointer, weight: w1.pointer, bias: b1.pointer, y: hidden.pointer, batch: n,
        inFeatures: d, outFeatures: h, activation: TestActivation.tanh.kernel(Float.self))
      DenseKernel.forward(
        x: hidden.pointer, weight: w2.pointer, bias: b2.pointer, y: logits.pointer, batch: n,
        inFeatures: h, outFeatures: k)
      losses.append(
        Loss.softmaxCrossEntropy(
          logits: logits.pointer, labels: &labels, batch: n, classes: k, dLogits: dLogits.pointer))
      DenseKernel.backward(
        x: hidden.pointer, weight: w2.pointer, dy: dLogits.pointer, dx: dHidden.pointer,
        dWeight: dw2.pointer, dBias: db2.pointer, batch: n, inFeatures: h, outFeatures: k)
      Activation.backward(
        .tanh, y: hidden.pointer, dy: dHidden.pointer, dx: dHidden.pointer, count: hidden.count)
      DenseKernel.backward(
        x: x.pointer, weight: w1.pointer, dy: dHidden.pointer, dx: nil, dWeight: dw1.pointer,
        dBias: db1.pointer, batch: n, inFeatures: d, outFeatures: h)
      for (parameter, gradient) in [(w1, dw1), (b1, db1), (w2, dw2), (b2, db2)] {
        BLAS.axpy(count: parameter.count, alpha: -0.5, x: gradient.pointer, y: parameter.pointer)
      }
    }
    let correct = Metrics.correctCount(
      scores: logits.pointer, labels: &labels, batch: n, classes: k)
    #expect(losses[0] > 0.3 && losses[99] < 0.1, "losses \(losses[0]) → \(losses[99])")
    #expect(correct >= 62)
  }
}
