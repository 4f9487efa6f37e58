import ArgumentParser
import DSPEx

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
}
