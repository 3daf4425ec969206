/// The event types the seeds define, in one list. Unknown types are accepted unless strict mode is on.
public enum EventCatalog {
    /// A group of event types with where it comes from.
    public struct Group: Sendable {
        public var name: String
        public var origin: String
        public var types: [String]
    }

    /// Every known event type, grouped as the seeds group them.
    public static let groups: [Group] = [
        Group(
            name: "Agent ledger",
            origin: "seed 000 §6",
            types: ["heartbeat", "task_start", "task_result", "error", "info", "lesson"]
        ),
        Group(
            name: "Sessions",
            origin: "seed 003 §3",
            types: ["session_start", "session_end", "persona_activated", "persona_switched"]
        ),
        Group(
            name: "Core AGI lifecycle",
            origin: "seed 003 §3",
            types: [
                "task_started", "task_completed", "task_failed", "thesis_start", "thesis_end",
                "synthesis_start", "synthesis_end", "eval", "rune", "replan",
            ]
        ),
        Group(
            name: "Evidence and RAG",
            origin: "seed 003 §3",
            types: ["evidence_search", "evidence_added", "evidence_rejected", "rag_retrieval", "citation_added"]
        ),
        Group(
            name: "Self-correction",
            origin: "seed 003 §3",
            types: ["second_pass", "quality_check", "confidence_check", "evidence_correction"]
        ),
        Group(
            name: "System operations",
            origin: "seed 003 §3",
            types: ["system_startup", "system_shutdown", "health_check", "performance_metric", "monitoring_snapshot"]
        ),
        Group(
            name: "Infrastructure",
            origin: "seed 003 §3",
            types: ["migration", "deployment", "rollback", "configuration_change", "scale_event"]
        ),
        Group(
            name: "BQI learning",
            origin: "seed 003 §3",
            types: ["bqi_pattern_learned", "bqi_rule_applied", "binoche_decision", "ensemble_update"]
        ),
        Group(
            name: "Monitoring and alerts",
            origin: "seed 003 §3",
            types: ["alert_triggered", "alert_resolved", "threshold_exceeded", "anomaly_detected"]
        ),
        Group(
            name: "Scripts and ChatOps",
            origin: "seed 003 §2",
            types: ["session_harvest_completed", "chatops_command", "test_event"]
        ),
        Group(
            name: "Event bus",
            origin: "seed 001 §2",
            types: ["agent.spawn", "agent.error", "approval.request"]
        ),
        Group(
            name: "Guidance",
            origin: "seed 001 §5",
            types: ["guidance.append", "guidance.list", "guidance.delete.requested"]
        ),
        Group(
            name: "Approvals",
            origin: "seed 001 §6",
            types: [
                "approval.workspace_trust", "approval.permission.toggle", "approval.plan.review",
                "approval.policy.set",
            ]
        ),
        Group(
            name: "Git ledger and chat",
            origin: "seed 004",
            types: ["ledger:run", "chat:message"]
        ),
        Group(
            name: "The ledger's own health",
            origin: "AgentLedger",
            types: ["ledger.dropped", "ledger.degraded", "ledger.recovered", "ledger.sealed"]
        ),
    ]

    /// Every known type.
    public static let all: Set<String> = Set(groups.flatMap(\.types))

    /// Whether `type` is in the catalogue.
    public static func contains(_ type: String) -> Bool { all.contains(type) }
}
