import DSPExTesting
import Foundation
import Testing

@testable import DSPEx

/// Model settings resolve once, option by option: a flag wins over the pipeline file, which wins over the default;
/// and what reaches the stages is the resolved value.
@Suite struct LMSettingsTests {
    static let file = LMSpec(
        model: "llama3", baseURL: "http://file.example/v1", apiKeyEnvironmentVariable: "FILE_KEY", temperature: 0.0,
        maxTokens: 100, maxConcurrency: 8, requestsPerMinute: 60, tokensPerMinute: 6000,
        location: SourceLocation(file: "f.yaml", line: 1, column: 1))

    static let flags = LMOverrides(
        model: "openai/gpt-4o-mini", baseURL: "http://flag.example/v1", apiKeyEnvironmentVariable: "FLAG_KEY",
        temperature: 0.7, maxTokens: 77, timeoutSeconds: 5, maxAttempts: 2, maxConcurrency: 3, requestsPerMinute: 30,
        tokensPerMinute: 3000)

    @Test("every option: the flag beats the file")
    func flagBeatsFile() {
        let settings = LMSettings(overriding: Self.flags, file: Self.file)
        #expect(settings.model == "gpt-4o-mini")
        #expect(!settings.usesSimulator)
        #expect(settings.baseURL == "http://flag.example/v1")
        #expect(settings.apiKeyEnvironmentVariable == "FLAG_KEY")
        #expect(settings.options.temperature == 0.7)
        #expect(settings.options.maxTokens == 77)
        #expect(settings.timeout == .seconds(5))
        #expect(settings.maxAttempts == 2)
        #expect(settings.maxConcurrency == 3)
        #expect(settings.requestsPerMinute == 30)
        #expect(settings.tokensPerMinute == 3000)
    }

    @Test("every option: the file beats the default")
    func fileBeatsDefault() {
        let settings = LMSettings(overriding: LMOverrides(), file: Self.file)
        #expect(settings.model == "llama3")
        #expect(settings.baseURL == "http://file.example/v1")
        #expect(settings.apiKeyEnvironmentVariable == "FILE_KEY")
        #expect(settings.options.temperature == 0.0)
        #expect(settings.options.maxTokens == 100)
        #expect(settings.maxConcurrency == 8)
        #expect(settings.requestsPerMinute == 60)
        #expect(settings.tokensPerMinute == 6000)
    }

    @Test("with neither, the defaults: the simulator, OpenAI's key variable, 120 s, 6 attempts, 64 in flight")
    func defaults() {
        let settings = LMSettings(overriding: LMOverrides(), file: nil)
        #expect(settings.usesSimulator)
        #expect(settings.baseURL == nil)
        #expect(settings.apiKeyEnvironmentVariable == "OPENAI_API_KEY")
        #expect(settings.options == LMOptions())
        #expect(settings.timeout == .seconds(120))
        #expect(settings.maxAttempts == 6)
        #expect(settings.maxConcurrency == 64)
        #expect(settings.requestsPerMinute == nil)
    }

    @Test("a model given as a flag drops the file's base URL; OpenAI's is the default for openai/MODEL")
    func flagModelDropsFileURL() {
        let settings = LMSettings(overriding: LMOverrides(model: "openai/gpt-4o"), file: Self.file)
        #expect(settings.baseURL == "https://api.openai.com/v1")
        #expect(settings.model == "gpt-4o")
    }

    @Test("a base URL flag alone on a simulator pipeline talks to dspex-sim at that URL, not the built-in one")
    func baseURLAloneKeepsSimulatorModel() {
        let url = "http://127.0.0.1:18000/v1"
        let here = SourceLocation(file: "f.yaml", line: 1, column: 1)
        for file in [nil, LMSpec(model: "dspex-sim", location: here), LMSpec(model: "sim", location: here)] {
            let settings = LMSettings(overriding: LMOverrides(baseURL: url), file: file)
            #expect(!settings.usesSimulator)
            #expect(settings.baseURL == url)
            #expect(settings.model == "dspex-sim")
        }
        #expect(LMSettings(overriding: LMOverrides(), file: LMSpec(model: "dspex-sim", location: here)).usesSimulator)
    }

    @Test("the stages carry the resolved options: a flag's temperature and max tokens beat the file's")
    func stagesCarryResolvedOptions() async throws {
        let spec = try PipelineFile.load(
            path: PipelineRunTests.root.appendingPathComponent("pipelines/arithmetic.yaml").path)
        #expect(spec.lm?.temperature == 0.0)
        let settings = spec.lmSettings(overriding: LMOverrides(temperature: 0.7, maxTokens: 77))
        let lm = ScriptedLM(replies: ["[[ ## answer ## ]]\n5\n\n[[ ## completed ## ]]"])
        let graph = try spec.makeGraph(lm: lm, options: settings.options)
        _ = try await Scheduler(graph: graph).run(
            ExampleList([Example(["question": "What is 2 + 3?"], inputKeys: ["question"])])
        ) { _ in }
        #expect(lm.requests.first?.temperature == 0.7)
        #expect(lm.requests.first?.maxTokens == 77)
    }
}
