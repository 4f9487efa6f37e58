import ArgumentParser
import DSPEx
import DSPExConsole
import Foundation

/// `dspex report`: a run's page as one self-contained HTML file.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a run's page as one self-contained HTML file (inline CSS and SVG, no script).",
        discussion: """
            Example:
              dspex report dev-1 --out report.html
            """)

    @Argument(help: "The run's name.")
    var name: String

    @Option(help: "The HTML file to write.")
    var out: String

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await CommandFailure.reporting {
            let store = try await storeOptions.open()
            let html = try await StaticReport.html(run: name, from: store)
            do {
                try Data(html.text.utf8).write(to: URL(fileURLWithPath: out))
            } catch {
                throw ValidationError("cannot write \(out): \(error.localizedDescription)")
            }
            Console.line("wrote \(out)")
        }
    }
}
