"""Reads profiles for scripts/bench/profile (standard library only).

- callgrind.out (one event, Ir): self and inclusive instruction counts per
  function, merging the per-file entries that callgrind_annotate lists
  separately for inlined code. Self cost: the cost lines of a function.
  Inclusive cost: self plus the cost of the calls it makes (callgrind
  records each call's inclusive cost); a recursive function's calls to
  itself are not added twice.
- `perf script` output with call chains (inlined frames included): each
  sample goes to one stage of the pipeline, the innermost frame of its
  stack that names one (see STAGES)."""

import re
from collections import defaultdict

NAMED = re.compile(r"^(fn|cfn|fl|fi|fe|cfi|cfl|ob|cob)=\((\d+)\)(?: (.*))?$")


def load(path):
    names = {}  # (kind group, id) -> name
    self_cost = defaultdict(int)
    inclusive_calls = defaultdict(int)  # calls to other functions
    calls_made = defaultdict(int)
    call_edges = defaultdict(int)  # (caller, callee) -> inclusive cost
    call_counts = defaultdict(int)  # (caller, callee) -> calls
    total = 0
    fn = cfn = None
    pending_call = None  # (callee, count)
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            c = line[0]
            if c.isdigit() or c in "+-*":
                parts = line.split()
                cost = int(parts[1]) if len(parts) > 1 else 0
                if pending_call is not None:
                    callee, count = pending_call
                    pending_call = None
                    if callee != fn:
                        inclusive_calls[fn] += cost
                        call_edges[(fn, callee)] += cost
                        call_counts[(fn, callee)] += count
                else:
                    self_cost[fn] += cost
                    total += cost
                continue
            if line.startswith("calls="):
                count = int(line[6:].split()[0])
                pending_call = (cfn, count)
                continue
            m = NAMED.match(line)
            if m:
                kind, ident, name = m.group(1), m.group(2), m.group(3)
                group = "fn" if kind in ("fn", "cfn") else ("fl" if kind in ("fl", "fi", "fe", "cfi", "cfl") else "ob")
                if name is not None:
                    names[(group, ident)] = name
                name = names.get((group, ident), ident)
                if kind == "fn":
                    fn = name
                elif kind == "cfn":
                    cfn = name
                continue
            if line.startswith("fn="):
                fn = line[3:]
            elif line.startswith("cfn="):
                cfn = line[4:]
            elif line.startswith("summary:") or line.startswith("totals:"):
                pass
    inclusive = {f: self_cost.get(f, 0) + inclusive_calls.get(f, 0) for f in set(self_cost) | set(inclusive_calls)}
    return {
        "total": total,
        "self": dict(self_cost),
        "inclusive": inclusive,
        "edges": dict(call_edges),
        "counts": dict(call_counts),
    }


def short(name, width=110):
    """A function name without generic arguments and hashes, for tables."""
    out, depth = [], 0
    for i, ch in enumerate(name):
        if ch == "<" and i > 0 and (name[i - 1].isalnum() or name[i - 1] in "_>"):
            depth += 1
            continue
        if depth:
            depth += ch == "<"
            depth -= ch == ">"
            continue
        out.append(ch)
    s = re.sub(r"::h[0-9a-f]{16}$", "", "".join(out))
    s = s.replace("upkeep_runtime::", "rt::").replace("upkeep_compiler::", "compiler::")
    return s if len(s) <= width else s[: width - 1] + "…"


def find(profile, fragment):
    """The functions whose name contains `fragment`, by inclusive cost."""
    hits = [(c, f) for f, c in profile["inclusive"].items() if fragment in f]
    return sorted(hits, reverse=True)


# ----------------------------------------------------------------- stages

# Where time goes, as the issue asks: each sample (perf) or instruction
# (callgrind) belongs to one stage. For perf, the innermost frame that
# matches a stage's names wins, except for start-up and tear-down, which win
# if any frame matches. Names are matched at their start, without
# " (inlined)"; "=word" is a whole name (or `word<…>`): the short names perf
# gives inlined frames.
OUTER_STAGES = [
    ("start-up: load, check, compile, JIT", ("upkeep::package::compile", "upkeep_runtime::engine::Engine::new",
                                            "upkeep_runtime::engine::Engine::with_policies", "cranelift", "regalloc2")),
    ("tear-down: freeing the engine at exit", ("core::ptr::drop_in_place<upkeep_runtime::engine::Engine>",
                                               "drop_in_place<upkeep_runtime::engine::Engine>")),
]
STAGES = [
    ("read + decode (lines, parse, interner)", ("<upkeep_runtime::decode::", "upkeep_runtime::decode::",
                                               "next<std::io::buffered::bufreader::BufReader<upkeep::run::CountingReader",
                                               "decode_line<", "<upkeep::run::CountingReader")),
    ("series index lookup (hash + compare of name and labels)", ("upkeep_runtime::series::SeriesIndex::lookup",)),
    ("new series: bind to rows, new rows and instances", ("upkeep_runtime::engine::policy::PolicyRt::bind",
                                                          "upkeep_runtime::engine::Engine::bind", "=bind", "=new_row",
                                                          "upkeep_runtime::engine::policy::PolicyRt::columns_for",
                                                          "=columns_for", "upkeep_runtime::engine::schedule::Schedule::add_row",
                                                          "=add_row", "upkeep_runtime::series::hosts::")),
    ("window pushes (incl. their VecDeque growth)", ("upkeep_runtime::window::Window::push", "upkeep_runtime::window::Window::add",
                                                     "upkeep_runtime::window::tracked::Tracked::add")),
    ("state machine", ("upkeep_runtime::state::",)),
    ("event building (labels, message, values)", ("upkeep_runtime::engine::events::event", "=event",
                                                  "upkeep_runtime::render::", "upkeep_runtime::events::rfc3339")),
    ("event output (JSON lines)", ("upkeep::run::write_events", "=write_events", "upkeep_runtime::events::Event::to_json",
                                   "serde_json::")),
    ("evaluation: fill columns (window expiry and values), evaluator", ("upkeep_runtime::engine::evaluate::", "=evaluate",
                                                                        "=fill", "=fill_pass", "upkeep_runtime::window::",
                                                                        "upkeep_compiler::jit::")),
    ("tick: per-instance outputs, dependencies, scheduling", ("upkeep_runtime::engine::Engine::run_until", "=run_until",
                                                              "=tick", "upkeep_runtime::engine::Engine::tick",
                                                              "=firing_dependencies", "upkeep_runtime::engine::schedule::")),
    ("apply: feeds to rows, last sample, EWMA", ("=apply", "upkeep_runtime::engine::Engine::apply")),
    ("ingest: the rest", ("upkeep_runtime::engine::Engine::ingest", "=ingest")),
    ("run loop (upkeep run)", ("upkeep::run::run",)),
]


def _matches(name, patterns):
    for p in patterns:
        if p.startswith("="):
            if name == p[1:] or name.startswith(p[1:] + "<"):
                return True
        elif name.startswith(p):
            return True
    return False


def stage_of(frames):
    """frames: innermost first."""
    names = [f[: -len(" (inlined)")] if f.endswith(" (inlined)") else f for f in frames]
    for stage, patterns in OUTER_STAGES:
        if any(_matches(n, patterns) for n in names):
            return stage
    for n in names:
        for stage, patterns in STAGES:
            if _matches(n, patterns):
                return stage
    return "other (libc start, kernel, unattributed)"


def perf_samples(script_text):
    """[(frames innermost first)] from `perf script -F ip,sym` output."""
    samples, stack = [], []
    for line in script_text.splitlines():
        line = line.strip()
        if not line:
            if stack:
                samples.append(stack)
            stack = []
            continue
        parts = line.split(" ", 1)
        if len(parts) == 2 and all(c in "0123456789abcdef" for c in parts[0]):
            stack.append(parts[1])
    if stack:
        samples.append(stack)
    return samples


def perf_report(script_text):
    """Stages and self time per function, as shares of the samples."""
    samples = perf_samples(script_text)
    stages, selfs = {}, {}
    for frames in samples:
        st = stage_of(frames)
        stages[st] = stages.get(st, 0) + 1
        # Self: the innermost frame that is a real symbol (not inlined).
        leaf = next((f for f in frames if not f.endswith(" (inlined)")), frames[0])
        selfs[leaf] = selfs.get(leaf, 0) + 1
    return len(samples), stages, selfs


def callgrind_stages(profile):
    """The same stages from callgrind's inclusive costs: nested functions'
    costs are subtracted from their callers'. Only real symbols exist here
    (inlined code counts as its caller)."""
    inc = profile["inclusive"]
    edges = profile["edges"]

    def incl(fragment):
        return sum(c for f, c in inc.items() if fragment in f and not f.startswith("0x"))

    def edge(caller_fragment, callee_fragment):
        return sum(c for (a, b), c in edges.items() if caller_fragment in a and callee_fragment in b)

    decode = incl("upkeep_runtime::decode::Decoder<R> as core::iter::traits::iterator::Iterator>::next")
    lookup = incl("upkeep_runtime::series::SeriesIndex::lookup")
    bind = incl("upkeep_runtime::engine::policy::PolicyRt::bind") + edge("Engine::ingest", "Schedule::add_row")
    push = incl("upkeep_runtime::window::Window::push")
    run_until = incl("upkeep_runtime::engine::Engine::run_until")
    evaluate = incl("upkeep_runtime::engine::evaluate::evaluate") - edge("upkeep_runtime::engine::evaluate::", "Window::push")
    state = incl("upkeep_runtime::state::instance::InstanceState::step")
    event = incl("upkeep_runtime::engine::events::event")
    write = incl("upkeep::run::write_events")
    startup = incl("upkeep::package::compile") + incl("upkeep_runtime::engine::Engine::new")
    teardown = incl("core::ptr::drop_in_place<upkeep_runtime::engine::Engine>")
    ingest = incl("upkeep_runtime::engine::Engine::ingest")
    total = profile["total"]
    push_from_ingest = edge("Engine::ingest", "Window::push")
    out = {
        "start-up: load, check, compile, JIT": startup,
        "read + decode (lines, parse, interner)": decode,
        "series index lookup (hash + compare of name and labels)": lookup,
        "new series: bind to rows, new rows and instances": bind,
        "window pushes (incl. their VecDeque growth)": push,
        "evaluation: fill columns (window expiry and values), evaluator": evaluate,
        "state machine": state,
        "event building (labels, message, values)": event,
        "tick: per-instance outputs, dependencies, scheduling": run_until - (evaluate + (push - push_from_ingest)) - state - event,
        "apply + ingest: the rest (feeds to rows, EWMA)": ingest - lookup - bind - push_from_ingest - run_until,
        "event output (JSON lines)": write,
        "tear-down: freeing the engine at exit": teardown,
    }
    out["other (run loop, libc start)"] = total - sum(out.values())
    return out
