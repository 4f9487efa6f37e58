import ArgumentParser
import DSPEx
import DSPExProcess
import Foundation

/// `dspex cancel`: stop a running eval or compile run resumably (its worker process is in the run's row).
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract:
            "Stop a running run (e.g. a detached compile); what finished is kept and `dspex resume` continues.")

    @Argument(help: "The run's name (see `dspex runs`).")
    var name: String

    @Option(help: "Seconds to wait for the run to stop.")
    var wait: Double = 30

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await CommandFailure.reporting {
            let store = try storeOptions.open()
            let (record, id) = try storeOptions.requireRun(name, in: store)
            guard record.status == RunRecord.Status.running else {
                print("run \(name) is \(record.status); nothing to cancel")
                return
            }
            let pid = try Run.liveWorker(of: record, in: store)
            if let pid {
                kill(pid_t(pid), SIGTERM)
                let deadline = ContinuousClock.now + .milliseconds(Int(wait * 1000))
                while ContinuousClock.now < deadline {
                    if try store.run(id: id)?.status != RunRecord.Status.running
                        || !SpawnedProcess.isAlive(pid_t(pid))
                    {
                        break
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            // A run whose process is gone (killed, crashed, another machine's restart) is marked stopped here.
            if try store.run(id: id)?.status == RunRecord.Status.running,
                pid.map({ !SpawnedProcess.isAlive(pid_t($0)) }) ?? true
            {
                try store.updateRun(id: id, status: RunRecord.Status.stopped, totals: nil)
            }
            let status = try store.run(id: id)?.status ?? "unknown"
            print("run \(name) is \(status)")
            if status == RunRecord.Status.stopped {
                Console.error("resume with: dspex resume \(name)" + storeOptions.suffix)
            }
        }
    }
}
