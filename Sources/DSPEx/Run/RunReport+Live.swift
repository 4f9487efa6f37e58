import Foundation

extension RunReport {
    /// Every run in `store`, newest first, a running run's totals summed from what it stored so far (its row's
    /// totals are written when it stops): what a live view of the runs shows.
    public static func allLive(in store: any Store) async throws -> [RunReport] {
        var reports: [RunReport] = []
        for record in try await store.runs() { reports.append(try await RunReport(record).live(in: store)) }
        return reports
    }

    /// This report with a running run's totals read from what it has stored so far — an evaluation's results, a
    /// compile run's example outcomes and its best full-evaluation trial; other runs as they are.
    public func live(in store: any Store) async throws -> RunReport {
        guard record.status == RunRecord.Status.running else { return self }
        var report = self
        guard isCompile else {
            report.totals = try await store.totals(runID: id)
            return report
        }
        var totals = try await store.compileTotals(runID: id)
        totals.bestScore = try await trials(in: store).filter { $0["kind"]?.stringValue != "minibatch" }
            .compactMap { $0["score"]?.doubleValue }.max()
        report.totals = totals
        return report
    }

    /// When the run stopped (its row's last update), or `nil` while it runs.
    public var finishedAt: Date? { record.status == RunRecord.Status.running ? nil : record.updatedAt }

    /// The run's progress as JSON for the console's event stream: name, status, score, examples, errors, calls,
    /// tokens.
    public var progressValue: Value {
        [
            "name": .string(name), "status": .string(record.status),
            "score": score.map(Value.double) ?? .null, "examples": .int(totals?.examples ?? 0),
            "errors": .int(totals?.errors ?? 0),
            "calls": .int((totals?.lmCalls ?? 0) + (totals?.cachedCalls ?? 0)),
            "tokens": .int((totals?.promptTokens ?? 0) + (totals?.completionTokens ?? 0)),
        ]
    }
}
