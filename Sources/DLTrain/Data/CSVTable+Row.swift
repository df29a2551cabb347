import DLSpec
import Foundation

extension CSVTable.Parser {
  /// One data row: the cell count, then the label and each feature, all located on failure.
  mutating func readRow() throws {
    let cells = cellRanges.count
    if let width, cells != width {
      let column = cells > width ? cellColumns[width] : pending.count + 1
      throw fail(
        "this row has \(cells) cell\(cells == 1 ? "" : "s"), but line \(widthLine) has \(width)",
        column: column,
        hint:
          "every row needs the same number of cells; check for a missing or extra '\(source.delimiter)'"
      )
    }
    let label = try number(labelColumn)
    switch labelsKind {
    case .targets:
      break
    case .classes(let classCount):
      guard label.rounded() == label, label >= 0, label <= Double(Int32.max) else {
        throw fail(
          "label '\(text(labelColumn))' is not a class index (a whole number ≥ 0)",
          column: cellColumns[labelColumn],
          hint: label.rounded() == label
            ? "class labels count from 0"
            : "real-valued targets need `loss: mse` (or l1) and `task: regression`")
      }
      if let classCount, label >= Double(classCount) {
        throw fail(
          "label \(Int(label)) is not a class in 0..<\(classCount)",
          column: cellColumns[labelColumn],
          hint:
            "the model has \(classCount) outputs (or `data.classes` says so); labels count from 0")
      }
    }
    if table.features.count + featureColumns.count > CSVTable.maximumValues {
      throw fail(
        "the features pass 2³¹ − 1 values, the largest tensor dlspec makes", column: 1,
        hint: "split the file or use fewer feature columns")
    }
    // The features array doubles when full: check that the next size fits in memory first, so
    // a huge (or gzip-bomb) file is an error, not an allocation failure.
    if table.features.count + featureColumns.count > table.features.capacity {
      let next = Swift.max(table.features.capacity * 2, table.features.count + featureColumns.count)
      let available = MachineMemory.available()
      if next * MemoryLayout<Float>.size > available {
        throw fail(
          "the features need \(ByteCount.format(next * MemoryLayout<Float>.size)) and only "
            + "\(ByteCount.format(available)) of memory is available now", column: 1,
          hint: "free memory, or split the file")
      }
    }
    let scaled = source.dtype == .uint8
    for c in featureColumns {
      let v = try number(c)
      if scaled {
        guard v.rounded() == v, v >= 0, v <= 255 else {
          throw fail(
            "cell '\(text(c))' is not a uint8 pixel (a whole number 0…255)", column: cellColumns[c],
            hint: "`dtype: uint8` reads pixels 0…255; use `dtype: float32` for other numbers")
        }
        table.features.append(Float(v) / 255)
      } else {
        let f = Float(v)
        guard f.isFinite else {
          throw fail(
            "cell '\(text(c))' is beyond float32's range", column: cellColumns[c],
            hint: "features are float32 (at most about 3.4e38 in magnitude)")
        }
        table.features.append(f)
      }
    }
    table.labels.append(label)
    table.lines.append(line)
  }

  func text(_ c: Int) -> String {
    let bytes = cellBytes[cellRanges[c]]
    let shown = String(decoding: bytes.prefix(40), as: UTF8.self)
    return bytes.count > 40 ? shown + "…" : shown
  }

  /// Cell `c` as a finite number: plain digits directly, anything else through `strtod`.
  mutating func number(_ c: Int) throws -> Double {
    let range = cellRanges[c]
    guard !range.isEmpty else {
      throw fail(
        "empty cell in column \(c) (counted from 0)", column: cellColumns[c],
        hint: "every cell of a data row must hold a number")
    }
    // Most data cells are small whole numbers (pixels, labels); read them without strtod.
    if range.count <= 9 {
      var value = 0
      var digits = true
      for i in range {
        let d = cellBytes[i] &- UInt8(ascii: "0")
        if d > 9 {
          digits = false
          break
        }
        value = value * 10 + Int(d)
      }
      if digits { return Double(value) }
    }
    scratch.removeAll(keepingCapacity: true)
    for i in range { scratch.append(CChar(bitPattern: cellBytes[i])) }
    scratch.append(0)
    let (value, consumed) = scratch.withUnsafeBufferPointer { buffer -> (Double, Int) in
      guard let base = buffer.baseAddress else { return (0, 0) }
      var end: UnsafeMutablePointer<CChar>?
      let v = strtod(base, &end)
      return (v, end.map { $0 - UnsafeMutablePointer(mutating: base) } ?? 0)
    }
    // strtod also reads hex floats, "inf" and "nan"; only decimal numbers are data here.
    let decimal = cellBytes[range].allSatisfy { b in
      (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b == UInt8(ascii: ".")
        || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || b == UInt8(ascii: "e")
        || b == UInt8(ascii: "E")
    }
    guard consumed == range.count, decimal else {
      let word = text(c).lowercased()
      let nonFinite = ["nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "-infinity"]
        .contains(word)
      throw fail(
        nonFinite
          ? "cell '\(text(c))' is not a finite number" : "cell '\(text(c))' is not a number",
        column: cellColumns[c],
        hint: nonFinite
          ? "dlspec trains only on finite values; fix or drop this row"
          : (line == 1 && !source.header
            ? "if the first line names the columns, add `header: true`"
            : "every cell of a data row must be a decimal number"))
    }
    guard value.isFinite else {
      throw fail(
        "cell '\(text(c))' is beyond the range of numbers", column: cellColumns[c],
        hint: "dlspec trains only on finite values")
    }
    return value
  }
}
