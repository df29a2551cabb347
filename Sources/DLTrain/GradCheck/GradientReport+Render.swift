import DLSpec
import Foundation

extension GradientReport {
  static func sci(_ v: Double) -> String { String(format: "%.3e", v) }
  static func percent(_ v: Double) -> String { String(format: "%.1f%%", 100 * v) }

  /// The layer table and the saturation lines (docs/gradients.md shows one).
  /// - Parameter source: what the weights and data are, for the first line.
  public func text(spec: String, source: String) -> String {
    var out = "gradients \(spec): \(source)\n"
    out += "  \(batches) batch\(batches == 1 ? "" : "es"), \(samples) samples, mean loss "
      + String(format: "%.6g", loss) + "\n"
    var rows = [["layer", "ℓ", "‖∂ρ/∂W‖", "‖∂ρ/∂b‖", "ratio to last", "(4.21) 2^-(L+1-ℓ)"]]
    for l in layers {
      rows.append([
        l.name, String(l.position), Self.sci(l.weightNorm), l.biasNorm.map(Self.sci) ?? "-",
        l.ratioToLast.map(Self.sci) ?? "-", Self.sci(l.bound),
      ])
    }
    out += TextTable.lines(rows, rightAligned: [1, 2, 3, 4, 5]).map { "  " + $0 }
      .joined(separator: "\n") + "\n"
    out += "  L + 1 = \(parameterLayers) layers with parameters; (4.21) bounds sigmoid chains "
      + "only (§4.3)\n"
    if activations.isEmpty {
      out += "  no sigmoid, tanh or ReLU layers: no saturation statistics\n"
      return out
    }
    var act = [["activation", "units", "saturated (|z| > 4)", "inactive (z ≤ 0)", "dead units"]]
    for a in activations {
      let dead = a.deadUnits.map {
        "\($0) of \(a.units) (" + Self.percent(Double($0) / Double(max(1, a.units))) + ")"
      }
      act.append([
        a.name, String(a.units), a.deadUnits == nil ? Self.percent(a.saturatedShare) : "-",
        a.deadUnits == nil ? "-" : Self.percent(a.saturatedShare), dead ?? "-",
      ])
    }
    out += TextTable.lines(act, rightAligned: [1, 2, 3, 4]).map { "  " + $0 }
      .joined(separator: "\n") + "\n"
    return out
  }

  /// The same figures as JSON, keys in a fixed order.
  public func json(spec: String, source: String) -> String {
    func n(_ v: Double?) -> String { v.map(JSONText.number) ?? "null" }
    let layerTexts = layers.map { l in
      let tensors = l.tensors.map { "{\"name\": \(JSONText.string($0.name)), \"norm\": \(n($0.norm))}" }
      return "    {\"name\": \(JSONText.string(l.name)), \"position\": \(l.position), "
        + "\"weight_norm\": \(n(l.weightNorm)), \"bias_norm\": \(n(l.biasNorm)), "
        + "\"ratio_to_last\": \(n(l.ratioToLast)), \"bound_4_21\": \(n(l.bound)), "
        + "\"tensors\": [\(tensors.joined(separator: ", "))]}"
    }
    let activationTexts = activations.map { a in
      "    {\"name\": \(JSONText.string(a.name)), \"kind\": \(JSONText.string(a.kind)), "
        + "\"units\": \(a.units), \"values\": \(a.values), "
        + "\"\(a.deadUnits == nil ? "saturated_share" : "inactive_share")\": \(n(a.saturatedShare)), "
        + "\"dead_units\": \(a.deadUnits.map(String.init) ?? "null")}"
    }
    func list(_ items: [String]) -> String {
      items.isEmpty ? "[]" : "[\n" + items.joined(separator: ",\n") + "\n  ]"
    }
    return "{\n  \"spec\": \(JSONText.string(spec)),\n  \"source\": \(JSONText.string(source)),\n"
      + "  \"batches\": \(batches),\n  \"samples\": \(samples),\n  \"loss\": \(n(loss)),\n"
      + "  \"layers\": \(list(layerTexts)),\n  \"activations\": \(list(activationTexts))\n}\n"
  }

  /// Gradient norm per layer on a log scale, with (4.21)'s bound scaled to the last layer.
  public func plot(title: String) -> LinePlot {
    let last = layers.last?.weightNorm ?? 0
    var series = [
      PlotSeries(
        label: "‖∂ρ/∂W‖", points: layers.map { PlotPoint(x: Double($0.position), y: $0.weightNorm) },
        color: PlotPalette.color(0)),
      PlotSeries(
        label: "‖∂ρ/∂b‖",
        points: layers.map { PlotPoint(x: Double($0.position), y: $0.biasNorm) },
        color: PlotPalette.color(1)),
    ]
    if last > 0 {
      series.append(
        PlotSeries(
          label: "(4.21) 2^-(L+1-ℓ) × last", points: layers.map {
            PlotPoint(x: Double($0.position), y: $0.bound * last)
          }, color: PlotPalette.color(2), dash: PlotPalette.dashed))
    }
    return LinePlot(
      title: title,
      panels: [
        PlotPanel(
          xLabel: "layer ℓ (layers with parameters)", yLabel: "gradient norm", series: series,
          logY: true, integerX: true)
      ])
  }
}
