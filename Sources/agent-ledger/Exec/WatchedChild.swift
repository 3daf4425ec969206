import AgentLedger
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pid of the child `exec` runs, read by the signal handler (0 while there is none).
private let watchedChildPID = Atomic<Int32>(0)

/// A command run with its stdout and stderr passed through, byte for byte, as they come, and fed to
/// an ``ErrorDetector`` on the way.
///
/// The child inherits stdin, the environment and the working folder; its stdout and stderr are pipes
/// (so a program that colours only on a terminal prints plain text, as it would under `tee`).
/// SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 sent to this process are passed on to the
/// child; one typed at the terminal already reached the child through its process group and is not
/// sent twice.
enum WatchedChild {
    struct Result {
        var exitCode: Int32
        var signal: Int32?
        var detector: ErrorDetector
        var seconds: Double
    }

    static let forwardedSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2]

    /// Runs `arguments` (a name looked up in `PATH`, or a path) to the end.
    ///
    /// - Throws: ``SpawnFailure`` when the command cannot be started.
    static func run(_ arguments: [String], detector: ErrorDetector) throws(SpawnFailure) -> Result {
        var detector = detector
        let start = ContinuousClock.now
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else {
            throw SpawnFailure(errno: errno, exitCode: 126)
        }
        // Close-on-exec: only the child's dup2'ed copies (fds 1 and 2) survive into the command.
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        // A signal ignored by whoever started us (nohup, a background job) stays ignored, for the
        // child too; the others are forwarded, and the child starts with their defaults.
        let forwarded = forwardedSignals.filter { !isIgnored($0) }
        let pipeIgnored = isIgnored(SIGPIPE)
        signal(SIGPIPE, SIG_IGN)
        installForwarding(forwarded)
        defer {
            watchedChildPID.store(0, ordering: .relaxed)
            for s in forwarded { signal(s, SIG_DFL) }
            if !pipeIgnored { signal(SIGPIPE, SIG_DFL) }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in forwarded + (pipeIgnored ? [] : [SIGPIPE]) { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, argv[0]!, &actions, &attributes, argv, environ)
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw SpawnFailure(errno: spawned, exitCode: spawned == ENOENT ? 127 : 126)
        }
        watchedChildPID.store(pid, ordering: .relaxed)

        pump(out: outPipe[0], err: errPipe[0], into: &detector)
        detector.finish()

        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        watchedChildPID.store(0, ordering: .relaxed)
        let elapsed = start.duration(to: .now)
        let seconds = elapsed.inSeconds
        if status & 0x7F == 0 {
            return Result(exitCode: (status >> 8) & 0xFF, signal: nil, detector: detector, seconds: seconds)
        }
        let sig = status & 0x7F
        return Result(exitCode: 128 + sig, signal: sig, detector: detector, seconds: seconds)
    }

    /// Copies both pipes to our stdout and stderr as data arrives, until both are closed.
    private static func pump(out: Int32, err: Int32, into detector: inout ErrorDetector) {
        var fds = [
            pollfd(fd: out, events: Int16(POLLIN), revents: 0), pollfd(fd: err, events: Int16(POLLIN), revents: 0),
        ]
        var broken = [false, false]
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while fds.contains(where: { $0.fd >= 0 }) {
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for i in fds.indices where fds[i].fd >= 0 && fds[i].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(fds[i].fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    buffer.withUnsafeBytes { raw in
                        let chunk = UnsafeRawBufferPointer(rebasing: raw[0..<n])
                        // A reader that went away (`| head`) stops the copy, not the command.
                        if !broken[i], FileSystem.writeAll(i == 0 ? 1 : 2, chunk).errno != nil { broken[i] = true }
                        detector.feed(chunk, from: i == 0 ? .stdout : .stderr)
                    }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(fds[i].fd)
                    fds[i].fd = -1
                }
            }
        }
    }

    private static func isIgnored(_ sig: Int32) -> Bool {
        var current = sigaction()
        guard sigaction(sig, nil, &current) == 0 else { return false }
        return unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self)
            == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    private static func installForwarding(_ signals: [Int32]) {
        for s in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_sigaction = { sig, info, _ in
                let pid = watchedChildPID.load(ordering: .relaxed)
                guard pid > 0 else {
                    // No child (yet, or any more): the signal means what it would have meant without us.
                    signal(sig, SIG_DFL)
                    raise(sig)
                    return
                }
                // SI_KERNEL: typed at the terminal; the child is in our process group and got it too.
                if let info, info.pointee.si_code == 0x80 { return }
                kill(pid, sig)
            }
            action.sa_flags = SA_SIGINFO | SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(s, &action, nil)
        }
    }
}

/// The command could not be started.
struct SpawnFailure: Error {
    var errno: Int32
    /// What a shell would exit with: 127 not found, 126 found but not runnable.
    var exitCode: Int32
    var reason: String { String(cString: strerror(errno)) }
}
