import ArgumentParser
import DSPEx
import Foundation
import NIOCore
import NIOPosix

/// The `dspex` command: run, evaluate and optimize language-model programs.
@main
struct DSPExCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dspex",
        abstract: "Program language models with signatures, modules and optimizers — DSPy's model, in Swift.",
        version: DSPExVersion.current,
        subcommands: [
            RunCommand.self, EvalCommand.self, CompileCommand.self, ResumeCommand.self, CancelCommand.self,
            RunsCommand.self,
            ShowCommand.self, InspectCommand.self, ServeCommand.self, ReportCommand.self,
            ExportCommand.self, ValidateCommand.self, PredictCommand.self, SimCommand.self, WorkerCommand.self,
        ])

    /// Runs the command. `DSPEX_EXECUTOR=nio` runs Swift concurrency's jobs on NIO's event loops, the threads that
    /// already do the HTTP work, so an LM call resumes where its reply was read: about 5% less CPU per call at low
    /// concurrency, but everything then shares the two loops and throughput at hundreds of calls in flight drops
    /// (BENCHMARKS.md), so Swift's own pool stays the default.
    static func main() async {
        if ProcessInfo.processInfo.environment["DSPEX_EXECUTOR"] == "nio" {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        await main(nil)
    }
}
