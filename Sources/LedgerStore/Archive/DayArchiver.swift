import LedgerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension LedgerError.Code {
    /// An archive run stopped because it was asked to; what was in progress was rolled back.
    public static let archiveStopped = LedgerError.Code("archive_stopped")
    /// A freshly written archive did not decompress to its source's bytes; it was removed, the plain file kept.
    public static let archiveVerificationFailed = LedgerError.Code("archive_verification_failed")
}

/// Compresses closed day files into gzip archives beside them, one file at a time, and finishes or
/// rolls back what an interrupted run left.
///
/// For each plain day file older than ``ArchiveOptions/afterDays``, under an exclusive `flock` on the
/// plain file (the lock ``DayFileWriter`` takes for every write, so no line is appended meanwhile;
/// waited for at most ``ArchiveOptions/lockWait``, after which the day is left for a later run):
/// write `….jsonl.gz.tmp`, fsync it, verify it by decompressing (length and CRC-32 equal to the
/// source's), rename it to `….jsonl.gz`, fsync the folder, then remove the plain file. A plain file
/// for a day that already has an archive (events that came late) becomes a new gzip member appended
/// to a copy of the archive, verified the same way, then renamed over it.
///
/// Recovery, before a day is archived: a temporary file is removed (it was never renamed, so the
/// plain file is still there); when both an archive and a plain file exist and the archive's last
/// member holds exactly the plain file's bytes, the crash came after the rename and the plain file
/// is removed; an archive that does not decompress is renamed to `….corrupt` and the plain file kept.
///
/// Synchronous and blocking: run it on a thread of its own (``Archiver`` does), never on the write path.
public struct DayArchiver: Sendable {
    public let folders: [DayFileFolder]
    public var options: ArchiveOptions
    /// Called after each step of each file, with the plain file's path (a seam for crash tests).
    public var onStep: (@Sendable (ArchiveStep, String) -> Void)?
    /// Called as bytes are compressed.
    public var onProgress: (@Sendable (ArchiveProgress) -> Void)?
    /// Checked between chunks; when it returns `true` the run rolls back the file in progress and stops.
    public var shouldStop: (@Sendable () -> Bool)?

    public init(folders: [DayFileFolder], options: ArchiveOptions = ArchiveOptions()) {
        self.folders = folders
        self.options = options
    }

    /// The archiver for every day-file folder under a ledger root (see ``LedgerLayout/dayFileFolders(ledgerPath:)``).
    public init(layout: LedgerLayout, ledgerPath: String? = nil, options: ArchiveOptions = ArchiveOptions()) {
        self.init(folders: layout.dayFileFolders(ledgerPath: ledgerPath), options: options)
    }

    private struct Day {
        var folder: DayFileFolder
        var name: DayFileName
        var plain = false
        var archive = false
        var temporary = false
        var archiveWanted = false
        var plainSize: Int64 = 0
    }

    /// Archives, recovers and (when retention is set) deletes, for `today` in the ledger's zone.
    public func run(today: CivilDate) -> ArchiveReport {
        var report = ArchiveReport()
        report.dryRun = options.dryRun
        let cutoff = today.daysSinceEpoch - Int64(max(options.afterDays, 0))
        var days: [Day] = []
        var expiredArchives: [String] = []
        for folder in folders {
            var byDate: [DayFileName: Day] = [:]
            for name in folder.files() {
                let key = name.with(.plain)
                var day = byDate[key] ?? Day(folder: folder, name: key)
                switch name.kind {
                case .plain:
                    day.plain = true
                    day.plainSize = FileSystem.fileSize(folder.path(of: name)) ?? 0
                case .archive:
                    day.archive = true
                    if let keep = options.retentionDays,
                        name.date.daysSinceEpoch < today.daysSinceEpoch - Int64(max(keep, 0))
                    {
                        expiredArchives.append(folder.path(of: name))
                    }
                case .temporary: day.temporary = true
                }
                day.archiveWanted = day.plain && key.date.daysSinceEpoch < cutoff
                byDate[key] = day
            }
            days += byDate.values.filter { $0.archiveWanted || $0.temporary || ($0.plain && $0.archive) }
                .sorted { $0.name < $1.name }
        }
        let wanted = days.filter(\.archiveWanted)
        let bytesTotal = wanted.reduce(Int64(0)) { $0 + $1.plainSize }

        if options.dryRun {
            for day in days {
                let plain = day.folder.path(of: day.name)
                if day.temporary {
                    report.recovered.append(
                        .init(path: day.folder.path(of: day.name.with(.temporary)), action: .removedTemporary)
                    )
                }
                if day.archiveWanted {
                    report.archived.append(
                        .init(
                            source: plain,
                            archive: day.folder.path(of: day.name.with(.archive)),
                            bytesIn: day.plainSize,
                            bytesOut: 0,
                            appended: day.archive
                        )
                    )
                }
            }
            report.deleted = expiredArchives
            return report
        }

        var progress = ArchiveProgress(
            filesDone: 0,
            filesTotal: wanted.count,
            bytesDone: 0,
            bytesTotal: bytesTotal,
            current: ""
        )
        for day in days {
            if shouldStop?() == true {
                report.stopped = true
                return report
            }
            do throws(LedgerError) {
                try process(day, progress: &progress, report: &report)
            } catch {
                if error.code == .archiveStopped {
                    report.stopped = true
                    return report
                }
                report.failures.append(error)
            }
            if day.archiveWanted { progress.filesDone += 1 }
        }
        for path in expiredArchives where !report.stopped {
            do throws(LedgerError) {
                try FileSystem.remove(path)
                report.deleted.append(path)
            } catch {
                report.failures.append(error)
            }
        }
        if !expiredArchives.isEmpty {
            for dir in Set(expiredArchives.map(FileSystem.parentPath)) { try? FileSystem.syncDirectory(dir) }
        }
        return report
    }

    private func process(_ day: Day, progress: inout ArchiveProgress, report: inout ArchiveReport) throws(LedgerError) {
        let dir = day.folder.path
        let plain = day.folder.path(of: day.name)
        let archive = day.folder.path(of: day.name.with(.archive))
        let temporary = day.folder.path(of: day.name.with(.temporary))

        let fd = open(plain, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            let code = errno
            guard code == ENOENT else { throw FileSystem.error("open", path: plain, errno: code) }
            // No plain file: a temporary file is a half archive of nothing left to lose. Remove it.
            if FileSystem.exists(temporary) {
                try FileSystem.remove(temporary)
                try FileSystem.syncDirectory(dir)
                report.recovered.append(.init(path: temporary, action: .removedTemporary))
            }
            return
        }
        defer { close(fd) }
        // Bounded: a lock held for good fails this day alone, and the run goes on to the others.
        try FileSystem.lock(fd, path: plain, waitingAtMost: options.lockWait)
        // Another archiver may have taken the file while this one waited for the lock.
        guard FileSystem.isStillAtPath(fd, plain) else { return }

        if FileSystem.exists(temporary) {
            try FileSystem.remove(temporary)
            try FileSystem.syncDirectory(dir)
            report.recovered.append(.init(path: temporary, action: .removedTemporary))
        }

        var earlier: Checksum?
        var start: Int64 = 0
        if FileSystem.exists(archive) {
            let reader = try GzipReader(path: archive, tracksChecksums: true)
            var readable = true
            do throws(LedgerError) { try reader.readToEnd() } catch { readable = false }
            if readable {
                // Errors reading the plain file fail this day and move nothing: the archive is fine.
                let plainSum = try Self.checksum(fd: fd, path: plain)
                if reader.members.last == plainSum {
                    // The crash came after the rename: the archive holds these bytes already.
                    try FileSystem.remove(plain)
                    try FileSystem.syncDirectory(dir)
                    report.recovered.append(.init(path: plain, action: .removedArchivedPlain))
                    return
                }
                earlier = reader.total
                if let last = reader.members.last, last.length < plainSum.length,
                    try Self.checksum(fd: fd, path: plain, prefix: last.length) == last
                {
                    // The crash came after the rename, and lines were appended to the plain file
                    // before this run: the archive holds its start, only the rest is new.
                    start = last.length
                }
            } else {
                let aside = Self.freeName("\(archive).corrupt")
                if rename(archive, aside) != 0 {
                    throw FileSystem.error("set aside corrupt archive", path: archive, errno: errno)
                }
                try FileSystem.syncDirectory(dir)
                report.recovered.append(.init(path: aside, action: .setAsideCorrupt))
            }
        }
        guard day.archiveWanted else { return }
        progress.current = plain
        let archived = try compress(
            fd: fd,
            plain: plain,
            archive: archive,
            temporary: temporary,
            earlier: earlier,
            from: start,
            progress: &progress
        )
        report.archived.append(archived)
    }

    private func compress(
        fd: Int32,
        plain: String,
        archive: String,
        temporary: String,
        earlier: Checksum?,
        from start: Int64 = 0,
        progress: inout ArchiveProgress
    ) throws(LedgerError) -> ArchiveReport.Archived {
        let dir = FileSystem.parentPath(plain)
        let out = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard out >= 0 else { throw FileSystem.error("create", path: temporary, errno: errno) }
        var outOpen = true
        var done = false
        defer {
            if outOpen { close(out) }
            // Anything short of the rename leaves the plain file as the only copy: drop the half archive.
            if !done { unlink(temporary) }
        }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { chunk.deallocate() }
        if earlier != nil {
            // Late events: a copy of the archive plus a new member, so the archive itself is never
            // written to, only replaced whole by a verified file.
            let source = try FileByteSource(path: archive)
            while true {
                let n = try source.read(into: chunk)
                if n == 0 { break }
                let result = FileSystem.writeAll(out, UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
                if let code = result.errno { throw FileSystem.error("write", path: temporary, errno: code) }
            }
        }
        let startSize = Int64(lseek(out, 0, SEEK_CUR))
        let writer = try GzipWriter(fd: out, path: temporary, level: options.compressionLevel)
        if lseek(fd, off_t(start), SEEK_SET) < 0 { throw FileSystem.error("seek in", path: plain, errno: errno) }
        let source = FileByteSource(fd: fd, path: plain)
        var signalledPartial = false
        while true {
            if shouldStop?() == true {
                throw LedgerError(.archiveStopped, "archiving stopped before \(plain) was done; it stays plain")
            }
            let n = try source.read(into: chunk)
            if n == 0 { break }
            try writer.write(UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
            progress.bytesDone += Int64(n)
            onProgress?(progress)
            if !signalledPartial && writer.written > 0 {
                signalledPartial = true
                onStep?(.partlyWritten, plain)
            }
        }
        try writer.finish()
        if !signalledPartial { onStep?(.partlyWritten, plain) }
        onStep?(.written, plain)
        try FileSystem.sync(out, path: temporary)
        onStep?(.synced, plain)
        close(out)
        outOpen = false

        let source2 = writer.input
        let expected = earlier.map { $0.followed(by: source2) } ?? source2
        let check = try GzipReader(path: temporary, tracksChecksums: true)
        do throws(LedgerError) {
            try check.readToEnd()
        } catch {
            throw LedgerError(
                .archiveVerificationFailed,
                "the archive written for \(plain) does not decompress; the plain file is kept",
                cause: error.description
            )
        }
        guard check.total == expected, check.members.last == source2 else {
            throw LedgerError(
                .archiveVerificationFailed,
                "the archive written for \(plain) does not match it; the plain file is kept",
                cause: "expected \(expected), the archive holds \(check.total)"
            )
        }
        onStep?(.verified, plain)
        if rename(temporary, archive) != 0 {
            throw FileSystem.error("rename \(temporary) to", path: archive, errno: errno)
        }
        done = true
        onStep?(.renamed, plain)
        try FileSystem.syncDirectory(dir)
        onStep?(.folderSynced, plain)
        try FileSystem.remove(plain)
        try FileSystem.syncDirectory(dir)
        onStep?(.removed, plain)
        let endSize = FileSystem.fileSize(archive) ?? startSize
        return ArchiveReport.Archived(
            source: plain,
            archive: archive,
            bytesIn: source2.length,
            bytesOut: endSize - startSize,
            appended: earlier != nil
        )
    }

    /// The checksum of an open file's bytes, from its start.
    /// The checksum of the first `length` bytes of an open file, or `nil` when it is shorter.
    static func checksum(fd: Int32, path: String, prefix length: Int64) throws(LedgerError) -> Checksum? {
        if lseek(fd, 0, SEEK_SET) < 0 { throw FileSystem.error("seek in", path: path, errno: errno) }
        var sum = Checksum()
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { chunk.deallocate() }
        var left = length
        while left > 0 {
            let n = read(fd, chunk.baseAddress, min(chunk.count, Int(left)))
            if n < 0 {
                if errno == EINTR { continue }
                throw FileSystem.error("read", path: path, errno: errno)
            }
            if n == 0 { return nil }
            sum.update(UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
            left -= Int64(n)
        }
        return sum
    }

    static func checksum(fd: Int32, path: String) throws(LedgerError) -> Checksum {
        if lseek(fd, 0, SEEK_SET) < 0 { throw FileSystem.error("seek in", path: path, errno: errno) }
        return try Checksum.of(FileByteSource(fd: fd, path: path))
    }

    /// `path`, or `path.1`, `path.2`, … whichever does not exist yet.
    static func freeName(_ path: String) -> String {
        if !FileSystem.exists(path) { return path }
        var n = 1
        while FileSystem.exists("\(path).\(n)") { n += 1 }
        return "\(path).\(n)"
    }
}
