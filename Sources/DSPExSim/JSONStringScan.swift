/// Finds the bytes a JSON string cannot hold as they are — `"`, `\` and control bytes — eight
/// bytes at a time, for the simulator's parser and writer.
enum JSONStringScan {
    /// The index of the first byte from `start` that is `"`, `\` or below 0x20, or `bytes.count`.
    static func firstSpecial(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        if let base = UnsafeRawPointer(bytes.baseAddress) {
            while index + 8 <= bytes.count, !wordHasSpecial(base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            {
                index += 8
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { return index }
            index += 1
        }
        return index
    }

    /// Whether any byte of `word` is `"`, `\` or below 0x20 (exact, by the "has a byte less than n"
    /// and "has a zero byte" bit tricks).
    @inline(__always)
    private static func wordHasSpecial(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ value: UInt64) -> Bool { (value &- ones) & ~value & highs != 0 }
        return (word &- ones &* 0x20) & ~word & highs != 0 || hasZeroByte(word ^ (ones &* 0x22))
            || hasZeroByte(word ^ (ones &* 0x5C))
    }
}
