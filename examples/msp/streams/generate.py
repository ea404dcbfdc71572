#!/usr/bin/env python3
"""Writes night.prom: one night of Nordwind IT's two clients, as Prometheus
would hand it on (text exposition format with millisecond timestamps), for

    cargo run --release -- run examples/msp --input examples/msp/streams/night.prom

Regenerate (deterministic: same output on every run, Python 3.8+, stdlib only):

    python3 examples/msp/streams/generate.py

Saturday 2026-11-28, 00:00 to 02:30 UTC (01:00 to 03:30 in Munich and Linz).
Ten hosts: Acme's two domain controllers, file, SQL and print servers
(Windows) and its PostgreSQL archive server acme-db1 (Debian); Globex's web
servers gx-web1 (customer portal) and gx-web2 (B2B shop), its MES server and
the server-room sensor. What happens:

  00:00-01:40  acme-db1: WAL archiving is stuck, /var/lib/postgresql fills
               by 0.45 GB a minute (71% -> 89% of 250 GB)
  00:45-00:49  gx-web2: a scraper hammers the shop for four minutes
  00:55-02:05  gx-web2: nginx crashes every 15 minutes; the first three
               times upkeep restarts it (and the restart works), the fourth
               is one restart too many within the hour: ticket, page, and
               the on-call engineer fixes it at 02:05
  01:40-01:44  acme-db1: the DBA fixes archiving, PostgreSQL recycles the
               WAL: back to 56%
  01:50-02:12  gx-web1 does not answer at all (up 0, no samples from its
               exporters, the portal probe fails), then comes back
  otherwise    every host healthy, with ordinary values

Series carry the labels Prometheus gives them: `client` and `host` and the
host labels the fleets filter on (`site`, `os`, `role`, `class`, `env`) come
from the scrape targets; `job` is the scrape job. Only series that the
package's policies name are written. Scrape intervals: 30 s for `up`,
the service states and `pg_up` (their policies evaluate every 30 s), 5 min
for the room sensor (snmp), 1 min for everything else; series that do not
change during the night (sizes, totals, limits, timestamps, start modes)
every 5 min, within the runtime's 5 min lookback. Of a state metric
(`node_systemd_unit_state`, `windows_service_state`,
`windows_service_start_mode`) only the series of the current state (value 1)
is written, as after a `metric_relabel_configs` that drops the others.
"""

import hashlib
import math
import os
import sys

T0 = 1795824000  # 2026-11-28T00:00:00Z
END = T0 + 2 * 3600 + 30 * 60  # 02:30, inclusive
GB = 1e9


def minute(hh, mm):
    return T0 + hh * 3600 + mm * 60


def noise(key, t):
    """Deterministic noise in [0, 1) for a series and a time."""
    digest = hashlib.sha256(f"{key}@{t}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


# ---------------------------------------------------------------- hosts

ACME = dict(client="acme", site="munich", env="prod")
GLOBEX = dict(client="globex", site="linz", env="prod")


def host(name, tenant, job, **labels):
    return dict(name=name, tenant=tenant, job=job, labels=labels)


WINDOWS = dict(os="windows", **{"class": "server"})
LINUX = dict(os="linux", **{"class": "server"})

HOSTS = [
    host("acme-dc1", ACME, "windows", role="dc", **WINDOWS),
    host("acme-dc2", ACME, "windows", role="dc", **WINDOWS),
    host("acme-fs1", ACME, "windows", role="file", **WINDOWS),
    host("acme-sql1", ACME, "windows", role="sql", **WINDOWS),
    host("acme-print1", ACME, "windows", role="print", **WINDOWS),
    host("acme-db1", ACME, "node", role="db", **LINUX),
    host("gx-web1", GLOBEX, "node", role="web", **LINUX),
    host("gx-web2", GLOBEX, "node", role="web", **LINUX),
    host("gx-mes1", GLOBEX, "node", role="mes", **LINUX),
    host("gx-sensor1", GLOBEX, "snmp", role="sensor"),
]

SERVICES = {
    "dc": ["NTDS", "DNS", "Netlogon"],
    "file": ["LanmanServer"],
    "sql": ["MSSQLSERVER", "SQLSERVERAGENT"],
    "print": ["Spooler"],
}
# Windows volumes: (volume, size, free at the start).
VOLUMES = {
    "acme-dc1": [("C:", 127 * GB, 71 * GB)],
    "acme-dc2": [("C:", 127 * GB, 68 * GB)],
    "acme-fs1": [("C:", 127 * GB, 64 * GB), ("D:", 4000 * GB, 1310 * GB)],
    "acme-sql1": [("C:", 127 * GB, 52 * GB), ("E:", 1000 * GB, 420 * GB)],
    "acme-print1": [("C:", 80 * GB, 41 * GB)],
}
# Linux filesystems: (mountpoint, device, size, free at the start, bytes
# written a minute on top of ~1 MB of noise; None: the story's filesystem).
FILESYSTEMS = {
    "acme-db1": [("/", "/dev/sda2", 40 * GB, 27.3 * GB, 0),
                 ("/var/lib/postgresql", "/dev/sdb1", 250 * GB, 72 * GB, None)],
    "gx-web1": [("/", "/dev/sda1", 30 * GB, 19.2 * GB, 0),
                ("/var/log", "/dev/sda3", 20 * GB, 13.1 * GB, 1.5e6)],
    "gx-web2": [("/", "/dev/sda1", 30 * GB, 18.7 * GB, 0),
                ("/var/log", "/dev/sda3", 20 * GB, 12.4 * GB, 1.2e6)],
    "gx-mes1": [("/srv/mes", "/dev/sdb1", 500 * GB, 287 * GB, 0.2e6)],
}
MEMORY = {  # total, available (Linux) or total, available, committed, limit (Windows)
    "acme-dc1": (8 * 2**30, 3.9 * 2**30, 4.1 * 2**30, 12 * 2**30),
    "acme-dc2": (8 * 2**30, 4.2 * 2**30, 3.8 * 2**30, 12 * 2**30),
    "acme-fs1": (16 * 2**30, 9.5 * 2**30, 6.2 * 2**30, 24 * 2**30),
    "acme-print1": (4 * 2**30, 1.6 * 2**30, 2.3 * 2**30, 6 * 2**30),
    "acme-db1": (32 * 2**30, 11.2 * 2**30),
    "gx-web1": (8 * 2**30, 5.1 * 2**30),
    "gx-web2": (8 * 2**30, 4.8 * 2**30),
    "gx-mes1": (16 * 2**30, 7.4 * 2**30),
}
# Last boot: the reboot of Acme's patch night on Tuesday 2026-11-17.
BOOT = {"acme-dc1": 1795038300, "acme-dc2": 1795039260, "acme-fs1": 1795040580,
        "acme-sql1": 1795041720, "acme-print1": 1795042500}
SYSTEMD = {"db": "postgresql@16-main.service", "web": "nginx.service", "mes": "mes-server.service"}
# Backups: (exported_job, last success before the stream, time of tonight's run or None).
BACKUPS = {
    "acme-dc1": ("veeam-daily", T0 - 4 * 3600 - 1260, minute(1, 12) + 48),
    "acme-dc2": ("veeam-daily", T0 - 4 * 3600 - 660, minute(1, 31) + 5),
    "acme-fs1": ("veeam-daily", T0 - 3 * 3600 - 2400, minute(1, 58) + 40),
    "acme-sql1": ("veeam-daily", T0 - 3 * 3600 - 1500, minute(1, 44) + 17),
    "acme-print1": ("veeam-daily", T0 - 4 * 3600 - 2110, minute(1, 6) + 55),
    # pgbackrest runs every 6 hours; the 00:30 run fails while WAL archiving
    # is stuck (the last good one is from 18:31), the rerun after the fix works.
    "acme-db1": ("pgbackrest-archive", T0 - 5 * 3600 - 1710, minute(2, 20) + 31),
    "gx-web1": ("restic-nightly", T0 - 86400 + 930, minute(0, 15) + 12),
    "gx-web2": ("restic-nightly", T0 - 86400 + 1150, minute(0, 16) + 3),
    "gx-mes1": ("restic-nightly", T0 - 86400 + 2250, minute(0, 38) + 44),
}
PROBES = {  # web server -> the site it serves, and its certificate's expiry
    "gx-web1": ("https://portal.globex.example/login", 1801958400),  # 2027-02-06
    "gx-web2": ("https://shop.globex.example/", 1803081600),  # 2027-02-19
}

# ---------------------------------------------------------------- the story

DB_FILL_END = minute(1, 40)  # the DBA fixes WAL archiving
DB_FILL_RATE = 0.45 * GB  # bytes a minute
DB_FREED = 110 * GB  # free once PostgreSQL has recycled the WAL
FLOOD = (minute(0, 45), minute(0, 49))  # [start, end) of the scraper
OUTAGE = (minute(1, 50), minute(2, 12))  # [start, end) of gx-web1's outage


def pg_free(t):
    """Free bytes on acme-db1's /var/lib/postgresql."""
    start = 72 * GB
    if t <= DB_FILL_END:
        return start - DB_FILL_RATE * (t - T0) / 60 + 80e6 * (noise("pgwal", t) - 0.5)
    lowest = pg_free(DB_FILL_END)
    # Checkpoints recycle the WAL segments over four minutes.
    share = min(1.0, (t - DB_FILL_END) / 240)
    return lowest + (DB_FREED - lowest) * share + 20e6 * (noise("pgwal", t) - 0.5)


# nginx on gx-web2 crashes every 15 minutes from 00:55 (a module built
# against the old OpenSSL, after an unattended upgrade). Upkeep restarts it
# a minute later, and the agent's restart brings it back 30 s after that;
# the fourth crash, at 01:40, is one too many within the hour: no restart,
# a ticket and a page, and the on-call engineer fixes it at 02:05.
NGINX_CRASHES = [minute(0, 55), minute(1, 10), minute(1, 25), minute(1, 40)]
NGINX_FIXED = minute(2, 5)


def down(h, t):
    return h["name"] == "gx-web1" and OUTAGE[0] <= t < OUTAGE[1]


def nginx_failed(h, t):
    """Whether nginx on `h` is down at `t` (the crash loop on gx-web2)."""
    if h["name"] != "gx-web2":
        return False
    for i, crash in enumerate(NGINX_CRASHES):
        back = NGINX_FIXED if i == len(NGINX_CRASHES) - 1 else crash + 90
        if crash <= t < back:
            return True
    return False


def nginx_rate(name, t):
    """Requests a second on a web server."""
    base = {"gx-web1": 34.0, "gx-web2": 21.0}[name] * (0.85 + 0.3 * noise(name + "rps", t))
    if name == "gx-web2" and FLOOD[0] <= t < FLOOD[1]:
        base += 640.0
    return base


# ---------------------------------------------------------------- output


def fmt_labels(pairs):
    return ",".join(f'{k}="{v}"' for k, v in pairs)


class Writer:
    def __init__(self):
        self.lines = []

    def sample(self, h, name, own, value, t, job=None):
        """One sample of host `h`: its own labels, then the target's."""
        pairs = [("client", h["tenant"]["client"]), ("host", h["name"])]
        pairs += list(own)
        pairs.append(("job", job or h["job"]))
        pairs.append(("site", h["tenant"]["site"]))
        pairs += sorted(h["labels"].items())
        pairs.append(("env", h["tenant"]["env"]))
        if isinstance(value, int):
            text = str(value)
        else:
            text = repr(round(value, 6)) if abs(value) < 1e6 else str(int(round(value)))
        self.lines.append(f"{name}{{{fmt_labels(pairs)}}} {text} {t * 1000}")


def scrape(w, h, t, state):
    name, role = h["name"], h["labels"]["role"]
    every_min = (t - T0) % 60 == 0
    every_5 = (t - T0) % 300 == 0
    if h["job"] == "snmp":
        if every_5:
            w.sample(h, "up", [], 1, t)
            temp = 22.4 + 0.3 * noise("rack-a", t) + 0.1 * ((t - T0) // 1800)
            w.sample(h, "room_sensor_temperature_celsius", [("sensor", "rack-a")], round(temp, 1), t)
        return
    # ------------------------------------------------------------ every 30 s
    if down(h, t):
        w.sample(h, "up", [], 0, t)
    else:
        w.sample(h, "up", [], 1, t)
    if down(h, t):
        if every_min and name in PROBES:
            probe(w, h, t, failing=True)
        return
    if h["job"] == "windows":
        for svc in SERVICES[role]:
            w.sample(h, "windows_service_state", [("name", svc), ("state", "running")], 1, t)
    else:
        unit = SYSTEMD.get(role)
        if unit:
            unit_state = "failed" if nginx_failed(h, t) else "active"
            w.sample(h, "node_systemd_unit_state",
                     [("name", unit), ("state", unit_state), ("type", "service")], 1, t)
    if name == "acme-db1":
        w.sample(h, "pg_up", [], 1, t, job="postgres")
    if not every_min:
        return
    # ------------------------------------------------------------ every minute
    if h["job"] == "windows":
        windows(w, h, t, every_5)
    else:
        linux(w, h, t, every_5, state)


def windows(w, h, t, every_5):
    name, role = h["name"], h["labels"]["role"]
    for volume, size, free in VOLUMES[name]:
        drift = 30e6 * (noise(name + volume, t) - 0.5)
        w.sample(h, "windows_logical_disk_free_bytes", [("volume", volume)], int(free + drift), t)
        if every_5:
            w.sample(h, "windows_logical_disk_size_bytes", [("volume", volume)], int(size), t)
    if name in MEMORY:
        total, avail, committed, limit = MEMORY[name]
        w.sample(h, "windows_memory_available_bytes", [],
                 int(avail * (0.97 + 0.06 * noise(name + "mem", t))), t)
        w.sample(h, "windows_memory_committed_bytes", [],
                 int(committed * (0.98 + 0.04 * noise(name + "commit", t))), t)
        if every_5:
            w.sample(h, "windows_memory_physical_total_bytes", [], int(total), t)
            w.sample(h, "windows_memory_commit_limit", [], int(limit), t)
    if role == "sql":
        queue = int(4 * noise(name + "queue", t))
        w.sample(h, "windows_system_processor_queue_length", [], queue, t)
    if every_5:
        for svc in SERVICES[role]:
            w.sample(h, "windows_service_start_mode", [("name", svc), ("start_mode", "auto")], 1, t)
        w.sample(h, "windows_system_boot_time_timestamp", [], BOOT[name], t)
    backup(w, h, t, every_5)


def backup(w, h, t, every_5):
    job, before, tonight = BACKUPS[h["name"]]
    last = tonight if tonight is not None and t >= tonight else before
    if every_5 or (tonight is not None and tonight <= t < tonight + 60):
        w.sample(h, "msp_backup_last_success_timestamp_seconds", [("exported_job", job)], last, t)


def linux(w, h, t, every_5, state):
    name, role = h["name"], h["labels"]["role"]
    for mount, device, size, free, per_minute in FILESYSTEMS[name]:
        if per_minute is None:
            value = pg_free(t)
        else:
            # Logs and temporary files: a few MB a minute, never given back
            # during the night.
            used = state.get((name, mount), 0) + per_minute + 2e6 * noise(name + mount, t)
            state[(name, mount)] = used
            value = free - used
        fs = [("mountpoint", mount), ("device", device), ("fstype", "ext4")]
        w.sample(h, "node_filesystem_avail_bytes", fs, int(value), t)
        if every_5:
            w.sample(h, "node_filesystem_size_bytes", fs, int(size), t)
    total, avail = MEMORY[name]
    # Page cache coming and going: a slow swing of a few MB, no trend.
    phase = 2 * math.pi * ((t - T0) / 2400 + noise(name, 0))
    w.sample(h, "node_memory_MemAvailable_bytes", [], int(avail + 4e6 * math.sin(phase)), t)
    if every_5:
        w.sample(h, "node_memory_MemTotal_bytes", [], int(total), t)
    # Idle CPU seconds of two CPUs: a few percent busy.
    for cpu in ("0", "1"):
        key = (name, "cpu", cpu)
        idle = state.get(key, 1.9e6 + 1000 * int(cpu))
        idle += 60 * (0.93 + 0.05 * noise(name + cpu, t))
        state[key] = idle
        w.sample(h, "node_cpu_seconds_total", [("cpu", cpu), ("mode", "idle")], round(idle, 2), t)
    w.sample(h, "node_timex_offset_seconds", [], round(0.0004 * (noise(name + "ntp", t) - 0.5), 6), t)
    if every_5:
        w.sample(h, "node_timex_sync_status", [], 1, t)
    backup(w, h, t, every_5)
    if h["tenant"] is GLOBEX:
        for direction in ("receive", "transmit"):
            key = (name, direction)
            errors = state.get(key, 3 if direction == "receive" else 0)
            if noise(name + direction, t) < 0.01:
                errors += 1
            state[key] = errors
            w.sample(h, f"node_network_{direction}_errs_total", [("device", "eth0")], errors, t)
    if role == "db":
        w.sample(h, "pg_stat_database_numbackends", [("datname", "archive")],
                 18 + int(9 * noise("backends", t)), t, job="postgres")
        if every_5:
            w.sample(h, "pg_settings_max_connections", [], 100, t, job="postgres")
    if role == "web":
        failed = nginx_failed(h, t)
        key = (name, "requests")
        requests = state.get(key, 48_113_907 if name == "gx-web1" else 20_650_214)
        if not failed:
            requests += int(60 * nginx_rate(name, t))
        state[key] = requests
        if every_5 or failed:
            w.sample(h, "nginx_up", [], 0 if failed else 1, t, job="nginx")
        w.sample(h, "nginx_http_requests_total", [], requests, t, job="nginx")
        conns = 0 if failed else int(nginx_rate(name, t) * 0.6) + 3
        w.sample(h, "nginx_connections_active", [], conns, t, job="nginx")
        probe(w, h, t, failing=failed)
    if role == "mes":
        # Saturday: the shop floor is closed, the counters stand still.
        for line, orders in (("L1", 18_204), ("L2", 9_377)):
            w.sample(h, "mes_orders_completed_total", [("line", line)], orders, t, job="mes")


def probe(w, h, t, failing):
    url, expiry = PROBES[h["name"]]
    target = [("instance", url)]
    if failing:
        w.sample(h, "probe_success", target, 0, t, job="blackbox")
        w.sample(h, "probe_http_status_code", target, 0, t, job="blackbox")
        w.sample(h, "probe_duration_seconds", target, 10.0, t, job="blackbox")
    else:
        busy = nginx_rate(h["name"], t) / 40
        duration = 0.08 + 0.05 * noise(h["name"] + "probe", t) + 0.07 * busy
        w.sample(h, "probe_success", target, 1, t, job="blackbox")
        w.sample(h, "probe_http_status_code", target, 200, t, job="blackbox")
        w.sample(h, "probe_duration_seconds", target, round(duration, 4), t, job="blackbox")
    if (t - T0) % 300 == 0:
        w.sample(h, "probe_ssl_earliest_cert_expiry", target, expiry, t, job="blackbox")


def main():
    w = Writer()
    w.lines += [
        "# Nordwind IT, Saturday 2026-11-28 00:00-02:30 UTC: Acme and Globex, ten hosts.",
        "# Generated by examples/msp/streams/generate.py; do not edit, regenerate:",
        "#   python3 examples/msp/streams/generate.py",
    ]
    state = {}
    t = T0
    while t <= END:
        for h in HOSTS:
            scrape(w, h, t, state)
        t += 30
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "night.prom")
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(w.lines) + "\n")
    size = os.path.getsize(out)
    print(f"wrote {out}: {len(w.lines)} lines, {size / 1e6:.2f} MB", file=sys.stderr)
    if size >= 3_000_000:
        sys.exit("night.prom should stay below 3 MB: it is checked in")


if __name__ == "__main__":
    main()
