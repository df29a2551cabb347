import DLSpec

/// The PyTorch module that computes exactly what one dlspec layer computes, as Python source.
///
/// | dlspec | PyTorch | why it is exact |
/// |---|---|---|
/// | `dense` | `nn.Linear(in, units, bias=)` | weight [units, in], y = xWᵀ + b |
/// | `conv2d` | `nn.Conv2d(C, F, (ky, kx), stride=, padding=, bias=)` | cross-correlation, zero padding per side, weight [F, C, ky, kx] |
/// | `maxpool` | `nn.MaxPool2d((ky, kx), stride=)` | floor, no padding; the first maximum wins ties, as in dlspec |
/// | `avgpool` | `nn.AvgPool2d((ky, kx), stride=)` | floor, no padding, so count_include_pad never applies |
/// | `flatten` | `nn.Flatten()` | row-major [C, H, W] → [C·H·W] |
/// | `relu`, `tanh`, `sigmoid` | `nn.ReLU()`, `nn.Tanh()`, `nn.Sigmoid()` | relu's gradient at 0 is 0 in both |
/// | `leaky_relu` | `nn.LeakyReLU(slope)` | slope·z for z ≤ 0, the same gradient |
/// | `clipped_relu` | `nn.Hardtanh(0, t)` | min(max(z, 0), t); gradient 0 at both kinks, as dlspec |
/// | `softmax`, `log_softmax` | `nn.Softmax(dim=1)`, `nn.LogSoftmax(dim=1)` | over the flat features |
/// | `dropout` | `nn.Dropout(p)` | inverted dropout; the masks come from torch's generator |
/// | `batchnorm` | model.py's `BatchNorm` | dlspec's names (`scale`, `shift`) and its batch-of-one rule |
///
/// A kind without an entry (one added to a registry outside dlspec) is refused (E085): an
/// approximate export never passes silently.
enum PyTorchLayerCode {
  /// The module expression for `layer`, or a located refusal.
  static func module(_ layer: LayerIR) throws -> String {
    let input = layer.inputShape.dims
    switch layer.kind {
    case let d as Dense:
      return "nn.Linear(\(input[0]), \(d.units), bias=\(PythonLiteral.bool(d.bias)))"
    case let c as Conv2D:
      return "nn.Conv2d(\(input[0]), \(c.filters), kernel_size=\(pair(c.kernel)), "
        + "stride=\(pair(c.stride)), padding=\(pair(c.padding)), bias=\(PythonLiteral.bool(c.bias)))"
    case let p as MaxPool:
      return "nn.MaxPool2d(kernel_size=\(pair(p.size)), stride=\(pair(p.stride)))"
    case let p as AvgPool:
      return "nn.AvgPool2d(kernel_size=\(pair(p.size)), stride=\(pair(p.stride)))"
    case is Flatten:
      return "nn.Flatten()"
    case is ReLU:
      return "nn.ReLU()"
    case is Tanh:
      return "nn.Tanh()"
    case is Sigmoid:
      return "nn.Sigmoid()"
    case let l as LeakyReLU:
      return "nn.LeakyReLU(negative_slope=\(PythonLiteral.number(l.slope)))"
    case let c as ClippedReLU:
      return "nn.Hardtanh(min_val=0.0, max_val=\(PythonLiteral.number(c.t)))"
    case is Softmax:
      return "nn.Softmax(dim=1)"
    case is LogSoftmax:
      return "nn.LogSoftmax(dim=1)"
    case let d as Dropout:
      return "nn.Dropout(p=\(PythonLiteral.number(d.p)))"
    case let b as BatchNorm:
      return "BatchNorm(\(input[0]), momentum=\(PythonLiteral.number(b.momentum)), "
        + "eps=\(PythonLiteral.number(b.eps)))"
    default:
      throw Diagnostic(
        .exportUnsupportedLayer, at: layer.location,
        "layer \(layer.name) (\(layer.kindName)) has no exact PyTorch equivalent in this exporter",
        hint: "export a spec built from dlspec's own layer kinds (docs/interop.md lists them)")
    }
  }

  static func pair(_ p: (y: Int, x: Int)) -> String { "(\(p.y), \(p.x))" }
}
