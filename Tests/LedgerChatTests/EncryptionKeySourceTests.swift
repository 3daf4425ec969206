import LedgerCore
import LedgerTestSupport
import Testing

@testable import LedgerChat

@Suite struct EncryptionKeySourceTests {
    @Test func readsDotEnvLines() {
        let text = """
            # the vault key
            OTHER=1
            export CONTENT_VAULT_ENC_KEY="quoted value # not a comment"
            """
        #expect(
            EncryptionKeySource.value(of: "CONTENT_VAULT_ENC_KEY", inDotEnv: text) == "quoted value # not a comment"
        )
        #expect(EncryptionKeySource.value(of: "K", inDotEnv: "K=plain # comment\n") == "plain")
        #expect(EncryptionKeySource.value(of: "K", inDotEnv: "K='single'\r\n") == "single")
        #expect(EncryptionKeySource.value(of: "K", inDotEnv: "K=a\nK=b\n") == "b")
        #expect(EncryptionKeySource.value(of: "K", inDotEnv: "KEY=x\n#K=y\n") == nil)
        #expect(EncryptionKeySource.value(of: "K", inDotEnv: " K = spaced \n") == "spaced")
    }

    @Test func theEnvironmentWinsOverDotEnv() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await GitFixture.writeAsync(dir.join(".env"), "CONTENT_VAULT_ENC_KEY=from-file\n")
        #expect(try EncryptionKeySource(environment: [:]).passphrase(inFolder: dir.path) == "from-file")
        let env = EncryptionKeySource(environment: ["CONTENT_VAULT_ENC_KEY": "from-env"])
        #expect(try env.passphrase(inFolder: dir.path) == "from-env")
        #expect(try EncryptionKeySource(environment: [:]).passphrase(inFolder: dir.join("missing")) == nil)
        try await GitFixture.writeAsync(dir.join(".env"), "CONTENT_VAULT_ENC_KEY=\n")
        #expect(try EncryptionKeySource(environment: [:]).passphrase(inFolder: dir.path) == nil)
    }
}
