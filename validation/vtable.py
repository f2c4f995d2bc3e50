"""vtable.py - the figures of a migration, read from QEMU's query-migrate
replies and from migsim's --json output (which has the same shape), and the
Markdown table and summary lines that compare them (validate.py writes them;
tests/e2e/t_validate_table.sh checks them on recorded replies).

No I/O here besides what the callers pass in: every function takes and
returns plain values, so recorded fixtures exercise exactly the code the
live runs use.
"""

import json
import statistics

# (key, heading, unit) in the table's order; the unit says how a value prints.
FIGURES = [
    ("total-time", "total time", "ms"),
    ("downtime", "downtime", "ms"),
    ("setup-time", "setup", "ms"),
    ("transferred", "bytes", "MiB"),
    ("normal", "normal pages", "n"),
    ("duplicate", "zero pages", "n"),
    ("dirty-sync-count", "syncs", "n"),
    ("xbzrle-pages", "xbzrle pages", "n"),
    ("xbzrle-bytes", "xbzrle bytes", "MiB"),
    ("xbzrle-cache-miss", "xbzrle misses", "n"),
    ("xbzrle-overflow", "xbzrle overflows", "n"),
    ("throttle", "throttle %", "n"),
    ("postcopy-requests", "post-copy requests", "n"),
]
XBZRLE_KEYS = ("xbzrle-pages", "xbzrle-bytes", "xbzrle-cache-miss", "xbzrle-overflow")
STOPPED = ("cancelled", "cancelling", "failed")


def parse_qmp_line(line):
    """One line of QMP: ("return", value), ("error", desc), ("event", name)
    or ("greeting", version dict)."""
    msg = json.loads(line)
    if "return" in msg:
        return "return", msg["return"]
    if "error" in msg:
        err = msg["error"]
        return "error", "%s: %s" % (err.get("class", "?"), err.get("desc", "?"))
    if "event" in msg:
        return "event", msg["event"]
    if "QMP" in msg:
        return "greeting", msg["QMP"].get("version", {}).get("qemu", {})
    raise ValueError("not a QMP message: %s" % line.strip()[:80])


def status_word(status):
    """completed, did not converge (stopped at the scenario's timeout) or
    QEMU's own word for anything else."""
    if status == "completed":
        return "completed"
    if status in STOPPED:
        return "did not converge"
    return status


def figures(series):
    """The figures of one run from its query-migrate replies in time order
    (a migsim run is a series of one). The last reply with statistics gives
    the totals (a cancelled migration's final reply is its status alone);
    the throttle is the highest seen, since QEMU drops the field once done."""
    status = series[-1].get("status", "none")
    last = [r for r in series if "ram" in r][-1] if any("ram" in r for r in series) else {}
    ram = last.get("ram", {})
    out = {"status": status_word(status)}
    sim = last.get("migsim", {})
    for key in ("total-time", "downtime", "setup-time"):
        # migsim's whole milliseconds would show a 0.4 ms downtime as 0.
        ns = sim.get(key + "-ns")
        out[key] = ns / 1e6 if ns is not None else last.get(key)
    if out["status"] != "completed":
        out["downtime"] = None  # a stopped migration never paused the guest
    for key in ("transferred", "normal", "duplicate", "dirty-sync-count", "postcopy-requests"):
        out[key] = ram.get(key)
    cache = last.get("xbzrle-cache")
    if cache:
        out["xbzrle-pages"] = cache.get("pages")
        out["xbzrle-bytes"] = cache.get("bytes")
        out["xbzrle-cache-miss"] = cache.get("cache-miss")
        out["xbzrle-overflow"] = cache.get("overflow")
    throttles = [r.get("cpu-throttle-percentage", 0) for r in series]
    throttles.append(sim.get("max-cpu-throttle-percentage", 0))
    out["throttle"] = max(throttles)
    return out


def combine(runs):
    """Median and spread (min, max) of each figure over the real side's
    repeated runs; the status is the most common one."""
    statuses = [r["status"] for r in runs]
    common = max(sorted(set(statuses)), key=statuses.count)
    out = {"status": common, "runs": len(runs), "agree": statuses.count(common)}
    for key, _, _ in FIGURES:
        vals = [r[key] for r in runs if r.get(key) is not None]
        if vals:
            out[key] = (statistics.median(vals), min(vals), max(vals))
    return out


def ratio(sim, real):
    """migsim / QEMU, or None when it says nothing (a zero or a missing side)."""
    if sim is None or real is None:
        return None
    if real == 0:
        return 1.0 if sim == 0 else None
    return sim / real


def fmt(value, unit):
    if value is None:
        return "-"
    if unit == "MiB":
        return "%.1f" % (value / 1048576)
    if isinstance(value, float) and not value.is_integer():
        return "%.1f" % value
    return "%d" % value


def fmt_ratio(r):
    return "-" if r is None else "%.2f" % r


def scenario_rows(name, real, sim):
    """Markdown rows for one scenario: its status, then one row per figure
    either side reports."""
    runs = "%d runs" % real["runs"]
    if real["agree"] != real["runs"]:
        runs = "%d of %d runs" % (real["agree"], real["runs"])
    rows = ["| **%s** | status | %s (%s) | %s | %s |" % (
        name, real["status"], runs, sim["status"],
        "same" if real["status"] == sim["status"] else "DIFFERENT")]
    for key, heading, unit in FIGURES:
        r = real.get(key)
        s = sim.get(key)
        if r is None and s is None:
            continue
        if key in XBZRLE_KEYS and r is None:
            continue
        if r is None:
            real_txt, med = "-", None
        else:
            med = r[0]
            real_txt = fmt(med, unit)
            if r[1] != r[2]:
                real_txt += " (%s..%s)" % (fmt(r[1], unit), fmt(r[2], unit))
        rows.append("| | %s | %s | %s | %s |" % (heading, real_txt, fmt(s, unit),
                                                fmt_ratio(ratio(s, med))))
    return rows


def table(results, header_lines=()):
    """The Markdown report: results is a list of (name, combined real, migsim
    figures) in scenario order."""
    lines = list(header_lines)
    lines += ["| scenario | figure | QEMU median (min..max) | migsim | migsim/QEMU |",
              "|---|---|---|---|---|"]
    for name, real, sim in results:
        lines += scenario_rows(name, real, sim)
    lines += ["", "Ratio per figure over the scenarios (median; worst = farthest from 1):", "",
              "| figure | median | worst | worst in |", "|---|---|---|---|"]
    for key, heading, med, worst, where in ratio_stats(results):
        lines.append("| %s | %s | %s | %s |" % (heading, fmt_ratio(med), fmt_ratio(worst), where))
    return "\n".join(lines) + "\n"


def ratio_stats(results):
    """(key, heading, median ratio, worst ratio, scenario of the worst) per
    figure with at least one ratio; worst is the farthest from 1 by factor."""
    out = []
    for key, heading, _ in FIGURES:
        pairs = []
        for name, real, sim in results:
            r = real.get(key)
            q = ratio(sim.get(key), r[0] if r else None)
            if q is not None:
                pairs.append((q, name))
        if not pairs:
            continue
        med = statistics.median(q for q, _ in pairs)
        worst, where = max(pairs, key=lambda p: max(p[0], 1 / p[0]) if p[0] > 0 else float("inf"))
        out.append((key, heading, med, worst, where))
    return out


def summary_line(name, real, sim):
    """One line per scenario for the terminal."""
    parts = ["%-22s QEMU %s, migsim %s" % (name, real["status"], sim["status"])]
    for key, label in (("total-time", "time"), ("downtime", "downtime"), ("transferred", "bytes")):
        r = real.get(key)
        q = ratio(sim.get(key), r[0] if r else None)
        parts.append("%s x%s" % (label, fmt_ratio(q)))
    return "; ".join(parts)
