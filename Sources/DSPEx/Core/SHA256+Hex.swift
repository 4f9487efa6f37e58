import Crypto

extension SHA256.Digest {
    /// The digest as lowercase hexadecimal digits (64 of them), written straight into a `String`.
    var hex: String {
        String(unsafeUninitializedCapacity: 2 * SHA256.byteCount) { text in
            func digit(_ nibble: UInt8) -> UInt8 {
                nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
            }
            var count = 0
            for byte in self {
                text[count] = digit(byte >> 4)
                text[count + 1] = digit(byte & 0xF)
                count += 2
            }
            return count
        }
    }
}

extension SHA256 {
    /// The lowercase hexadecimal SHA-256 of `bytes`: how DSPEx names cache keys, programs, datasets and examples.
    public static func hexDigest<Bytes: Sequence>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        return hasher.finalize().hex
    }
}
