import ArgumentParser
import DSPEx
import Foundation

/// The options that choose and read a dataset, shared by `run` and `eval`.
struct DatasetOptions: ParsableArguments {
    @Option(help: "The dataset: a .jsonl or .csv file.")
    var data: String

    @Option(help: "What to do with a bad row: stop (default, before any work on it) or skip (counted and reported).")
    var onBadRow: BadRowChoice = .stop

    @Option(help: "Read at most this many rows.")
    var limit: Int?

    @Option(help: "The field holding each example's id (default: id; else the row number).")
    var idField: String = "id"

    /// The dataset fields a pipeline reads (its `input.<field>` references), in order.
    static func inputFields(of spec: PipelineSpec) -> [String] {
        var fields: [String] = []
        for stage in spec.stages {
            for binding in stage.inputs {
                if case .input(let field) = binding.source, !fields.contains(field) { fields.append(field) }
            }
        }
        return fields
    }

    /// The dataset, with the fields the pipeline reads from it as inputs and required fields.
    func dataset(for spec: PipelineSpec) -> DatasetRows {
        let fields = Self.inputFields(of: spec)
        var required: [String] = []
        for stage in spec.stages {
            for binding in stage.inputs {
                guard case .input(let field) = binding.source, !required.contains(field) else { continue }
                let type = stage.signature.inputs.first { $0.name == binding.field }?.type
                if type?.isOptional != true { required.append(field) }
            }
        }
        let configuration = Dataset.Configuration(
            inputKeys: fields, requiredFields: required, idField: idField,
            onBadRow: onBadRow == .skip ? .skip : .stop, limit: limit)
        return Dataset(url: URL(fileURLWithPath: data), configuration: configuration).rows()
    }
}

extension DatasetOptions {
    /// The number of non-blank lines of a JSONL file (capped by `--limit`), for progress; `nil` for CSV.
    func estimatedRowCount() -> Int? {
        guard data.hasSuffix(".jsonl") || data.hasSuffix(".ndjson"),
            let handle = FileHandle(forReadingAtPath: data)
        else { return nil }
        defer { try? handle.close() }
        var count = 0
        var lineHasText = false
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            for byte in chunk {
                if byte == UInt8(ascii: "\n") {
                    if lineHasText { count += 1 }
                    lineHasText = false
                } else if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\r") && byte != UInt8(ascii: "\t") {
                    lineHasText = true
                }
            }
        }
        if lineHasText { count += 1 }
        return limit.map { min($0, count) } ?? count
    }
}

/// `--on-bad-row` values.
enum BadRowChoice: String, ExpressibleByArgument, CaseIterable {
    case stop
    case skip
}
