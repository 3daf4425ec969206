#!/usr/bin/env python3
"""Checks one benchmark run's files: every line parses as JSON, each agent's file holds exactly its
task_result lines (seq % AGENTS == agent index), every seq from 0 to EVENTS-1 appears exactly once,
and for an agent-ledger root the drops recorded in `ledger.dropped` lines equal the drops reported.

Usage: verify_run.py DIR EVENTS AGENTS [--dropped N]
DIR is either a peer's folder (DIR/agent-N.jsonl) or an agent-ledger root (DIR/g/ledger/agent-N/*.jsonl).
Prints one JSON object; exits 1 when the run does not verify.
"""
import glob
import json
import os
import sys


def files_for(directory, agent):
    flat = os.path.join(directory, agent + ".jsonl")
    if os.path.exists(flat):
        return [flat]
    return sorted(glob.glob(os.path.join(directory, "g", "ledger", agent, "*.jsonl")))


def verify(directory, events, agents, dropped):
    seen = bytearray(events)
    problems = []
    lines = 0
    recorded_drops = 0
    counts = {}
    for a in range(agents):
        agent = "agent-%d" % (a + 1)
        paths = files_for(directory, agent)
        if not paths:
            problems.append("%s: no file" % agent)
            continue
        count = 0
        for path in paths:
            with open(path, "rb") as f:
                for number, raw in enumerate(f, 1):
                    lines += 1
                    if not raw.endswith(b"\n"):
                        problems.append("%s:%d: line without a newline" % (path, number))
                    try:
                        e = json.loads(raw)
                    except ValueError as error:
                        problems.append("%s:%d: not JSON (%s)" % (path, number, error))
                        continue
                    kind = e.get("event")
                    if kind == "ledger.dropped":
                        recorded_drops += int(e.get("data", {}).get("dropped", 0))
                        continue
                    if kind != "task_result":
                        continue
                    seq = e.get("data", {}).get("seq")
                    if not isinstance(seq, int) or seq < 0 or seq >= events:
                        problems.append("%s:%d: seq %r out of range" % (path, number, seq))
                    elif seq % agents != a or e.get("agent") != agent:
                        problems.append("%s:%d: seq %d in the wrong agent's file" % (path, number, seq))
                    elif seen[seq]:
                        problems.append("%s:%d: seq %d twice" % (path, number, seq))
                    else:
                        seen[seq] = 1
                        count += 1
        counts[agent] = count
    missing = events - sum(seen)
    if missing != dropped:
        first = [i for i in range(events) if not seen[i]][:5]
        problems.append("%d seq missing (first %s), %d reported dropped" % (missing, first, dropped))
    if recorded_drops != dropped:
        problems.append("ledger.dropped lines record %d drops, %d reported dropped" % (recorded_drops, dropped))
    return {
        "ok": not problems,
        "lines": lines,
        "per_agent": counts,
        "missing": missing,
        "recorded_drops": recorded_drops,
        "problems": problems[:10],
    }


def main():
    args = sys.argv[1:]
    dropped = 0
    if "--dropped" in args:
        i = args.index("--dropped")
        dropped = int(args[i + 1])
        del args[i : i + 2]
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        return 64
    result = verify(args[0], int(args[1]), int(args[2]), dropped)
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
