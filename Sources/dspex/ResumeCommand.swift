import ArgumentParser
import DSPEx

/// `dspex resume`: continue a stopped or killed run with the options it was started with.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Continue a run where it stopped; finished examples are not redone.")

    @Argument(help: "The run's name (see `dspex runs`).")
    var name: String

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let arguments = try await CommandFailure.reporting { () -> [String] in
            let store = try storeOptions.open()
            guard let record = try store.run(named: name) else {
                throw EvaluateError(code: .unknownRun, message: "there is no run named '\(name)'; see `dspex runs`")
            }
            guard record.kind == "eval" else {
                throw EvaluateError(code: .mismatch, message: "run '\(name)' is a \(record.kind) run")
            }
            let config = try Value(json: record.config)
            return (config["arguments"]?.arrayValue ?? []).compactMap(\.stringValue)
        }
        let command = try EvalCommand.parse(
            arguments + ["--resume", name] + (storeOptions.store.map { ["--store", $0] } ?? []))
        try await command.run()
    }
}
