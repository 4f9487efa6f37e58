import ArgumentParser
import DSPEx
import Foundation

/// `dspex runs`: the runs in the store, newest first.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List runs with status and score.")

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await CommandFailure.reporting {
            let store = try await storeOptions.open()
            let reports = try await RunReport.all(in: store)
            if json {
                var values: [Value] = []
                for report in reports {
                    var summary = report.summary
                    if let sharing = try await report.sharing(in: store) { summary["sharing"] = sharing }
                    values.append(.object(summary))
                }
                print(Value.array(values).jsonString(.pretty(indent: 2)))
                return
            }
            if reports.isEmpty {
                print("no runs in \(storeOptions.path)")
                return
            }
            print(
                "NAME".padding(toLength: 32, withPad: " ", startingAt: 0)
                    + "KIND     STATUS     SCORE    EXAMPLES  ERRORS")
            for report in reports {
                let score = report.score.map { String(format: "%6.2f%%", $0 * 100) } ?? "      -"
                print(
                    report.name.padding(toLength: 32, withPad: " ", startingAt: 0)
                        + report.record.kind.padding(toLength: 9, withPad: " ", startingAt: 0)
                        + report.record.status.padding(toLength: 11, withPad: " ", startingAt: 0) + score + "  "
                        + String(report.totals?.examples ?? 0).padding(toLength: 10, withPad: " ", startingAt: 0)
                        + String(report.totals?.errors ?? 0))
            }
            try await Self.printWorkers(in: store, runs: reports)
        }
    }

    /// The live workers of a shared store, each with the run it works on.
    static func printWorkers(in store: any Store, runs: [RunReport]) async throws {
        guard let queue = store as? any ShardQueue else { return }
        let workers = try await queue.workers(within: RunReport.workerLiveness)
        let names = Dictionary(runs.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        print("\n\(workers.count) live worker\(workers.count == 1 ? "" : "s")")
        for worker in workers {
            let age = String(format: "%.1f", Date().timeIntervalSince(worker.heartbeatAt))
            let run = worker.runId.flatMap { names[$0] }.map { "working on \($0)" } ?? "idle"
            print("  \(worker.id)  \(run)  heartbeat \(age) s ago")
        }
    }
}
