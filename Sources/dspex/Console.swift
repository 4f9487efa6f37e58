import Foundation

/// Unbuffered output for lines other processes wait for (a server's address, progress).
enum Console {
    /// Writes `text` and a newline to standard output immediately.
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Writes `text` and a newline to standard error immediately.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
