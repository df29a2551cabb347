import DLRuntime
import DLSpec
import Foundation
import Testing

@testable import DLTrain

/// Three updates of a 3-element parameter vector under a fixed gradient, compared with the
/// closed forms of each rule worked out by hand below.
@Suite struct OptimizerTests {
  static let theta0: [Double] = [1.0, -2.0, 0.5]
  static let grad: [Double] = [0.1, -0.2, 0.3]
  static let tolerance = 1e-12

  /// Applies `steps` updates with a constant gradient; returns the parameters and the state.
  static func run(_ config: OptimizerConfig, steps: Int = 3) -> (θ: [Double], state: [[Double]]) {
    var θ = theta0
    let g = grad
    let n = θ.count
    let slots = config.stateSlotsPerParameter
    let buffers = (0..<slots).map { _ -> UnsafeMutablePointer<Double> in
      let p = UnsafeMutablePointer<Double>.allocate(capacity: n)
      p.initialize(repeating: 0, count: n)
      return p
    }
    defer { buffers.forEach { $0.deallocate() } }
    let optimizer = Optimizer<Double>(config)
    for t in 1...steps {
      θ.withUnsafeMutableBufferPointer { p in
        g.withUnsafeBufferPointer { q in
          optimizer.update(
            parameters: p.baseAddress!, gradients: q.baseAddress!, state: buffers, count: n,
            learningRate: config.learningRate, step: t)
        }
      }
    }
    return (θ, buffers.map { Array(UnsafeBufferPointer(start: $0, count: n)) })
  }

  static func expectClose(_ a: [Double], _ b: [Double], _ what: String) {
    #expect(a.count == b.count)
    for (i, (x, y)) in zip(a, b).enumerated() {
      #expect(abs(x - y) <= tolerance * max(1, abs(y)), "\(what)[\(i)]: got \(x), expected \(y)")
    }
  }

  @Test func sgdPlain() {
    // θ ← θ − α g three times: θ3 = θ0 − 3αg.
    let α = 0.1
    let (θ, _) = Self.run(.sgd(lr: α, momentum: 0, nesterov: false, weightDecay: 0))
    Self.expectClose(θ, [1.0 - 0.03, -2.0 + 0.06, 0.5 - 0.09], "θ")
  }

  @Test func sgdMomentum() {
    // v1 = g, v2 = μg + g, v3 = μ²g + μg + g; θ3 = θ0 − α(v1 + v2 + v3) = θ0 − αg(3 + 2μ + μ²).
    let α = 0.1
    let μ = 0.9
    let (θ, state) = Self.run(.sgd(lr: α, momentum: μ, nesterov: false, weightDecay: 0))
    let factor = 3 + 2 * μ + μ * μ  // 5.61
    #expect(abs(factor - 5.61) < 1e-12)
    Self.expectClose(θ, zip(Self.theta0, Self.grad).map { $0 - α * $1 * factor }, "θ")
    // v3 = (1 + μ + μ²)g = 2.71g.
    Self.expectClose(state[0], Self.grad.map { 2.71 * $0 }, "v")
  }

  @Test func sgdNesterov() {
    // Steps use g + μ·v_t: (g + μg) + (g + μ(μg + g)) + (g + μ(μ²g + μg + g))
    // = g(3 + 3μ + 2μ² + μ³).
    let α = 0.1
    let μ = 0.9
    let (θ, _) = Self.run(.sgd(lr: α, momentum: μ, nesterov: true, weightDecay: 0))
    let factor = 3 + 3 * μ + 2 * μ * μ + μ * μ * μ  // 3 + 2.7 + 1.62 + 0.729 = 8.049
    #expect(abs(factor - 8.049) < 1e-12)
    Self.expectClose(θ, zip(Self.theta0, Self.grad).map { $0 - α * $1 * factor }, "θ")
  }

  @Test func sgdWeightDecay() {
    // θ ← θ − α(g + λθ) = (1 − αλ)θ − αg, with a = 1 − αλ:
    // θ3 = a³θ0 − αg(1 + a + a²).
    let α = 0.1
    let λ = 0.5
    let (θ, _) = Self.run(.sgd(lr: α, momentum: 0, nesterov: false, weightDecay: λ))
    let a = 1 - α * λ  // 0.95
    let expected = zip(Self.theta0, Self.grad).map { a * a * a * $0 - α * $1 * (1 + a + a * a) }
    // First element by hand: 0.857375 − 0.01·2.8525 = 0.828850.
    #expect(abs(expected[0] - 0.82885) < 1e-12)
    Self.expectClose(θ, expected, "θ")
  }

  @Test func rmsprop() {
    // s_t = (1 − ρ^t)g², so step t moves θ by α g / (√(1 − ρ^t)|g| + ε).
    let α = 0.01
    let ρ = 0.9
    let ε = 1e-8
    let (θ, state) = Self.run(.rmsprop(lr: α, rho: ρ, eps: ε, momentum: 0, weightDecay: 0))
    let expected = zip(Self.theta0, Self.grad).map { θ0, g in
      θ0 - α * g * ((1 / (0.1.squareRoot() * abs(g) + ε)) + (1 / (0.19.squareRoot() * abs(g) + ε))
        + (1 / (0.271.squareRoot() * abs(g) + ε)))
    }
    Self.expectClose(θ, expected, "θ")
    Self.expectClose(state[0], Self.grad.map { 0.271 * $0 * $0 }, "s")
  }

  @Test func rmspropMomentum() {
    // a_t = g / (√(1 − ρ^t)|g| + ε); b1 = a1, b2 = μa1 + a2, b3 = μ²a1 + μa2 + a3;
    // θ3 = θ0 − α(b1 + b2 + b3) = θ0 − α((1 + μ + μ²)a1 + (1 + μ)a2 + a3).
    let α = 0.01
    let ρ = 0.9
    let ε = 1e-8
    let μ = 0.5
    let (θ, state) = Self.run(.rmsprop(lr: α, rho: ρ, eps: ε, momentum: μ, weightDecay: 0))
    let expected = zip(Self.theta0, Self.grad).map { θ0, g -> Double in
      let a1 = g / (0.1.squareRoot() * abs(g) + ε)
      let a2 = g / (0.19.squareRoot() * abs(g) + ε)
      let a3 = g / (0.271.squareRoot() * abs(g) + ε)
      return θ0 - α * (1.75 * a1 + 1.5 * a2 + a3)
    }
    Self.expectClose(θ, expected, "θ")
    #expect(state.count == 2)
  }

  @Test func adam() {
    // With a constant gradient m_t = (1 − β1^t)g and v_t = (1 − β2^t)g², so the bias-corrected
    // m̂ = g and v̂ = g²: every step moves θ by α g / (|g| + ε), and θ3 = θ0 − 3α g/(|g| + ε).
    let α = 0.001
    let ε = 1e-8
    let (θ, state) = Self.run(.adam(lr: α, beta1: 0.9, beta2: 0.999, eps: ε, weightDecay: 0))
    let expected = zip(Self.theta0, Self.grad).map { θ0, g in θ0 - 3 * α * g / (abs(g) + ε) }
    // First element: 1 − 0.003 · 0.1/0.10000001 ≈ 0.99700000029999997.
    #expect(abs(expected[0] - 0.997) < 1e-9)
    Self.expectClose(θ, expected, "θ")
    // m3 = (1 − 0.9³)g = 0.271g; v3 = (1 − 0.999³)g² = 0.002997001g².
    Self.expectClose(state[0], Self.grad.map { 0.271 * $0 }, "m")
    Self.expectClose(state[1], Self.grad.map { 0.002997001 * $0 * $0 }, "v")
  }

  /// Over more parameters than `Parallel.threshold` the update is split across the pool's
  /// threads (2 on CI): every rule gives the bits of one serial pass over the same values, for
  /// three steps, parameters and state included.
  @Test(arguments: [
    OptimizerConfig.sgd(lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-4),
    .rmsprop(lr: 0.01, rho: 0.9, eps: 1e-8, momentum: 0.5, weightDecay: 0),
    .adam(lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-3),
  ])
  func splitUpdateEqualsSerialPass(_ config: OptimizerConfig) {
    let n = DLRuntime.Parallel.threshold * 2 + 37
    let slots = config.stateSlotsPerParameter
    func buffers(_ values: (Int) -> Float) -> [UnsafeMutablePointer<Float>] {
      (0...slots).map { _ in
        let p = UnsafeMutablePointer<Float>.allocate(capacity: n)
        for i in 0..<n { p[i] = values(i) }
        return p
      }
    }
    let split = buffers { Float(sin(Double($0) * 0.01)) }
    let serial = buffers { Float(sin(Double($0) * 0.01)) }
    let gradient = (0..<n).map { Float(cos(Double($0) * 0.003)) }
    defer { (split + serial).forEach { $0.deallocate() } }
    gradient.withUnsafeBufferPointer { g in
      for t in 1...3 {
        Optimizer<Float>(config).update(
          parameters: split[0], gradients: g.baseAddress!, state: Array(split[1...]), count: n,
          learningRate: config.learningRate, step: t)
        UpdateJob(
          config: config, θ: serial[0], g: g.baseAddress!, state: Array(serial[1...]),
          learningRate: config.learningRate, step: t
        ).run(0..<n)
      }
    }
    for (a, b) in zip(split, serial) {
      #expect((0..<n).allSatisfy { a[$0].bitPattern == b[$0].bitPattern }, "\(config)")
    }
  }
}
