import Foundation
import Testing

@testable import DSPExSim

@Suite(.timeLimit(.minutes(3)))
struct SimulatedEmbeddingsTests {
    static func dot(_ left: [Float], _ right: [Float]) -> Float {
        zip(left, right).reduce(0) { $0 + $1.0 * $1.1 }
    }

    static func body(_ inputs: [String], extra: String = "") -> String {
        let list = inputs.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"model":"sim-embed","input":[\#(list)]\#(extra)}"#
    }

    @Test("POST /v1/embeddings answers OpenAI's shape: one unit vector per input, in order, with usage")
    func replyShape() async throws {
        try await withSimulator { server in
            let reply = try await TestHTTPConnection.request(
                port: server.port, .POST, "/v1/embeddings", body: Self.body(["What is 2 + 3?", "hello world"]))
            #expect(reply.status == 200)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])
            #expect(json["object"] as? String == "list")
            #expect(json["model"] as? String == "sim-embed")
            let data = try #require(json["data"] as? [[String: Any]])
            #expect(data.map { $0["index"] as? Int } == [0, 1])
            #expect(data.allSatisfy { $0["object"] as? String == "embedding" })
            let vectors = data.map { ($0["embedding"] as? [Double] ?? []).map(Float.init) }
            #expect(vectors.map(\.count) == [64, 64])
            for vector in vectors { #expect(abs(Self.dot(vector, vector) - 1) < 1e-4) }
            #expect(vectors[0] == SimulatedEmbeddings.embedding(of: "What is 2 + 3?"))
            let usage = try #require(json["usage"] as? [String: Int])
            #expect(usage["prompt_tokens"] == 3 + 2)  // a quarter token per byte, at least 1
            #expect(usage["total_tokens"] == usage["prompt_tokens"])
            #expect(server.stats().byPath["/v1/embeddings"] == 1)
            #expect(server.stats().requests == 0)  // chat completions only
        }
    }

    @Test("a single string input, dimensions and the /embeddings path are served")
    func singleInputAndDimensions() async throws {
        try await withSimulator { server in
            let reply = try await TestHTTPConnection.request(
                port: server.port, .POST, "/embeddings", body: #"{"model":"m","input":"hello","dimensions":8}"#)
            #expect(reply.status == 200)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])
            let data = try #require(json["data"] as? [[String: Any]])
            #expect((data.first?["embedding"] as? [Double])?.count == 8)
        }
    }

    @Test("bad bodies get OpenAI's 400, a missing key 401, GET 405")
    func rejections() async throws {
        var configuration = SimulatorConfiguration()
        configuration.requiredAPIKey = "sk-sim-embeddings-key"
        try await withSimulator(configuration) { server in
            let unauthorized = try await TestHTTPConnection.request(
                port: server.port, .POST, "/v1/embeddings", body: Self.body(["hi"]))
            #expect(unauthorized.status == 401)
            #expect(!unauthorized.body.contains("sk-sim"))
        }
        try await withSimulator { server in
            for (body, says) in [
                (#"{"model":"m"}"#, "'input' is a required property"),
                (#"{"model":"m","input":[]}"#, "at least one string"),
                (#"{"model":"m","input":[1,2]}"#, "'input.0' must be a string"),
                (#"{"model":"m","input":["a",""]}"#, "'input.1' is empty"),
                (#"{"model":"m","input":["a"],"encoding_format":"base64"}"#, "encoding_format"),
                (#"{"model":"m","input":["a"],"dimensions":0}"#, "'dimensions'"),
                ("not json", "could not parse"),
            ] {
                let reply = try await TestHTTPConnection.request(port: server.port, .POST, "/v1/embeddings", body: body)
                #expect(reply.status == 400, "\(body)")
                #expect(reply.body.contains(says), "\(body): \(reply.body)")
            }
            let get = try await TestHTTPConnection.request(port: server.port, .GET, "/v1/embeddings")
            #expect(get.status == 405)
        }
    }

    @Test("embeddings are deterministic and unit length, and texts sharing words are nearer")
    func similarity() {
        let cat = SimulatedEmbeddings.embedding(of: "the cat sat on the mat")
        #expect(cat == SimulatedEmbeddings.embedding(of: "the cat sat on the mat"))
        #expect(abs(Self.dot(cat, cat) - 1) < 1e-5)
        let near = Self.dot(cat, SimulatedEmbeddings.embedding(of: "a cat sat on a mat"))
        let far = Self.dot(cat, SimulatedEmbeddings.embedding(of: "stock prices fell sharply today"))
        #expect(near > far + 0.3, "near \(near), far \(far)")
        #expect(SimulatedEmbeddings.embedding(of: "x", dimensions: 16).count == 16)
        #expect(
            abs(Self.dot(SimulatedEmbeddings.embedding(of: "?!"), SimulatedEmbeddings.embedding(of: "?!")) - 1) < 1e-5)
    }

    @Test("additions of numbers of a similar size are nearer than additions of other sizes")
    func numberMagnitudes() {
        func vector(_ question: String) -> [Float] { SimulatedEmbeddings.embedding(of: "question: " + question) }
        let query = vector("What is 519 + 29?")
        let sameSize = Self.dot(query, vector("What is 512 + 27?"))
        let sameDigits = Self.dot(query, vector("What is 871 + 64?"))
        let otherSize = Self.dot(query, vector("What is 144 + 327?"))
        #expect(sameSize > sameDigits, "\(sameSize) vs \(sameDigits)")
        #expect(sameDigits > otherSize, "\(sameDigits) vs \(otherSize)")
    }
}
