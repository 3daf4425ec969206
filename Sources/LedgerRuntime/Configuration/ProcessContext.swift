import LedgerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads seed 001's process and terminal context from the running process.
public enum ProcessContext {
    /// The user running this process: `USER`, else `LOGNAME`, else the name of its user id.
    public static var user: String? {
        for name in ["USER", "LOGNAME"] {
            if let v = getenv(name), v.pointee != 0 { return String(cString: v) }
        }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return nil
    }

    /// The context of this process: pid, process group, `TERM`, the controlling terminal's device,
    /// a terminal id (`TERM_SESSION_ID`, `WT_SESSION`, `TMUX_PANE`, or the tty's name), and a session
    /// name `<user>-<host>-<tty>` like seed 001's `liku-user-host-dev_pts_3`.
    public static func current() -> EventContext {
        func env(_ name: String) -> String? {
            guard let v = getenv(name) else { return nil }
            let s = String(cString: v)
            return s.isEmpty ? nil : s
        }
        var tty: String?
        for fd in [Int32(0), 1, 2] where isatty(fd) == 1 {
            if let name = ttyname(fd) {
                tty = String(cString: name)
                break
            }
        }
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        let hostName = String(decoding: host.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let user = Self.user ?? "user"
        let ttyPart = (tty ?? "notty").split(separator: "/").joined(separator: "_")
        return EventContext(
            terminalID: env("TERM_SESSION_ID") ?? env("WT_SESSION") ?? env("TMUX_PANE") ?? tty,
            pid: getpid(),
            pgid: getpgrp(),
            term: env("TERM"),
            tty: tty,
            session: "\(user)-\(hostName)-\(ttyPart)"
        )
    }
}
