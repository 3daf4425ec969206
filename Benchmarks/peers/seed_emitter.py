#!/usr/bin/env python3
"""The seed's own emitter design (seed 003, event_emitter.py) as a peer, in two variants.

  seed   emit_event builds a dict, json.dumps it, takes a threading.Lock, and opens the agent's
         file in append mode, writes the line and closes it, for every event ("Thread-safe JSONL
         append"; the line is in the file when emit returns).
  queue  the standard library's queue-based buffering: the caller json.dumps the line and logs it
         through a logging.handlers.QueueHandler; one QueueListener thread writes to one
         FileHandler per agent (each with a filter on the agent's logger name).

Usage: seed_emitter.py {seed,queue} DIR EVENTS AGENTS
Writes DIR/agent-N.jsonl and prints one JSON object with the time from the first event to the end of
the final write and close. The line has the same fields as agent-ledger bench's.
"""
import json
import logging
import logging.handlers
import os
import queue
import random
import sys
import threading
import time
from datetime import datetime, timezone

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(now):
    millis = int(now.timestamp() * 1000)
    bits = (millis << 80) | random.getrandbits(80)
    return "".join(CROCKFORD[(bits >> (5 * i)) & 31] for i in range(25, -1, -1))


def build_event(agent, session, seq):
    now = datetime.now(timezone.utc)
    return {
        "ts": now.isoformat(timespec="milliseconds"),
        "id": new_id(now),
        "agent": agent,
        "session_id": session,
        "event": "task_result",
        "task_id": "wo-%07d" % seq,
        "source": "gg_orchestrator",
        "summary": "Completed layout SPEC + PLAN for the ledger app",
        "data": {"status": "success", "duration_sec": 1, "seq": seq},
    }


class SeedEmitter:
    """Seed 003's design: a lock, and open/append/close per event."""

    def __init__(self, directory):
        self.directory = directory
        self.lock = threading.Lock()

    def emit_event(self, agent, session, seq):
        line = json.dumps(build_event(agent, session, seq), ensure_ascii=False)
        with self.lock:
            with open(os.path.join(self.directory, agent + ".jsonl"), "a", encoding="utf-8") as f:
                f.write(line + "\n")


def run_seed(directory, events, agents, names, sessions):
    emitter = SeedEmitter(directory)
    start = time.perf_counter()
    for seq in range(events):
        a = seq % agents
        emitter.emit_event(names[a], sessions[a], seq)
    return time.perf_counter() - start


def run_queue(directory, events, agents, names, sessions):
    q = queue.SimpleQueue()
    handlers = []
    loggers = []
    for name in names:
        h = logging.FileHandler(os.path.join(directory, name + ".jsonl"), mode="a", encoding="utf-8")
        h.setFormatter(logging.Formatter("%(message)s"))
        h.addFilter(logging.Filter("bench." + name))
        handlers.append(h)
        logger = logging.getLogger("bench." + name)
        logger.propagate = False
        logger.setLevel(logging.INFO)
        logger.addHandler(logging.handlers.QueueHandler(q))
        loggers.append(logger)
    listener = logging.handlers.QueueListener(q, *handlers, respect_handler_level=False)
    listener.start()
    start = time.perf_counter()
    for seq in range(events):
        a = seq % agents
        loggers[a].info(json.dumps(build_event(names[a], sessions[a], seq), ensure_ascii=False))
    listener.stop()  # processes everything queued, then joins the listener thread
    for h in handlers:
        h.close()
    return time.perf_counter() - start


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("seed", "queue"):
        print("usage: seed_emitter.py {seed,queue} DIR EVENTS AGENTS", file=sys.stderr)
        return 64
    variant, directory, events, agents = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if events < 1 or agents < 1:
        print("seed_emitter.py: EVENTS and AGENTS must be at least 1", file=sys.stderr)
        return 64
    day = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    names = ["agent-%d" % (a + 1) for a in range(agents)]
    sessions = ["%s_%s_001" % (day, n) for n in names]
    run = run_seed if variant == "seed" else run_queue
    seconds = run(directory, events, agents, names, sessions)
    print(json.dumps({"peer": "python_" + variant, "events": events, "agents": agents, "seconds": round(seconds, 6),
                      "events_per_sec": round(events / seconds)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
