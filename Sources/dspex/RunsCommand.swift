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
            let reports = try await RunReport.all(in: storeOptions.open())
            if json {
                print(Value.array(reports.map { .object($0.summary) }).jsonString(.pretty(indent: 2)))
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
        }
    }
}
