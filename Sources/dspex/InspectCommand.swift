import ArgumentParser
import DSPEx
import Foundation

/// `dspex inspect`: a stored evaluation's LM calls — messages by role, then the raw response — like DSPy's
/// `inspect_history`.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show the LM calls a run stored: the messages sent and the raw replies.",
        discussion: """
            Example:
              dspex inspect dev-1 --example ex-37
              dspex inspect dev-1 --last 3
            """)

    @Argument(help: "The run's name.")
    var name: String

    @Option(help: "Show this example's calls (every stage).")
    var example: String?

    @Option(help: "Show the last N calls (of the last examples, in dataset order).")
    var last: Int?

    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        if let last, last < 1 { throw ValidationError("--last must be at least 1") }
    }

    func run() async throws {
        try await CommandFailure.reporting {
            let store = try await storeOptions.open()
            let report = try await RunReport.named(name, in: store)
            let stages =
                if let example {
                    try await report.stages(ofExample: example, in: store)
                } else {
                    try await report.lastStages(examples: last ?? 1, in: store)
                }
            guard stages.contains(where: { !$0.calls.isEmpty }) else {
                let what = example.map { "example '\($0)' of run '\(name)'" } ?? "run '\(name)'"
                Console.error(
                    "error: no LM calls are stored for \(what) (evaluations keep them unless run with "
                        + "--keep-prompts none; with --keep-prompts failed only for failed examples)")
                throw ExitCode.failure
            }
            let colored = isatty(STDOUT_FILENO) != 0
            print(StageReport.history(stages, lastCalls: example == nil ? (last ?? 1) : last, colored: colored))
        }
    }
}
