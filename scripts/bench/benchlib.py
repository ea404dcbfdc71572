"""Shared helpers of scripts/bench/run and scripts/bench/profile (Python 3
standard library only): locating the repository, building, generating the
data, running `upkeep run` under /usr/bin/time, and reading the outputs of
/usr/bin/time -v, of `upkeep run`'s summary and of valgrind's massif."""

import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PACKAGE = ROOT / "bench" / "runtime"
BASELINE = HERE / "baseline.upk"
FORMATS = {
    # --format name: file extension written by scripts/bench/generate
    "influx": "influx",
    "prom": "prom",
    "openmetrics": "om",
    "jsonl": "jsonl",
}


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def target_dir():
    return Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def build_release():
    log("==> cargo build --release")
    subprocess.run(["cargo", "build", "--release", "--bin", "upkeep"], cwd=ROOT, check=True)
    return target_dir() / "release" / "upkeep"


def snapshot_binary(binary, data):
    """A copy of the binary in the data folder, so that a rebuild by someone
    else during the benchmark does not change what is measured."""
    copy = Path(data) / "upkeep"
    if copy.exists():
        if copy.samefile(binary):
            return copy
        # A new file, not the old one overwritten: `perf record` hard-links
        # the binaries it profiles into its build-id cache (~/.debug), and
        # copying over that inode would change the cached binary of an
        # earlier build.
        copy.unlink()
    shutil.copy2(binary, copy)
    return copy


def read_manifest(data):
    path = Path(data) / "manifest.txt"
    if not path.exists():
        return None
    out = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition("=")
        out[key] = int(value) if value.isdigit() else value
    return out


def ensure_data(data, hosts, steps):
    manifest = read_manifest(data)
    if manifest and manifest.get("hosts") == hosts and manifest.get("steps") == steps:
        log(f"==> data in {data}: {manifest['samples']:,} samples (kept)")
        return manifest
    log(f"==> scripts/bench/generate {data} --hosts {hosts} --steps {steps}")
    subprocess.run(
        [str(HERE / "generate"), str(data), "--hosts", str(hosts), "--steps", str(steps)],
        check=True,
    )
    return read_manifest(data)


def ensure_time():
    if Path("/usr/bin/time").exists():
        return
    log("==> /usr/bin/time is missing: apt-get install -y time")
    subprocess.run(["apt-get", "install", "-y", "time"], check=True)


def parse_time_v(text):
    """The numbers of `/usr/bin/time -v` that matter here."""
    def grab(label):
        m = re.search(r"^\s*" + re.escape(label) + r": (.+)$", text, re.M)
        return m.group(1).strip() if m else None

    wall = grab("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    seconds = 0.0
    if wall:
        for part in wall.split(":"):
            seconds = seconds * 60 + float(part)
    return {
        "user": float(grab("User time (seconds)") or 0),
        "sys": float(grab("System time (seconds)") or 0),
        "wall": seconds,
        "rss_kb": int(grab("Maximum resident set size (kbytes)") or 0),
        "exit": int(grab("Exit status") or 0),
    }


SUMMARY = re.compile(
    r"read (\d+) samples from (\d+) lines in ([\d.]+)s \((\d+) samples/s\): (\d+) applied to "
    r"(\d+) series of (\d+) hosts"
)


def parse_summary(text):
    """`upkeep run`'s summary on standard error."""
    m = SUMMARY.search(text)
    if not m:
        raise RuntimeError("no summary in the output of upkeep run:\n" + text[-2000:])
    out = {
        "samples": int(m.group(1)),
        "lines": int(m.group(2)),
        "loop_seconds": float(m.group(3)),
        "rate": int(m.group(4)),
        "applied": int(m.group(5)),
        "series": int(m.group(6)),
        "hosts": int(m.group(7)),
        "evaluations": 0,
        "events": 0,
    }
    m = re.search(r"^(\d+) evaluations in (\d+) batches", text, re.M)
    if m:
        out["evaluations"] = int(m.group(1))
        out["batches"] = int(m.group(2))
    for m in re.finditer(r"^  .*: (\d+)$", text, re.M):
        out["events"] += int(m.group(1))
    return out


def run_upkeep(binary, package, path, fmt, cpu="0", wrapper=None):
    """One `upkeep run` pinned to one CPU under /usr/bin/time -v; events go to
    /dev/null. Returns the summary and time's numbers merged."""
    cmd = ["taskset", "-c", cpu, "/usr/bin/time", "-v"]
    cmd += wrapper or []
    cmd += [str(binary), "run", str(package), "--input", str(path), "--format", fmt, "--color", "never"]
    with open(os.devnull, "wb") as null:
        proc = subprocess.run(cmd, stdout=null, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    out = parse_summary(proc.stderr)
    out.update(parse_time_v(proc.stderr))
    out["cpu"] = out["user"] + out["sys"]
    return out


def run_tool(cmd, cpu="0"):
    """A shell tool (`cat`, `wc -l`) pinned and timed the same way."""
    full = ["taskset", "-c", cpu, "/usr/bin/time", "-v"] + cmd
    with open(os.devnull, "wb") as null:
        proc = subprocess.run(full, stdout=null, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(full)} failed:\n{proc.stderr[-2000:]}")
    out = parse_time_v(proc.stderr)
    out["cpu"] = out["user"] + out["sys"]
    return out


def median(values):
    return statistics.median(values) if values else float("nan")


# ----------------------------------------------------------------- massif

# Where a heap byte belongs, by the frames of its allocation's call stack:
# the first category (in this order) any frame matches.
CATEGORIES = [
    ("windows", ("upkeep_runtime::window::", "upkeep_runtime::engine::columns::Column::slot")),
    ("decoder (interner, buffers)", ("upkeep_runtime::decode::",)),
    ("series index + host table", ("upkeep_runtime::series::",)),
    ("feeds (series -> rows)", ("upkeep_runtime::engine::Engine::bind",)),
    ("schedule", ("upkeep_runtime::engine::schedule::",)),
    ("rows + instances", ("upkeep_runtime::engine::policy::",)),
    ("instance state", ("upkeep_runtime::state::",)),
    ("evaluation + events", ("upkeep_runtime::engine::", "upkeep_runtime::events", "upkeep_runtime::render")),
    ("compile + JIT", ("cranelift", "regalloc2", "upkeep_compiler::", "upkeep::package", "upkeep_grammar")),
    ("run loop (I/O buffers)", ("upkeep::run::",)),
]
FRAME = re.compile(r"^( *)n(\d+): (\d+) (.*)$")


def massif_peak(path):
    """The peak snapshot of a massif.out file: (useful heap bytes, extra
    bytes, [(bytes, [frames from the allocator outwards])] for each leaf)."""
    lines = Path(path).read_text(errors="replace").splitlines()
    snapshots = []
    i = 0
    while i < len(lines):
        if lines[i].startswith("snapshot="):
            snap = {}
            i += 1
            while i < len(lines) and not lines[i].startswith("snapshot="):
                line = lines[i]
                if line.startswith("heap_tree="):
                    snap["tree"] = line.split("=", 1)[1]
                    start = i + 1
                    j = start
                    while j < len(lines) and FRAME.match(lines[j]):
                        j += 1
                    snap["nodes"] = lines[start:j]
                    i = j
                    continue
                key, _, value = line.partition("=")
                snap[key] = value
                i += 1
            snapshots.append(snap)
        else:
            i += 1
    peak = next((s for s in snapshots if s.get("tree") == "peak"), None)
    if peak is None:
        peak = max(snapshots, key=lambda s: int(s.get("mem_heap_B", 0)))
    leaves = []
    stack = []  # (depth, frame)
    nodes = peak.get("nodes", [])
    for k, line in enumerate(nodes):
        m = FRAME.match(line)
        depth, children, size, frame = len(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        stack.append((depth, frame))
        if children == 0:
            leaves.append((size, [f for _, f in stack]))
    return int(peak["mem_heap_B"]), int(peak["mem_heap_extra_B"]), leaves


def function_of(frame):
    """ "0x4A5587: name<T> (file:line)" -> "name": without the generic
    arguments, which name types of other modules (`reserve<…SeriesId>`)."""
    name = frame.split(": ", 1)[1] if ": " in frame else frame
    name = re.sub(r" \([^()]*\)$", "", name)
    out, depth, skipping = [], 0, False
    for i, c in enumerate(name):
        if skipping:
            depth += c == "<"
            depth -= c == ">"
            skipping = depth > 0
            continue
        if c == "<" and i > 0 and (name[i - 1].isalnum() or name[i - 1] == "_"):
            skipping, depth = True, 1
            continue
        out.append(c)
    return "".join(out)


def massif_breakdown(path):
    heap, extra, leaves = massif_peak(path)
    totals = {name: 0 for name, _ in CATEGORIES}
    totals["other"] = 0
    for size, frames in leaves:
        functions = [function_of(f) for f in frames]
        category = "other"
        for name, patterns in CATEGORIES:
            if any(p in fn for fn in functions for p in patterns):
                category = name
                break
        totals[category] += size
    return heap, extra, totals
