import AgentLedger
import LedgerTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The git side under hostile input and interrupted commits: ids and messages that look like options
/// do nothing, a stale `index.lock` is recovered, and `git fsck` stays clean.
@Suite struct GitHostileTests {
    @Test func idsAndMessagesThatLookLikeOptionsOrPathsDoNothing() async throws {
        let fx = try await GitFixture.make()
        defer { fx.remove() }
        let marker = fx.directory.join("pwned")
        let repo = ["--repo", fx.repo]
        let first = try await AgentLedgerBinary.runAsync(["chat", "send", "first"] + repo)
        #expect(first.status == 0, "\(first.stderr)")
        let head = try await fx.gitAsync("rev-parse", "refs/heads/scp-ledger")
        let refs = try await fx.gitAsync("for-each-ref")
        for bad in [
            ["runs", "record", "--type", "--upload-pack=touch \(marker)"],
            ["runs", "record", "--type", "apply;touch \(marker)"],
            ["runs", "record", "--type", "../../x"],
            ["runs", "show", "--output=\(marker)"],
            ["runs", "show", "../../../etc/passwd"],
            ["chat", "send", "x", "--run", "--output=\(marker)"],
            ["chat", "send", "x", "--run", "../../HEAD"],
            ["chat", "send", "x", "--thread", "../../../x"],
            ["chat", "send", "x", "--thread", "-n"],
            ["chat", "list", "--thread", "$(touch \(marker))"],
        ] {
            let out = try await AgentLedgerBinary.runAsync(bad + repo)
            #expect(out.status != 0, "\(bad) was accepted: \(out.stdout)")
            #expect(!out.stderr.isEmpty, "\(bad)")
        }
        #expect(try await fx.gitAsync("rev-parse", "refs/heads/scp-ledger") == head)
        #expect(try await fx.gitAsync("for-each-ref") == refs)
        // Messages are data, never arguments: stored as given.
        let texts = ["--exec=touch \(marker)", "-n", "$(touch \(marker))", "`touch \(marker)`", "a\nb\u{0}c"]
        for text in texts {
            let out = try await AgentLedgerBinary.runAsync(["chat", "send"] + repo + ["--", text])
            #expect(out.status == 0 || text.contains("\u{0}"), "\(Identifiers.quoted(text)): \(out.stderr)")
        }
        let list = try await AgentLedgerBinary.runAsync(["chat", "list", "-n", "0", "--json"] + repo)
        let listed = try #require(try JSONParser.parse(list.stdout).arrayValue).compactMap { $0["text"]?.stringValue }
        for text in texts where !text.contains("\u{0}") { #expect(listed.contains(text), "\(text)") }
        #expect(!FileSystem.exists(marker))
        let fsck = try await Shell.runAsync(["git", "-C", fx.repo, "fsck", "--strict", "--no-dangling"])
        #expect(fsck.status == 0, "\(fsck.stdout) \(fsck.stderr)")
    }

    @Test func aStaleIndexLockLeftByAKilledCommitIsRecovered() async throws {
        let fx = try await GitFixture.make()
        defer { fx.remove() }
        let repo = ["--repo", fx.repo]
        let first = try await AgentLedgerBinary.runAsync(["runs", "record", "--type", "apply"] + repo)
        #expect(first.status == 0, "\(first.stderr)")
        let dotGit = try readFile(fx.repo + "/.scp-ledger/.git")
        let gitDir = String(dotGit.dropFirst("gitdir: ".count).prefix { $0 != "\n" })
        let lock = gitDir.hasPrefix("/") ? "\(gitDir)/index.lock" : "\(fx.repo)/.scp-ledger/\(gitDir)/index.lock"
        // What a git killed mid-commit leaves: an index.lock, an hour old.
        try await GitFixture.writeAsync(lock, "")
        var times = [timespec(tv_sec: time(nil) - 3600, tv_nsec: 0), timespec(tv_sec: time(nil) - 3600, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, lock, &times, 0) == 0)
        let second = try await AgentLedgerBinary.runAsync(["runs", "record", "--type", "apply"] + repo)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(!FileSystem.exists(lock))
        let runs = try await fx.gitAsync("log", "--oneline", "refs/heads/scp-ledger")
        #expect(runs.split(separator: "\n").count >= 2)
        let fsck = try await Shell.runAsync(["git", "-C", fx.repo, "fsck", "--strict", "--no-dangling"])
        #expect(fsck.status == 0, "\(fsck.stdout) \(fsck.stderr)")
    }
}
