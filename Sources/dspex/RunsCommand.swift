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
            let records = try storeOptions.open().runs()
            if json {
                print(Value.array(records.map(\.summaryValue)).jsonString(.pretty(indent: 2)))
                return
            }
            if records.isEmpty {
                print("no runs in \(storeOptions.path)")
                return
            }
            print(
                "NAME".padding(toLength: 32, withPad: " ", startingAt: 0)
                    + "KIND     STATUS     SCORE    EXAMPLES  ERRORS")
            for record in records {
                let score = record.score.map { String(format: "%6.2f%%", $0 * 100) } ?? "      -"
                let totals = record.storedTotals
                print(
                    record.name.padding(toLength: 32, withPad: " ", startingAt: 0)
                        + record.kind.padding(toLength: 9, withPad: " ", startingAt: 0)
                        + record.status.padding(toLength: 11, withPad: " ", startingAt: 0) + score + "  "
                        + String(totals?.examples ?? 0).padding(toLength: 10, withPad: " ", startingAt: 0)
                        + String(totals?.errors ?? 0))
            }
        }
    }
}

extension RunRecord {
    /// The stored totals, when the run has any.
    var storedTotals: StoredTotals? {
        guard let totals, let data = totals.data(using: .utf8) else { return nil }
        return try? JSONDecoder().decode(StoredTotals.self, from: data)
    }

    /// The run's score, 0 to 1: an evaluation's mean score, a compile run's best measured score.
    var score: Double? {
        guard let totals = storedTotals else { return nil }
        return kind == RunRecord.Kind.compile ? totals.bestScore : totals.score
    }

    /// The run as JSON for `runs --json` and `show --json`.
    var summaryValue: Value {
        let totals = storedTotals
        return [
            "name": .string(name), "kind": .string(kind), "status": .string(status), "pipeline": .string(pipeline),
            "score": score.map { .double(($0 * 10000).rounded() / 100) } ?? .null,
            "examples": .int(totals?.examples ?? 0), "errors": .int(totals?.errors ?? 0),
            "lm_calls": .int(totals?.lmCalls ?? 0), "cached_calls": .int(totals?.cachedCalls ?? 0),
            "prompt_tokens": .int(totals?.promptTokens ?? 0), "completion_tokens": .int(totals?.completionTokens ?? 0),
            "created_at": .string(ISO8601DateFormatter().string(from: createdAt)),
            "updated_at": .string(ISO8601DateFormatter().string(from: updatedAt)),
        ]
    }
}
