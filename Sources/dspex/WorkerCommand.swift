import ArgumentParser
import DSPEx
import Foundation

/// `dspex worker`: claims shards of the evaluations in a shared (PostgreSQL) store and evaluates them, with as many
/// other workers, on as many machines, as there are.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Work on the evaluations queued in a PostgreSQL store (dspex eval --workers-only), shard by shard.",
        discussion: """
            Each worker claims a shard under a lease that it renews; a worker that dies loses its lease and another
            takes the shard over, evaluating only what is not stored yet. Start as many as you like, anywhere that
            reaches the database:
              export PGPASSWORD=…   # or a .pgpass file
              dspex eval pipelines/arithmetic.yaml --data data/arithmetic_dev.jsonl \\
                  --store postgresql://dspex@db:5432/dspex --workers-only
              dspex worker --store postgresql://dspex@db:5432/dspex --concurrency 16
            """)

    @Option(help: "Run every stage with at most this concurrency (this worker's own limit; default: the run's).")
    var concurrency: Int?

    @Option(help: "Seconds a claimed shard stays this worker's without a renewal (renewed every third of it).")
    var lease: Double = 15

    @Flag(help: "Exit once no shard is left to claim (default: wait for more work).")
    var exitWhenIdle = false

    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if lease < 1 { throw ValidationError("--lease must be at least 1 second") }
        if !storeOptions.isPostgres {
            throw ValidationError("a worker needs a shared store: --store postgresql://user@host:port/database")
        }
    }

    func run() async throws {
        try await CommandFailure.reporting {
            guard let store = try await storeOptions.open() as? any ShardQueue else {
                throw ValidationError("the store \(storeOptions.path) cannot share work between workers")
            }
            let worker = RunWorker(
                store: store, lease: .milliseconds(Int(lease * 1000)), concurrency: concurrency)
            Console.error("worker \(worker.identity) on \(store.location)")
            do {
                let finished = try await Interrupts.cancellingOnSignal {
                    try await worker.run(connector: SimulatorConnector(), exitWhenIdle: exitWhenIdle) { outcome in
                        Self.report(outcome)
                    }
                }
                Console.error("worker \(worker.identity): \(finished) shards done")
            } catch is CancellationError {
                Console.error("worker \(worker.identity) stopped; its shard waits for another worker")
                throw ExitCode(130)
            }
        }
    }

    /// One line per shard: which run and shard, and how it ended.
    static func report(_ outcome: RunWorker.ShardOutcome) {
        let claim = outcome.claim
        let what =
            "run \(claim.runName) shard \(claim.shard) (examples \(claim.range.lowerBound)..<\(claim.range.upperBound))"
        if !outcome.finished {
            Console.error("\(what): not finished; left for another worker")
        } else if outcome.completedRun, let result = outcome.evaluation?.result {
            Console.line(
                "\(what): done; run complete: score \(String(format: "%.2f%%", result.score * 100)) over "
                    + "\(result.examples) examples")
        } else {
            Console.line("\(what): done")
        }
    }
}
