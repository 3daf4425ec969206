#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes for stdout or a file, written in 64 KiB pieces rather than a `print` per line.
final class OutputBuffer {
    private let fd: Int32
    private var bytes: [UInt8] = []
    /// Set when a write failed (a closed pipe, a full disk); nothing more is written.
    private(set) var failed: Int32?

    init(fd: Int32 = 1) {
        self.fd = fd
        bytes.reserveCapacity(1 << 16)
    }

    func append(_ line: [UInt8]) {
        bytes.append(contentsOf: line)
        if bytes.count >= 1 << 16 { flush() }
    }

    func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        if bytes.count >= 1 << 16 { flush() }
    }

    func flush() {
        defer { bytes.removeAll(keepingCapacity: true) }
        guard failed == nil, !bytes.isEmpty else { return }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                failed = errno
                return
            }
            done += n
        }
    }
}
