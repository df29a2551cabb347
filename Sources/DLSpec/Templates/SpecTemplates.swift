/// The starter specs `dlspec init` writes: commented, valid, and training on Fashion-MNIST
/// (found on the data search path) out of the box. Equation numbers are the lecture notes'
/// (REFERENCE.md). Tests check each one with `SpecChecker`.
public enum SpecTemplate: String, CaseIterable, Sendable {
  case logreg
  case mlp
  case cnn

  /// One line on what the template trains.
  public var summary: String {
    switch self {
    case .logreg: return "logistic (softmax) regression, (2.5)"
    case .mlp: return "one hidden layer of 100 tanh units, (3.1)/(3.6)"
    case .cnn: return "a small convolutional network, (5.1)–(5.14)"
    }
  }

  /// The spec text with `name:` set to `name` (which must match `^[A-Za-z0-9._-]+$`).
  public func text(name: String) -> String {
    // Comments start in column 32, as in specs/; a long name pushes its comment right.
    let padding = String(repeating: " ", count: max(1, 31 - "name: ".count - name.count))
    return header.replacing("THIS", with: name) + "name: \(name)" + padding
      + "# run name: runs/<name>/<time>/ holds each training run\n" + body
  }

  var header: String {
    switch self {
    case .logreg:
      return """
        # Logistic (softmax) regression, the notes' (2.5): f(x) = softmax(θx + b), θ ∈ R^{10×784}.
        #
        #   dlspec validate THIS.yaml      check it, with file:line:col errors
        #   dlspec cost THIS.yaml          parameters, FLOPs and memory per layer
        #   dlspec train THIS.yaml         train; writes runs/<name>/<time>/
        dlspec: 1                      # the spec language version; always first

        """
    case .mlp:
      return """
        # One hidden layer, the notes' (3.1)/(3.6):
        #   Z = Wx + b¹, H = tanh(Z), U = CH + b², f = softmax(U).
        #
        #   dlspec validate THIS.yaml      check it, with file:line:col errors
        #   dlspec cost THIS.yaml          parameters, FLOPs and memory per layer
        #   dlspec train THIS.yaml         train; writes runs/<name>/<time>/
        dlspec: 1                      # the spec language version; always first

        """
    case .cnn:
      return """
        # A small convolutional network, the notes' (5.1)–(5.14): C filters K give C feature maps
        # H_{:,:,p} = σ(X * K_{:,:,p}), pooled, then a dense softmax layer over the flattened maps.
        #
        #   dlspec validate THIS.yaml      check it, with file:line:col errors
        #   dlspec cost THIS.yaml          parameters, FLOPs and memory per layer
        #   dlspec train THIS.yaml         train; writes runs/<name>/<time>/
        dlspec: 1                      # the spec language version; always first

        """
    }
  }

  var body: String {
    data + model + loss + optimizer + schedule + train + checkpoint
  }

  var data: String {
    """

    data:
      dataset: fashion-mnist       # found in $DLSPEC_DATA, ./data or /usr/share/datasets
                                   # (`dlspec data fetch fashion-mnist` downloads it)
      validation_split: 0.1        # hold out 10% of the training set to validate each epoch

    """
  }

  var model: String {
    switch self {
    case .logreg:
      return """

        model:
          input: [784]                 # one sample: a flat 28×28 image, pixels in [0, 1]
          layers:
            - dense: {units: 10}       # θx + b, one score per class: 7,850 parameters
            - softmax                  # probabilities softmax(u)_k = e^{u_k} / Σ_j e^{u_j}

        """
    case .mlp:
      return """

        model:
          input: [784]                 # one sample: a flat 28×28 image, pixels in [0, 1]
          layers:
            - dense: {units: 100}      # Z = Wx + b¹, W ∈ R^{100×784}
            - tanh                     # H = σ(Z) with σ = tanh (relu, sigmoid also work)
            - dense: {units: 10}       # U = CH + b², C ∈ R^{10×100}
            - softmax                  # f = softmax(U), class probabilities

        """
    case .cnn:
      return """

        model:
          input: [1, 28, 28]           # one sample: [channels, height, width]
          layers:
            - conv2d: {filters: 8, kernel: 5}   # (X * K)_{i,j} = Σ_m Σ_n K_{m,n} X_{i+m,j+n}
                                                # (5.1), 8 maps of 24×24 = 28 − 5 + 1
            - relu                     # σ(z) = max(z, 0) on every feature map
            - maxpool: {size: 2}       # largest value of each 2×2 block → [8, 12, 12]
            - flatten                  # [8, 12, 12] → [1152] for the dense layer
            - dense: {units: 10}       # U = W·H + b over the flattened maps
            - softmax                  # class probabilities

        """
    }
  }

  var loss: String {
    """

    loss: cross_entropy            # −log f(x)_y (2.6); fused with the softmax above, stably

    """
  }

  var optimizer: String {
    switch self {
    case .logreg, .mlp:
      let lr = self == .logreg ? "0.5" : "0.1"
      return """

        optimizer:
          sgd: {lr: \(lr)}               # θ ← θ − α ∇θ ρ (2.10), averaged over the batch (2.44)

        """
    case .cnn:
      return """

        optimizer:
          sgd: {lr: 0.05, momentum: 0.9}   # SGD (2.10) with momentum: v ← μv + ∇θ ρ, θ ← θ − αv

        """
    }
  }

  var schedule: String {
    switch self {
    case .logreg:
      return """

        schedule:
          # α_ℓ = C0 / (C1 + ℓ) per step (2.17): Σα = ∞ and Σα² < ∞ (2.16). Overrides sgd's lr.
          inverse: {unit: step, c0: 1000, c1: 2000}

        """
    case .mlp, .cnn:
      return """

        schedule:
          constant                     # α stays the optimizer's lr (see `dlspec schema` for more)

        """
    }
  }

  var train: String {
    let epochs: Int
    let initLine: String
    switch self {
    case .logreg:
      epochs = 5
      initLine = "  init: fan_in_normal          # W ~ N(0, 1)/√fan_in, the notes' initialisation\n"
    case .mlp:
      epochs = 5
      initLine = "  init: fan_in_normal          # W ~ N(0, 1)/√fan_in, the notes' initialisation\n"
    case .cnn:
      epochs = 3
      initLine = "  init: he                     # W ~ N(0, 2/fan_in), suited to relu\n"
    }
    return """

      train:
        epochs: \(epochs)                    # passes over the training set
        batch_size: 100              # samples per step; 1 is plain single-sample SGD (§2.2)
        seed: 1                      # seeds initialisation, shuffling and dropout

      """ + initLine
  }

  var checkpoint: String {
    """

    checkpoint:
      every: 1                     # write checkpoints/epoch-NNN.h5 after every epoch
      keep_last: 2                 # keep the newest 2 (0 keeps all); last.h5 is always kept

    """
  }
}
