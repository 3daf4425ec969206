#!/usr/bin/env bash
# AgentLedger side by side with the peers users would otherwise pick, in one run on one machine.
#
#   Benchmarks/compare.sh                               # 3 rounds, 2,000,000 events (100,000 for Python)
#   Benchmarks/compare.sh --rounds 1 --events 200000    # the quick check
#
# Builds what it needs (apt-get installs libspdlog-dev and libfmt-dev when missing; agent-ledger in
# release; the peers with gcc/g++ -O2), then runs the same workload round by round, configurations
# interleaved: ~300-byte task_result JSON lines built per event (ts, id, agent, session_id, event,
# task_id, source, summary, data {status, duration_sec, seq}), 4 agents round robin, timed from the
# first event to the end of the final flush and close. Every run is verified afterwards by
# Benchmarks/peers/verify_run.py (line counts per agent, every line parses, every seq exactly once);
# a run that does not verify is marked failed. Then the other targets of the comparison: emit latency,
# memory under overload, `agent-ledger emit` as a new process, and the recording delay.
#
# Besides the peers, two floors for sync mode (Benchmarks/peers/c_ceiling.c): one write() per line, and
# per line the flock/statx/write/unlock that sync mode does to share a day file with other processes.
# Before and after every run, Benchmarks/peers/handoff.c measures how long a cache line takes to pass
# between the two cores (it changes with where the host runs the machine's CPUs); each run records
# it, and the 2-producer rounds are listed with it.
#
# Prints a table (median and min–max over the rounds) and writes every raw figure as JSON to
# --results (default Benchmarks/results/compare-<UTC time>.json).
#
# Options: --rounds N (default 3), --events N (default 2000000), --python-events N (default events/20),
#          --results FILE, --skip-targets (only the comparison table).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

rounds=3
events=2000000
python_events=""
results=""
targets=1
usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; }
number() {
  [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: $1 needs a positive whole number, got '$2'" >&2; exit 64; }
}
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) number "$1" "${2-}"; rounds=$2; shift 2 ;;
    --events) number "$1" "${2-}"; events=$2; shift 2 ;;
    --python-events) number "$1" "${2-}"; python_events=$2; shift 2 ;;
    --results) [ -n "${2-}" ] || { echo "compare.sh: --results needs a file name" >&2; exit 64; }; results=$2; shift 2 ;;
    --skip-targets) targets=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "compare.sh: unknown option '$1' (see --help)" >&2; exit 64 ;;
  esac
done
[ -n "$python_events" ] || python_events=$(( events / 20 > 0 ? events / 20 : 1 ))
[ -n "$results" ] || results="Benchmarks/results/compare-$(date -u +%Y%m%dT%H%M%SZ).json"
case "$results" in /*) ;; *) results="$repo/$results" ;; esac
mkdir -p "$(dirname "$results")"

say() { printf '%s\n' "$*" >&2; }

# --- dependencies and builds ---
missing=()
for p in libspdlog-dev libfmt-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} with apt-get"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get install -y "${missing[@]}" >/dev/null 2>&1 \
    || { "${sudo_cmd[@]}" apt-get update >/dev/null && "${sudo_cmd[@]}" apt-get install -y "${missing[@]}" >/dev/null; }
fi
# The binary the README recommends for installing the tool: the Swift runtime and Foundation linked in
# (a faster start for `agent-ledger emit`, and direct calls into the runtime on the emit path).
say "building agent-ledger (release, --static-swift-stdlib)"
swift build -c release --static-swift-stdlib --product agent-ledger >&2
bin="$repo/.build/release/agent-ledger"

work=$(mktemp -d /tmp/agent-ledger-compare-XXXXXX)
trap 'rm -rf "$work"' EXIT
say "building the peers in $work"
gcc -O2 -Wall -o "$work/c_ceiling" Benchmarks/peers/c_ceiling.c
gcc -O2 -Wall -pthread -o "$work/handoff" Benchmarks/peers/handoff.c
# shellcheck disable=SC2046
g++ -O2 -std=c++17 -Wall -o "$work/spdlog_bench" Benchmarks/peers/spdlog_bench.cpp $(pkg-config --cflags --libs spdlog)
verify="$repo/Benchmarks/peers/verify_run.py"
seed="$repo/Benchmarks/peers/seed_emitter.py"
raw="$work/raw.jsonl"
: >"$raw"

# name|kind|events|arguments. AgentLedger blocks up to 60 s (its limit) when its queue is full, like spdlog's
# block policy, so that a run never drops (a drop fails verification).
configs=(
  "agentledger async 1p|ledger|$events|--mode async --producers 1"
  "agentledger async 2p|ledger|$events|--mode async --producers 2"
  "agentledger sync|ledger|$events|--mode sync --producers 1"
  "agentledger durable|ledger|$events|--mode async --producers 1 --fsync batch --flush-interval 1"
  "spdlog async|spdlog|$events|"
  "c ceiling|c|$events|buffered"
  "c write per line|c|$events|line"
  "c flock+statx+write per line|c|$events|locked-line"
  "python seed|python|$python_events|seed"
  "python queue|python|$python_events|queue"
)

# How long a cache line takes to pass between two cores right now (see peers/handoff.c); null on a
# machine with one core, where the probe's two spinning threads would take turns on it.
handoff() {
  if [ "$(nproc)" -ge 2 ]; then
    timeout 10 "$work/handoff" | python3 -c 'import json,sys; print(json.load(sys.stdin)["handoff_ns"])' 2>/dev/null || echo null
  else
    echo null
  fi
}

# Runs one configuration once in an empty folder, verifies it, appends one JSON record to $raw.
run_one() {
  local round=$1 name=$2 kind=$3 n=$4 args=$5 dir="$work/run" out status=0 dropped=0 check vstatus=0 before after
  rm -rf "$dir" && mkdir -p "$dir"
  before=$(handoff)
  case "$kind" in
    ledger)
      # shellcheck disable=SC2086
      out=$(cd "$work" && "$bin" bench --events "$n" --agents 4 --root "$dir" --block-timeout 60 --json $args) || status=$?
      dropped=$(printf '%s' "$out" | python3 -c 'import json,sys
try: print(json.load(sys.stdin)["dropped"])
except Exception: print(0)') ;;
    spdlog) out=$("$work/spdlog_bench" "$dir" "$n" 4) || status=$? ;;
    c) out=$("$work/c_ceiling" "$dir" "$n" 4 "$args") || status=$? ;;
    python) out=$(python3 "$seed" "$args" "$dir" "$n" 4) || status=$? ;;
  esac
  after=$(handoff)
  [ -n "$out" ] || out='{}'
  check=$(python3 "$verify" "$dir" "$n" 4 --dropped "$dropped") || vstatus=$?
  [ -n "$check" ] || check='{"ok": false}'
  python3 - "$round" "$name" "$n" "$status" "$vstatus" "$out" "$check" "$before" "$after" >>"$raw" <<'PY'
import json, os, sys
round_, name, n, status, vstatus, out, check, before, after = sys.argv[1:]
try:
    run = json.loads(out)
except ValueError:
    run = {"output": out}
record = {"round": int(round_), "config": name, "events": int(n), "exit": int(status), "run": run,
          "verify": json.loads(check), "load_average_1m": os.getloadavg()[0],
          "handoff_ns": [json.loads(before), json.loads(after)]}
record["ok"] = record["exit"] == 0 and int(vstatus) == 0 and record["verify"].get("ok") is True
print(json.dumps(record))
PY
  python3 - "$round" "$name" "$(tail -1 "$raw")" >&2 <<'PY'
import json, sys
r = json.loads(sys.argv[3])
print("  round %s  %-30s %12s events/s  handoff %s ns  %s" % (
    sys.argv[1], sys.argv[2], format(round(r["run"].get("events_per_sec", 0)), ","),
    "/".join("?" if h is None else "%.0f" % h for h in r["handoff_ns"]),
    "ok" if r["ok"] else "FAILED " + "; ".join(r["verify"].get("problems", [])[:2])))
PY
  rm -rf "$dir"
}

say "workload: 4 agents, $events events ($python_events for Python), $rounds round(s)"
for r in $(seq 1 "$rounds"); do
  for c in "${configs[@]}"; do
    IFS='|' read -r name kind n args <<<"$c"
    run_one "$r" "$name" "$kind" "$n" "$args"
  done
done

# --- the other targets ---
extra="$work/targets.json"
echo '{}' >"$extra"
if [ "$targets" -eq 1 ]; then
  say "memory under overload: 2 producers, queue 1,024 events / 1 MiB, batches of 512, dropNewest, fsync after each batch"
  dir="$work/overload"; mkdir -p "$dir"
  overload=$(cd "$work" && "$bin" bench --events "$events" --agents 4 --producers 2 --root "$dir" \
    --buffer-size 1024 --buffer-bytes 1048576 --batch-size 512 --overflow dropNewest --fsync batch --verify --json) || true
  rm -rf "$dir"

  say "recording delay: 3,000 events at 1,000/s, default flush interval"
  dir="$work/delay"; mkdir -p "$dir"
  delay=$(cd "$work" && "$bin" bench --record-delay --events 3000 --rate 1000 --root "$dir" --json) || true
  rm -rf "$dir"

  say "agent-ledger emit of one event as a new process"
  dir="$work/emit"; mkdir -p "$dir"
  cmd="$bin emit heartbeat --agent bench --root $dir"
  if command -v hyperfine >/dev/null; then
    (cd "$work" && hyperfine -N --warmup 5 --runs 100 --export-json "$work/emit.json" "$cmd" >/dev/null 2>&1) || true
    emit_process=$(python3 -c 'import json,statistics,sys
t=json.load(open(sys.argv[1]))["results"][0]["times"]
print(json.dumps({"tool":"hyperfine -N --warmup 5 --runs 100","runs":len(t),"median_s":statistics.median(t),"min_s":min(t),"max_s":max(t)}))' "$work/emit.json" 2>/dev/null || echo '{}')
  else
    emit_process=$(cd "$work" && python3 - "$bin" "$dir" <<'PY'
import json, statistics, subprocess, sys, time
times = []
for i in range(105):
    t = time.perf_counter()
    subprocess.run([sys.argv[1], "emit", "heartbeat", "--agent", "bench", "--root", sys.argv[2]], check=True)
    if i >= 5:
        times.append(time.perf_counter() - t)
print(json.dumps({"tool": "python loop, 5 warm-up + 100 runs", "runs": len(times),
                  "median_s": statistics.median(times), "min_s": min(times), "max_s": max(times)}))
PY
    ) || emit_process='{}'
  fi
  rm -rf "$dir"
  python3 - "$extra" "${overload:-}" "${delay:-}" "${emit_process:-}" <<'PY'
import json, sys
def load(s):
    try:
        return json.loads(s)
    except ValueError:
        return {"output": s}
json.dump({"overload": load(sys.argv[2]), "record_delay": load(sys.argv[3]), "emit_process": load(sys.argv[4])},
          open(sys.argv[1], "w"))
PY
fi

# --- the table, the targets, the results file ---
python3 - "$raw" "$extra" "$results" "$rounds" "$events" "$python_events" "$bin" <<'PY'
import json, os, platform, re, statistics, subprocess, sys, time
raw, extra, results, rounds, events, python_events, binary = sys.argv[1:]
records = [json.loads(l) for l in open(raw)]
targets = json.load(open(extra))

def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
machine = {"nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release(), "load_average": os.getloadavg(),
           "swift": sh("swift --version 2>&1 | head -1"), "gcc": sh("gcc --version | head -1"),
           "spdlog": sh("dpkg-query -W -f='${Version}' libspdlog-dev"), "fmt": sh("dpkg-query -W -f='${Version}' libfmt-dev"),
           "python": platform.python_version(), "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}

order = []
for r in records:
    if r["config"] not in order:
        order.append(r["config"])
summary = {}
for name in order:
    rs = [r for r in records if r["config"] == name]
    ok = [r for r in rs if r["ok"]]
    eps = [r["run"]["events_per_sec"] for r in ok]
    s = {"runs": len(rs), "verified": len(ok), "events": rs[0]["events"]}
    if eps:
        s.update(median=statistics.median(eps), min=min(eps), max=max(eps))
    for k in ("p50_ns", "p99_ns", "p999_ns"):
        vals = [r["run"][k] for r in ok if k in r["run"]]
        if vals:
            s[k] = statistics.median(vals)
    summary[name] = s

def med(name):
    return summary.get(name, {}).get("median")

def ratio(a, b):
    return med(a) / med(b) if med(a) and med(b) else None

ratios = {
    "agentledger async 1p / spdlog async": ratio("agentledger async 1p", "spdlog async"),
    "agentledger async 2p / spdlog async": ratio("agentledger async 2p", "spdlog async"),
    "agentledger sync / python seed": ratio("agentledger sync", "python seed"),
    "agentledger async 1p / c ceiling": ratio("agentledger async 1p", "c ceiling"),
    "agentledger sync / c flock+statx+write per line": ratio("agentledger sync", "c flock+statx+write per line"),
    "c flock+statx+write per line / python seed": ratio("c flock+statx+write per line", "python seed"),
    "c write per line / python seed": ratio("c write per line", "python seed"),
}

print()
loads = [r["load_average_1m"] for r in records if "load_average_1m" in r]
print(f"{len(set(r['round'] for r in records))} round(s), 4 agents; {events} events ({python_events} for Python); "
      f"{machine['nproc']} cores, {cpu}; 1-minute load average after each run "
      f"{min(loads, default=0):.1f}–{max(loads, default=0):.1f}")
print()
print("| configuration | events | events/s median | min–max | emit p50 | p99 | p99.9 | verified |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
for name, s in summary.items():
    if "median" in s:
        spread = f"{s['min']:,.0f}–{s['max']:,.0f}"
        mid = f"{s['median']:,.0f}"
    else:
        spread = mid = "failed"
    lat = [f"{s[k]:,.0f} ns" if k in s else "" for k in ("p50_ns", "p99_ns", "p999_ns")]
    print(f"| {name} | {s['events']:,} | {mid} | {spread} | {lat[0]} | {lat[1]} | {lat[2]} | {s['verified']} of {s['runs']} |")
print()
for k, v in ratios.items():
    print(f"{k}: {v:.2f}×" if v else f"{k}: n/a (a configuration failed)")

# Two producers share the queue's lock and buffer, so their rate depends on what a cache line costs
# to pass between the cores, which on a virtual machine changes with where the host runs its CPUs.
def handoff_text(r):
    return "/".join("?" if h is None else f"{h:.0f}" for h in r.get("handoff_ns", []))
by_round = {}
for r in records:
    if r["ok"] and r["config"] in ("agentledger async 1p", "agentledger async 2p"):
        by_round.setdefault(r["round"], {})[r["config"]] = r
pairs = [(k, v) for k, v in sorted(by_round.items()) if len(v) == 2]
if pairs:
    print()
    print("2 producers against 1, by round (cache-line handoff between the cores before/after each run):")
    for k, v in pairs:
        one, two = v["agentledger async 1p"], v["agentledger async 2p"]
        print(f"  round {k}: {two['run']['events_per_sec'] / one['run']['events_per_sec']:.2f}×  "
              f"1p {one['run']['events_per_sec']:,.0f} (p50 {one['run'].get('p50_ns', 0):,.0f} ns, handoff {handoff_text(one)} ns)  "
              f"2p {two['run']['events_per_sec']:,.0f} (p50 {two['run'].get('p50_ns', 0):,.0f} ns, handoff {handoff_text(two)} ns)")

checks = []
def check(what, met, figure):
    checks.append({"target": what, "met": bool(met), "figure": figure})

a1, a2, sp = med("agentledger async 1p"), med("agentledger async 2p"), med("spdlog async")
if a1 and sp:
    check("async 1 producer ≥ 2× spdlog async", a1 >= 2 * sp, f"{a1 / sp:.2f}×")
if a1:
    check("async 1 producer ≥ 1.5 M events/s", a1 >= 1.5e6, f"{a1:,.0f} events/s")
if a1 and a2:
    check("async 2 producers not below 1 producer", a2 >= a1, f"{a2:,.0f} vs {a1:,.0f} events/s")
if ratios["agentledger sync / python seed"]:
    check("sync ≥ 10× the seed's Python emitter", ratios["agentledger sync / python seed"] >= 10,
          f"{ratios['agentledger sync / python seed']:.1f}×")
if med("agentledger durable"):
    check("durable (fsync per batch, interval 1 s) ≥ 0.8 M events/s", med("agentledger durable") >= 0.8e6,
          f"{med('agentledger durable'):,.0f} events/s")
s1 = summary.get("agentledger async 1p", {})
if "p50_ns" in s1:
    check("emit p50 < 300 ns", s1["p50_ns"] < 300, f"{s1['p50_ns']:,.0f} ns")
    check("emit p99 < 2 µs", s1["p99_ns"] < 2000, f"{s1['p99_ns']:,.0f} ns")
    check("emit p99.9 < 20 µs", s1["p999_ns"] < 20000, f"{s1['p999_ns']:,.0f} ns")
ov = targets.get("overload", {})
if "peak_rss_bytes" in ov:
    cap = ov["buffer_bytes"] + 64 * 1024 * 1024
    check("overload: peak RSS < byte cap + 64 MiB", ov["peak_rss_bytes"] < cap,
          f"{ov['peak_rss_bytes'] / 1048576:.1f} MiB (cap {ov['buffer_bytes'] / 1048576:.0f} MiB + 64 MiB); "
          f"{ov['dropped']:,} dropped")
    check("overload: drops recorded in the ledger equal the drops", ov.get("verified") is True
          and ov.get("recorded_dropped") == ov.get("dropped"),
          f"{ov.get('recorded_dropped')} recorded, {ov.get('dropped')} dropped")
ep = targets.get("emit_process", {})
if "median_s" in ep:
    check("agent-ledger emit as a new process < 15 ms median", ep["median_s"] < 0.015, f"{ep['median_s'] * 1000:.1f} ms")
rd = targets.get("record_delay", {})
if "delay_p99_ns" in rd:
    bound = rd["flush_interval"] * 1e9 + 5e6
    check("recording delay p99 < flush interval + 5 ms", rd["delay_p99_ns"] < bound,
          f"p50 {rd['delay_p50_ns'] / 1e6:.1f} ms, p99 {rd['delay_p99_ns'] / 1e6:.1f} ms "
          f"(bound {bound / 1e6:.0f} ms)")
if checks:
    print()
    print("| target | met | measured |")
    print("| --- | --- | --- |")
    for c in checks:
        print(f"| {c['target']} | {'yes' if c['met'] else 'no'} | {c['figure']} |")

json.dump({"machine": machine, "rounds": int(rounds), "events": int(events), "python_events": int(python_events),
           "records": records, "summary": summary, "ratios": ratios, "targets": targets, "checks": checks},
          open(results, "w"), indent=1)
print()
print(f"raw figures: {results}")
PY
