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
        let (kind, arguments) = try await CommandFailure.reporting { () -> (String, [String]) in
            let store = try storeOptions.open()
            guard let record = try store.run(named: name) else {
                throw EvaluateError(code: .unknownRun, message: "there is no run named '\(name)'; see `dspex runs`")
            }
            guard record.kind == RunRecord.Kind.eval || record.kind == RunRecord.Kind.compile else {
                throw EvaluateError(code: .mismatch, message: "run '\(name)' is a \(record.kind) run")
            }
            if record.kind == RunRecord.Kind.compile, record.status == RunRecord.Status.completed {
                throw EvaluateError(
                    code: .mismatch, message: "run '\(name)' is completed; its program is in the store (dspex show)")
            }
            let config = try Value(json: record.config)
            return (record.kind, (config["arguments"]?.arrayValue ?? []).compactMap(\.stringValue))
        }
        let replayed = arguments + ["--resume", name] + (storeOptions.store.map { ["--store", $0] } ?? [])
        if kind == RunRecord.Kind.compile {
            try await CompileCommand.parse(replayed).run()
        } else {
            try await EvalCommand.parse(replayed).run()
        }
    }
}
