import DSPEx
import Foundation
import Testing

@Suite struct SecretRedactorTests {
    static let key = "sk-test-Q7vX2mLp9RtZ4wYb8NcK1dFh"

    @Test("the key, its Bearer form and every piece of eight or more bytes are removed")
    func removesKeyAndPieces() {
        let redactor = SecretRedactor(secrets: [Self.key])
        let middle = String(Self.key.dropFirst(9).prefix(12))
        let text = "Incorrect API key provided: Bearer \(Self.key). Masked: sk-test-***\(middle)*** end"
        let redacted = redactor.redact(text)
        #expect(!redacted.contains(Self.key))
        #expect(!redacted.contains(middle))
        #expect(redacted.hasPrefix("Incorrect API key provided: Bearer [REDACTED]."))
        #expect(redacted.hasSuffix("*** end"))
    }

    @Test("the key's JSON-escaped, percent-encoded and base64 forms are removed")
    func removesEncodedForms() {
        let key = "ab/cd+ef==gh\"ij-0123456789"
        let redactor = SecretRedactor(secrets: [key])
        let escaped = key.replacingOccurrences(of: "/", with: "\\/").replacingOccurrences(of: "\"", with: "\\\"")
        let percent = key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let base64 = Data(key.utf8).base64EncodedString()
        let header = Data(("Bearer " + key).utf8).base64EncodedString()
        for text in [escaped, percent, base64, header] {
            let redacted = redactor.redact("seen: \(text) ok")
            #expect(redacted.contains("[REDACTED]"), "\(text)")
            #expect(!redacted.contains(String(text.prefix(16))), "\(text) → \(redacted)")
        }
    }

    @Test("credentials after Bearer or Basic are removed whoever's they are, prose is left alone")
    func credentialsAndProse() {
        let redactor = SecretRedactor.none
        #expect(
            redactor.redact("authorization: bearer eyJhbGciOiJIUzI1NiJ9.e30.x") == "authorization: bearer [REDACTED]")
        #expect(redactor.redact("Basic dXNlcjpwYXNzd29yZA==") == "Basic [REDACTED]")
        let prose = "Basic arithmetic: the bearer of the answer says 42. Bearer instruments"
        #expect(redactor.redact(prose) == prose)
        #expect(SecretRedactor(secrets: [Self.key]).redact(prose) == prose)
    }

    @Test("a key shorter than a piece is removed whole, and ordinary text is returned as it was")
    func shortKeysAndCleanText() {
        let redactor = SecretRedactor(secrets: ["k3y!"])
        #expect(redactor.redact("a k3y! b k3y!") == "a [REDACTED] b [REDACTED]")
        let clean = "[[ ## answer ## ]]\n42\n\n[[ ## completed ## ]]"
        #expect(SecretRedactor(secrets: [Self.key]).redact(clean) == clean)
        #expect(SecretRedactor(secrets: [""]).isEmpty)
    }

    @Test("an LMError's message is redacted, its code and status kept")
    func redactsErrors() {
        let error = LMError(code: .httpStatus, message: "answered 500: \(Self.key)", status: 500)
        let redacted = SecretRedactor(secrets: [Self.key]).redact(error)
        #expect(redacted.message == "answered 500: [REDACTED]")
        #expect(redacted.status == 500)
        #expect(redacted.code == .httpStatus)
    }
}
