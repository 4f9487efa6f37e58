import NIOCore

/// The simulator's `/v1/embeddings`: deterministic vectors in which texts that share words — and numbers of a
/// similar size — are near, so that embedding retrieval (DSPEx's `KNN`) finds meaningful neighbours offline.
///
/// A text is lowercased and split into words (runs of letters and digits) and symbols (`+ - * / =`). Each becomes
/// weighted features:
///
/// | piece | features (weight 1 unless said) |
/// | --- | --- |
/// | a word | the word; its character trigrams with `<` `>` at the ends (½ each) |
/// | a number | the number; its digit count; digit count and first digit; digit count and first two digits |
/// | a symbol | the symbol |
///
/// so "What is 519 + 29?" is nearest to other sums of a three-digit number in the 500s (510s best) and a two-digit
/// one in the 20s. Features are hashed (FNV-1a with a SplitMix64 finish, independent of the server's seed) to one
/// of `dimensions` components (64 unless the request sets `dimensions`) with a sign, summed, and the vector is
/// scaled to length 1: dot products are cosine similarities, as OpenAI's embeddings are.
///
/// The reply is OpenAI's: `{"object": "list", "data": [{"object": "embedding", "index": i, "embedding": [...]}],
/// "model", "usage": {"prompt_tokens", "total_tokens"}}`, with a quarter token per UTF-8 byte of each input (at
/// least 1), as chat prompts are counted. Invalid bodies get OpenAI's 400 shape.
///
/// ```swift
/// let vector = SimulatedEmbeddings.embedding(of: "What is 519 + 29?")   // 64 components, length 1
/// ```
enum SimulatedEmbeddings {
    /// Components of a vector when the request does not set `dimensions`.
    static let defaultDimensions = 64
    /// The most `dimensions` a request may ask for.
    static let maximumDimensions = 4096
    /// The most inputs one request may carry (OpenAI's limit).
    static let maximumInputs = 2048

    /// A request's inputs, model and dimensions.
    struct Request: Sendable, Equatable {
        var model: String?
        var inputs: [String]
        var dimensions: Int
    }

    /// The unit vector of `text`.
    static func embedding(of text: String, dimensions: Int = defaultDimensions) -> [Float] {
        let size = max(1, dimensions)
        var sums = [Double](repeating: 0, count: size)
        for (feature, weight) in features(of: text) {
            let hash = StableHash.of(feature)
            sums[Int(hash % UInt64(size))] += (hash >> 63) == 0 ? weight : -weight
        }
        var norm = sums.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm == 0 {  // nothing to go on (or features that cancelled out): a fixed direction per text
            sums[Int(StableHash.of("text:" + text) % UInt64(size))] = 1
            norm = 1
        }
        return sums.map { Float($0 / norm) }
    }

    /// The weighted features of `text` (see the type's discussion).
    static func features(of text: String) -> [(String, Double)] {
        var features: [(String, Double)] = []
        var word: [UInt8] = []
        func endWord() {
            guard !word.isEmpty else { return }
            let piece = String(decoding: word, as: UTF8.self)
            features.append(("w:" + piece, 1))
            if word.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                let digits = String(word.count)
                features.append(("len:" + digits, 1))
                features.append(("lead:" + digits + ":" + String(decoding: word.prefix(1), as: UTF8.self), 1))
                if word.count > 1 {
                    features.append(("lead2:" + digits + ":" + String(decoding: word.prefix(2), as: UTF8.self), 1))
                }
            } else {
                let framed = [UInt8(ascii: "<")] + word + [UInt8(ascii: ">")]
                for start in 0...(framed.count - 3) {
                    features.append(("t:" + String(decoding: framed[start..<(start + 3)], as: UTF8.self), 0.5))
                }
            }
            word.removeAll(keepingCapacity: true)
        }
        for byte in text.lowercased().utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), 0x80...:
                word.append(byte)
            case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "="):
                endWord()
                features.append(("s:" + String(UnicodeScalar(byte)), 1))
            default:
                endWord()
            }
        }
        endWord()
        return features
    }

    /// Reads an embeddings request body, throwing what a real server would answer with 400.
    static func parseRequest(_ body: ByteBuffer?) throws(SimulatorRequestError) -> Request {
        guard let body, body.readableBytes > 0 else { throw .invalid("The request body is empty; send JSON.") }
        let parsed: Result<JSONValue, JSONParser.Failure> = body.withUnsafeReadableBytes { raw in
            Result { () throws(JSONParser.Failure) -> JSONValue in
                try JSONParser.parse(raw.bindMemory(to: UInt8.self))
            }
        }
        guard case .success(let json) = parsed else {
            throw .invalid("We could not parse the JSON body of your request.")
        }
        guard case .object = json else { throw .invalid("The request body must be a JSON object.") }
        let inputs: [String]
        switch json["input"] {
        case .string(let text): inputs = [text]
        case .array(let items):
            var texts: [String] = []
            for (position, item) in items.enumerated() {
                guard let text = item.stringValue else {
                    throw .invalid("'input.\(position)' must be a string (token arrays are not simulated).")
                }
                texts.append(text)
            }
            inputs = texts
        default:
            throw .invalid("'input' is a required property and must be a string or an array of strings.")
        }
        guard !inputs.isEmpty else { throw .invalid("'input' must contain at least one string.") }
        guard inputs.count <= maximumInputs else {
            throw .invalid("'input' may contain at most \(maximumInputs) strings; got \(inputs.count).")
        }
        if let empty = inputs.firstIndex(where: \.isEmpty) {
            throw .invalid("'input.\(empty)' is empty; every input must be a non-empty string.")
        }
        if let format = json["encoding_format"], format != .null, format.stringValue != "float" {
            throw .invalid("'encoding_format' must be 'float' (the simulator does not send base64).")
        }
        var dimensions = defaultDimensions
        if let requested = json["dimensions"], requested != .null {
            guard let number = requested.numberValue, number == number.rounded(), number >= 1,
                number <= Double(maximumDimensions)
            else { throw .invalid("'dimensions' must be an integer from 1 to \(maximumDimensions).") }
            dimensions = Int(number)
        }
        return Request(model: json["model"]?.stringValue, inputs: inputs, dimensions: dimensions)
    }

    /// The reply body for a valid request, and its prompt tokens.
    static func replyBody(_ request: Request, defaultModel: String) -> (body: String, promptTokens: Int) {
        var promptTokens = 0
        var json = JSONWriter(capacity: 64 + request.inputs.count * request.dimensions * 12)
        json.beginObject()
        json.key("object")
        json.string("list")
        json.key("data")
        json.beginArray()
        for (index, text) in request.inputs.enumerated() {
            promptTokens += SimulatorEngine.tokens(text.utf8.count)
            json.beginObject()
            json.key("object")
            json.string("embedding")
            json.key("index")
            json.integer(index)
            json.key("embedding")
            json.beginArray()
            for component in embedding(of: text, dimensions: request.dimensions) {
                json.raw(component.isFinite ? String(component) : "0")
            }
            json.endArray()
            json.endObject()
        }
        json.endArray()
        json.key("model")
        json.string(request.model ?? defaultModel)
        json.key("usage")
        json.beginObject()
        json.key("prompt_tokens")
        json.integer(promptTokens)
        json.key("total_tokens")
        json.integer(promptTokens)
        json.endObject()
        json.endObject()
        return (json.text, promptTokens)
    }
}
