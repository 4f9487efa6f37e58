import DSPEx
import Foundation
import Testing

@Suite(.timeLimit(.minutes(3)), .tags(.integration))
struct PredictCommandTests {
    @Test("--version prints the version")
    func version() async throws {
        let output = try await CLIProcess.run(["--version"])
        #expect(output.status == 0)
        #expect(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == DSPExVersion.current)
    }

    @Test("predict --lm sim --json prints a JSON object with the output field")
    func predictJSON() async throws {
        let output = try await CLIProcess.run([
            "predict", "--signature", "question -> answer", "--input", "question=What is 2 + 3?", "--lm", "sim",
            "--json",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let value = try Value(json: output.stdout)
        #expect(value["answer"]?.stringValue != nil)
    }

    @Test("--cot adds reasoning and typed outputs are parsed")
    func chainOfThought() async throws {
        let output = try await CLIProcess.run([
            "predict", "--signature", "question -> answer: int", "--input", "question=What is 4 + 4?", "--cot",
            "--json",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let value = try Value(json: output.stdout)
        #expect(value["reasoning"]?.stringValue != nil)
        #expect(value["answer"]?.intValue != nil)
    }

    @Test("--dry-run prints DSPy's messages without calling a model")
    func dryRun() async throws {
        let output = try await CLIProcess.run([
            "predict", "--signature", "question -> answer", "--input", "question=What is 2 + 3?", "--dry-run",
            "--lm", "openai/x", "--base-url", "http://127.0.0.1:1/v1",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let messages = try #require(try Value(json: output.stdout).arrayValue)
        let expected = try Predict("question -> answer").messages(for: ["question": "What is 2 + 3?"])
        #expect(messages == expected.map(\.value))
    }

    @Test("an unreachable server fails fast with a clear connection error")
    func unreachableServer() async throws {
        let output = try await CLIProcess.run([
            "predict", "--signature", "question -> answer", "--input", "question=hi", "--lm", "openai/x", "--base-url",
            "http://127.0.0.1:1/v1",
        ])
        #expect(output.status != 0)
        #expect(output.stderr.contains("could not connect to http://127.0.0.1:1/v1"))
        #expect(!output.stderr.contains("after"), "a refused connection is not retried")
    }

    @Test(
        "a malformed signature is reported with its column",
        arguments: [
            ["--signature", "question answer", "--input", "question=x"],
            ["--signature", "question: strr -> answer", "--input", "question=x"],
        ])
    func malformedSignature(arguments: [String]) async throws {
        let output = try await CLIProcess.run(["predict"] + arguments)
        #expect(output.status != 0)
        #expect(output.stderr.contains("column"))
        #expect(!output.stderr.contains("Fatal error"))
    }

    @Test("an input that is not in the signature is named")
    func unknownInput() async throws {
        let output = try await CLIProcess.run(["predict", "--signature", "question -> answer", "--input", "query=x"])
        #expect(output.status != 0)
        #expect(output.stderr.contains("no input field 'query'"))
    }

    @Test("the simulator keeps answering through injected faults")
    func simulatedFaults() async throws {
        let output = try await CLIProcess.run([
            "predict", "--signature", "question -> answer", "--input", "question=What is 1 + 1?", "--sim-fail-rate",
            "0.5",
            "--sim-seed", "1", "--json",
        ])
        #expect(output.status == 0, "\(output.stderr)")
    }
}
