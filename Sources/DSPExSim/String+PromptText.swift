extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and newlines.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = self.firstIndex(where: { !isSpace($0) }), let last = self.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}

extension String {
    /// The range of the first occurrence of an ASCII `needle`, found by comparing UTF-8 bytes.
    func range(ofASCII needle: String) -> Range<String.Index>? {
        let text = PromptText(self)
        guard let start = text.find(needle) else { return nil }
        let lower = self.utf8.index(self.utf8.startIndex, offsetBy: start)
        let upper = self.utf8.index(lower, offsetBy: needle.utf8.count)
        return lower..<upper
    }
}
