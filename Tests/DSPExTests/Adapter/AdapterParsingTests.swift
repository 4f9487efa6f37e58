import DSPEx
import OrderedCollections
import Testing

@Suite struct AdapterParsingTests {
    /// Parse cases where DSPEx is deliberately more tolerant than DSPy (it parses what DSPy rejects
    /// or mangles), keyed by the fixture's note.
    static let moreTolerant: Set<String> = [
        "header matched after line.strip(); unknown headers ignored; value stripped",
        "malformed header -> missing field",
        "header names are case-sensitive",
        "Literal wrong case -> error",
    ]

    static var cases: [Value] {
        (try? Fixtures.load("parse_cases.json").arrayValue) ?? []
    }

    @Test("replies parse as DSPy 3.4.1 parses them", .tags(.golden))
    func dspyParseCases() throws {
        let cases = Self.cases
        #expect(cases.count > 30)
        for testCase in cases {
            let note = testCase["note"]?.stringValue ?? ""
            if Self.moreTolerant.contains(note) { continue }
            var signature = try Signature(try #require(testCase["signature"]?.stringValue))
            if testCase["module"]?.stringValue == "chain_of_thought" {
                signature = signature.prependingOutput(ChainOfThought<DynamicSignature>.reasoningField)
            }
            let adapter: any Adapter = testCase["adapter"]?.stringValue == "json" ? JSONAdapter() : ChatAdapter()
            let completion = try #require(testCase["completion"]?.stringValue)
            if let expected = testCase["parsed"] {
                let parsed = try adapter.parse(signature, reply: completion)
                #expect(Value.object(parsed) == expected, "\(note)")
            } else {
                #expect(throws: AdapterError.self, "\(note)") { try adapter.parse(signature, reply: completion) }
            }
        }
    }

    @Test("a marker in the middle of a line still opens its section")
    func markerMidLine() throws {
        let signature = try Signature("question -> reasoning, answer: int")
        let reply = "Let me think. [[ ## reasoning ## ]] 2 plus 3 is 5. [[ ## answer ## ]] 5 [[ ## completed ## ]]"
        let parsed = try ChatAdapter().parse(signature, reply: reply)
        #expect(parsed["reasoning"] == "2 plus 3 is 5.")
        #expect(parsed["answer"] == 5)
    }

    @Test("loose spacing inside markers is accepted")
    func looseMarkers() throws {
        let parsed = try ChatAdapter().parse(try Signature("q -> answer"), reply: "[[## answer ##]]\nParis")
        #expect(parsed["answer"] == "Paris")
    }

    @Test("a missing field is named and the raw reply kept")
    func missingFieldError() throws {
        let signature = try Signature("q -> answer, confidence: float")
        let reply = "[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]"
        do {
            _ = try ChatAdapter().parse(signature, reply: reply)
            Issue.record("should fail")
        } catch {
            #expect(error.code == .missingFields)
            #expect(error.fields == ["confidence"])
            #expect(error.rawReply == reply)
            #expect(error.description.contains("'confidence'"))
        }
    }

    @Test("an invalid value names its field")
    func invalidValueError() throws {
        let signature = try Signature("q -> n: int")
        do {
            _ = try ChatAdapter().parse(signature, reply: "[[ ## n ## ]]\nmany")
            Issue.record("should fail")
        } catch {
            #expect(error.code == .invalidValue)
            #expect(error.fields == ["n"])
        }
    }

    @Test("JSON replies in fences, prose or Python syntax are read")
    func lenientJSON() throws {
        let signature = try Signature("q -> answer: int, tags: list[str]")
        for reply in [
            "```json\n{\"answer\": 5, \"tags\": [\"a\"]}\n```",
            "Sure: {'answer': '5', 'tags': ('a',),} hope it helps",
            "{\"answer\": 5.0, \"tags\": \"[\\\"a\\\"]\"}",
        ] {
            let parsed = try JSONAdapter().parse(signature, reply: reply)
            #expect(parsed["answer"] == 5, "\(reply)")
            #expect(parsed["tags"] == ["a"], "\(reply)")
        }
    }
}
