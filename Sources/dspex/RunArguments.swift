import Foundation

/// What a stored run keeps of the command line that started it, and the name it gets when none is given.
enum RunArguments {
    /// The arguments `dspex resume` replays: this command's arguments without the run name, the store and
    /// `--detach` (the resume supplies its own).
    static func resumable() -> [String] {
        var arguments: [String] = []
        var skipNext = false
        for argument in CommandLine.arguments.dropFirst(2) {
            if skipNext {
                skipNext = false
                continue
            }
            if ["--run", "--resume", "--store"].contains(argument) {
                skipNext = true
                continue
            }
            if argument == "--detach" || argument.hasPrefix("--run=") || argument.hasPrefix("--resume=")
                || argument.hasPrefix("--store=")
            {
                continue
            }
            arguments.append(argument)
        }
        return arguments
    }

    /// `prefix-20261125-231502` (UTC).
    static func defaultName(_ prefix: String) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return "\(prefix)-\(formatter.string(from: Date()))"
    }
}
