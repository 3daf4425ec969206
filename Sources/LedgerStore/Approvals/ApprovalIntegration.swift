import LedgerCore

/// The external tools whose approval preferences seed 001 §6 records, each with its event type.
///
/// | integration | names accepted | event type |
/// |---|---|---|
/// | VS Code Workspace Trust | `vscode`, `workspace-trust` | `approval.workspace_trust` |
/// | Claude Code Permissions | `claude-code`, `claude` | `approval.permission.toggle` |
/// | Gemini CLI Agent Mode | `gemini-cli`, `gemini` | `approval.plan.review` |
/// | OpenAI Codex CLI | `codex-cli`, `codex` | `approval.policy.set` |
///
/// The event type is chosen by the integration alone, as the seed's table does; the event type itself
/// is accepted as a name too.
public enum ApprovalIntegration: String, Sendable, Hashable, CaseIterable {
    case vscode
    case claudeCode = "claude-code"
    case geminiCLI = "gemini-cli"
    case codexCLI = "codex-cli"

    /// The event that records a preference of this integration.
    public var eventType: String {
        switch self {
        case .vscode: "approval.workspace_trust"
        case .claudeCode: "approval.permission.toggle"
        case .geminiCLI: "approval.plan.review"
        case .codexCLI: "approval.policy.set"
        }
    }

    /// What the seed calls it.
    public var title: String {
        switch self {
        case .vscode: "VS Code Workspace Trust"
        case .claudeCode: "Claude Code Permissions"
        case .geminiCLI: "Gemini CLI Agent Mode"
        case .codexCLI: "OpenAI Codex CLI"
        }
    }

    /// Every name accepted for it, its canonical name first.
    public var names: [String] {
        switch self {
        case .vscode: ["vscode", "workspace-trust", eventType]
        case .claudeCode: ["claude-code", "claude", eventType]
        case .geminiCLI: ["gemini-cli", "gemini", eventType]
        case .codexCLI: ["codex-cli", "codex", eventType]
        }
    }

    /// The integration a name means (case-insensitive, `_` read as `-`).
    ///
    /// - Throws: `invalidField` listing the names that are accepted.
    public static func named(_ text: String) throws(LedgerError) -> ApprovalIntegration {
        let key = text.lowercased()
        for i in allCases where i.names.contains(where: { $0 == key || $0 == key.replacingUnderscores }) {
            return i
        }
        let known = allCases.map { "\($0.rawValue) (\($0.title))" }.joined(separator: ", ")
        throw LedgerError(
            .invalidField,
            "unknown integration \(Identifiers.quoted(text)): use one of \(known)"
        )
    }
}

extension String {
    fileprivate var replacingUnderscores: String {
        String(map { $0 == "_" ? "-" : $0 })
    }
}
