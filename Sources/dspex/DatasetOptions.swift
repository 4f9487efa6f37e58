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

    /// The dataset read as the pipeline needs it (its inputs; the non-optional ones required).
    func dataset(for spec: PipelineSpec) -> DatasetRows {
        let configuration = spec.datasetConfiguration(
            idField: idField, onBadRow: onBadRow == .skip ? .skip : .stop, limit: limit)
        return Dataset(url: URL(fileURLWithPath: data), configuration: configuration).rows()
    }
}

/// `--on-bad-row` values.
enum BadRowChoice: String, ExpressibleByArgument, CaseIterable {
    case stop
    case skip
}
