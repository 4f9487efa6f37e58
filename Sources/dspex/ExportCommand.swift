import ArgumentParser
import DSPEx
import Foundation

/// `dspex export`: a run's per-example results as JSONL or CSV.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a run's results as JSONL or CSV.")

    @Argument(help: "The run's name.")
    var name: String

    @Option(help: "jsonl or csv.")
    var format: ExportFormat = .jsonl

    @Option(help: "Write here instead of standard output.")
    var out: String?

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await CommandFailure.reporting {
            let store = try await storeOptions.open()
            let report = try await RunReport.named(name, in: store)
            // Streamed in 64 KiB pieces: a run's results are never all in memory at once.
            let handle: FileHandle
            if let out {
                guard FileManager.default.createFile(atPath: out, contents: nil) else {
                    throw ValidationError("cannot create the output file \(out)")
                }
                handle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
            } else {
                handle = FileHandle.standardOutput
            }
            var text =
                format == .csv ? "id,score,error,outputs,lm_calls,cached_calls,prompt_tokens,completion_tokens\n" : ""
            try await report.forEachResult(in: store) { result in
                defer {
                    if text.utf8.count >= 64 * 1024 {
                        handle.write(Data(text.utf8))
                        text = ""
                    }
                }
                if format == .jsonl {
                    text += result.value.jsonString() + "\n"
                } else {
                    let cells = [
                        result.exampleId, result.score.map { String($0) } ?? "", result.error ?? "", result.outputs,
                        String(result.lmCalls), String(result.cachedCalls), String(result.promptTokens),
                        String(result.completionTokens),
                    ]
                    text += cells.map(Self.csvCell).joined(separator: ",") + "\n"
                }
            }
            handle.write(Data(text.utf8))
            if out != nil { try handle.close() }
        }
    }

    static func csvCell(_ text: String) -> String {
        guard text.contains(",") || text.contains("\"") || text.contains("\n") else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Export formats.
enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    case jsonl
    case csv
}
