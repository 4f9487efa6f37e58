import ArgumentParser
import DSPEx

/// `dspex resume`: continue a stopped or killed run with the plan it was started with; a completed run reports
/// its result again (and writes `--out`), exiting 0, so a script may resume until done.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a run where it stopped; finished examples are not redone. A completed run only reports.")

    @Argument(help: "The run's name (see `dspex runs`).")
    var name: String

    @Option(help: "compile: write the optimized program here (default: where the run was told to, else printed).")
    var out: String?

    @Flag(help: "eval: print the summary as JSON (default: as the run was started).")
    var json = false

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let store = try await CommandFailure.reporting { try await storeOptions.open() }
        let (record, _) = try await CommandFailure.reporting { try await storeOptions.requireRun(name, in: store) }
        guard record.plan != nil else {
            try await replayCommandLine(of: record)
            return
        }
        try await CommandFailure.reporting {
            let plan = try Run.storedPlan(of: record)
            let presenter = RunPresenter(
                storeSuffix: storeOptions.suffix, json: json || plan.json, announcesName: plan.kind == .compile)
            try await presenter.present(out: out ?? plan.out) { [name] observer in
                try await Run.resume(named: name, store: store, connector: SimulatorConnector(), observer: observer)
            }
        }
    }

    /// A run stored by an earlier version keeps its command line instead of a plan: the command is parsed again
    /// with `--resume`, and its plan is stored with the run for the next resume.
    private func replayCommandLine(of record: RunRecord) async throws {
        let arguments = try await CommandFailure.reporting { () -> [String] in
            guard record.kind == RunRecord.Kind.eval || record.kind == RunRecord.Kind.compile else {
                throw EvaluateError(code: .mismatch, message: "run '\(name)' is a \(record.kind) run")
            }
            let config = try Value(json: record.config)
            return (config["arguments"]?.arrayValue ?? []).compactMap(\.stringValue)
        }
        var replayed = arguments + ["--resume", name] + (storeOptions.store.map { ["--store", $0] } ?? [])
        if record.kind == RunRecord.Kind.compile {
            if let out { replayed += ["--out", out] }
            try await CompileCommand.parse(replayed).run()
        } else {
            if json && !replayed.contains("--json") { replayed.append("--json") }
            try await EvalCommand.parse(replayed).run()
        }
    }
}
