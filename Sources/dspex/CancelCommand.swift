import ArgumentParser
import DSPEx
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
            let store = try await storeOptions.open()
            let (record, _) = try await storeOptions.requireRun(name, in: store)
            guard record.status == RunRecord.Status.running else {
                print("run \(name) is \(record.status); nothing to cancel")
                return
            }
            let status = try await Run.cancel(named: name, in: store, wait: .milliseconds(Int(wait * 1000)))
            print("run \(name) is \(status)")
            if status == RunRecord.Status.stopped {
                Console.error("resume with: dspex resume \(name)" + storeOptions.suffix)
            }
        }
    }
}
