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
            ShowCommand.self,
            ExportCommand.self, ValidateCommand.self, PredictCommand.self, SimCommand.self,
        ])

    /// Runs the command with Swift concurrency's jobs on NIO's event loops, the threads that already do the
    /// HTTP work: an LM call's continuation resumes where its reply was read, instead of hopping between two
    /// thread pools on every call. `DSPEX_EXECUTOR=swift` keeps Swift's own pool (to compare, or as an escape
    /// hatch).
    static func main() async {
        if ProcessInfo.processInfo.environment["DSPEX_EXECUTOR"] != "swift" {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        await main(nil)
    }
}
