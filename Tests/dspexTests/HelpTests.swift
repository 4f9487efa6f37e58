import Foundation
import Testing

/// `dspex --help` is part of the CLI's interface: a change to it shows up here and in the fixture's diff.
@Suite(.timeLimit(.minutes(3)), .tags(.integration))
struct HelpTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/help.txt")

    @Test("dspex --help matches the golden text")
    func helpIsGolden() async throws {
        let output = try await CLIProcess.run(["--help"])
        #expect(output.status == 0)
        let expected = try String(contentsOf: Self.fixture, encoding: .utf8)
        #expect(
            output.stdout == expected, "regenerate with: .build/debug/dspex --help > Tests/dspexTests/Fixtures/help.txt"
        )
    }

    @Test(
        "every subcommand has its own help",
        arguments: [
            "run", "eval", "compile", "resume", "cancel", "runs", "show", "inspect", "export", "validate", "predict",
            "sim",
            "serve", "report", "worker",
        ])
    func subcommandHelp(name: String) async throws {
        let output = try await CLIProcess.run([name, "--help"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("USAGE: dspex \(name)"))
    }
}
