import DSPExProcess
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Run {
    /// Stops a running run resumably: its worker process (in the run's row) is sent SIGTERM and has up to `wait`
    /// to stop; a run whose process is gone is marked stopped. What finished is kept, and ``resume(named:store:connector:observer:)``
    /// continues it.
    ///
    /// ```swift
    /// let status = try await Run.cancel(named: "dev-1", in: store)   // "stopped"
    /// ```
    ///
    /// - Returns: The run's status afterwards (a run that was not running is left as it was).
    /// - Throws: ``EvaluateError`` with ``EvaluateError/Code/unknownRun`` when there is no such run.
    @discardableResult
    public static func cancel(named name: String, in store: any Store, wait: Duration = .seconds(30)) async throws
        -> String
    {
        let report = try await RunReport.named(name, in: store)
        let record = report.record
        let id = report.id
        guard record.status == RunRecord.Status.running else { return record.status }
        let pid = try await liveWorker(of: record, in: store)
        if let pid {
            kill(pid_t(pid), SIGTERM)
            let deadline = ContinuousClock.now + wait
            while ContinuousClock.now < deadline {
                if try await store.run(id: id)?.status != RunRecord.Status.running
                    || !SpawnedProcess.isAlive(pid_t(pid))
                {
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        // A run whose process is gone (killed, crashed, another machine's restart) is marked stopped here.
        if try await store.run(id: id)?.status == RunRecord.Status.running,
            pid.map({ !SpawnedProcess.isAlive(pid_t($0)) }) ?? true
        {
            try await store.updateRun(id: id, status: RunRecord.Status.stopped, totals: nil)
        }
        return try await store.run(id: id)?.status ?? "unknown"
    }
}
