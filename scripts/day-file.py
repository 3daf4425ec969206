#!/usr/bin/env python3
"""Writes one synthetic agent day file for read benchmarks: ledger lines shaped like
`agent-ledger bench` events (about 280 bytes), with `ts` spread evenly over the whole day.

    scripts/day-file.py --root /tmp/seek --agent cls --date 2025-11-16 --bytes 1g
"""
import argparse
import os
import random


def size(text):
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    return int(text[:-1]) * units[text[-1].lower()] if text[-1].lower() in units else int(text)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--agent", default="cls")
    p.add_argument("--date", default="2025-11-16")
    p.add_argument("--bytes", default="1g")
    a = p.parse_args()
    target = size(a.bytes)
    line_size = 280
    count = max(1, target // line_size)
    folder = os.path.join(a.root, "g", "ledger", a.agent)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, a.date + ".jsonl")
    step_ms = 86_400_000 / count
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32, as ids are written
    rng = random.Random(1)
    with open(path, "w", buffering=1 << 20) as f:
        for i in range(count):
            ms = int(i * step_ms)
            h, rem = divmod(ms, 3_600_000)
            m, rem = divmod(rem, 60_000)
            s, msec = divmod(rem, 1000)
            ident = "01KA" + "".join(rng.choice(alphabet) for _ in range(22))
            f.write(
                f'{{"ts":"{a.date}T{h:02d}:{m:02d}:{s:02d}.{msec:03d}+00:00","id":"{ident}","agent":"{a.agent}",'
                f'"session_id":"{a.date}_{a.agent}_001","event":"task_result","task_id":"wo-{i % 1000}",'
                f'"source":"bench","summary":"Finished step {i}","data":{{"status":"success",'
                f'"duration_sec":{i % 600},"seq":{i}}}}}\n'
            )
    print(path, os.path.getsize(path), count)


if __name__ == "__main__":
    main()
