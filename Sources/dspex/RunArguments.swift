import DSPEx
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

    /// `prefix-20261125-231502` (UTC), with `-2`, `-3`… appended while `store` has a run of that name (two runs
    /// started within one second).
    static func defaultName(_ prefix: String, in store: Store) throws -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let base = "\(prefix)-\(formatter.string(from: Date()))"
        var name = base
        var number = 1
        while try store.run(named: name) != nil {
            number += 1
            name = "\(base)-\(number)"
        }
        return name
    }
}
