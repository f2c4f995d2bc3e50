#!/usr/bin/env python3
"""validate.py - migsim against real QEMU migrations on this machine
(make validate; docs/validation.md).

For each scenario (scenarios.py) it boots two QEMUs under TCG on a kernel
and an initramfs built here (busybox plus the guest programs of
validation/guest/), migrates the source into the destination over loopback
while polling query-migrate every 100 ms, checks that the guest runs on and
finds its memory intact, and runs the same scenario in migsim with the
guest's measured speed and memory. It writes results/validation/: raw/ (the
query-migrate series and migsim's JSON per run), table.md, and prints one
line per scenario and the median and worst ratio per figure.
"""

import argparse
import glob
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scenarios  # noqa: E402
import vtable  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
POLL_S = 0.1
BOOT_TIMEOUT_S = 180
IDLE_BUFFER_PAGES = 256


class Failure(Exception):
    """A run that could not be carried out (not a migration that failed)."""


# --- the guest's initramfs -------------------------------------------------

def cpio_entry(name, mode, data=b"", rdev=(0, 0)):
    """One newc cpio member; times and owners are zero so the image depends
    only on its contents."""
    name_b = name.encode() + b"\0"
    fields = [0, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0]
    head = b"070701" + b"".join(b"%08x" % f for f in fields)
    out = head + name_b
    out += b"\0" * (-len(out) % 4)
    out += data + b"\0" * (-len(data) % 4)
    return out


def build_initramfs(workdir, busybox):
    """Compiles the guest programs statically and packs them with busybox
    and validation/guest/init.sh into an uncompressed initramfs."""
    os.makedirs(workdir, exist_ok=True)
    members = [cpio_entry(d, 0o40755) for d in ("bin", "dev", "proc", "guest")]
    members.append(cpio_entry("dev/console", 0o20600, rdev=(5, 1)))
    members.append(cpio_entry("dev/ttyS0", 0o20600, rdev=(4, 64)))
    with open(busybox, "rb") as f:
        members.append(cpio_entry("bin/busybox", 0o100755, f.read()))
    with open(os.path.join(HERE, "guest", "init.sh"), "rb") as f:
        members.append(cpio_entry("init", 0o100755, f.read()))
    common = os.path.join(HERE, "guest", "guest.c")
    for prog in ("calloc_loop", "rewriter", "idle"):
        exe = os.path.join(workdir, prog)
        subprocess.run(["gcc", "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-O2", "-Wall",
                        "-Wextra", "-Werror", "-static", "-pthread", "-o", exe,
                        os.path.join(HERE, "guest", prog + ".c"), common], check=True)
        with open(exe, "rb") as f:
            members.append(cpio_entry("guest/" + prog, 0o100755, f.read()))
    members.append(cpio_entry("TRAILER!!!", 0))
    path = os.path.join(workdir, "initramfs.cpio")
    with open(path, "wb") as f:
        f.write(b"".join(members))
    return path


def find_kernel():
    kernels = sorted(glob.glob("/boot/vmlinuz-*"))
    if not kernels:
        raise Failure("no kernel in /boot (install linux-image-amd64, or set KERNEL)")
    return kernels[-1]


# --- QMP and the serial console --------------------------------------------

def connect_unix(path, deadline):
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise Failure("cannot connect to %s" % path)
            time.sleep(0.05)


class Qmp:
    """A QMP client: one command at a time, events skipped."""

    def __init__(self, path):
        self.sock = connect_unix(path, time.monotonic() + 10)
        self.file = self.sock.makefile("r")
        kind, self.version = vtable.parse_qmp_line(self.file.readline())
        if kind != "greeting":
            raise Failure("QMP greeting expected on %s" % path)
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall((json.dumps(msg) + "\n").encode())
        while True:
            line = self.file.readline()
            if not line:
                raise Failure("QMP closed during %s" % name)
            kind, value = vtable.parse_qmp_line(line)
            if kind == "return":
                return value
            if kind == "error":
                raise Failure("%s: %s" % (name, value))

    def close(self):
        self.file.close()
        self.sock.close()


class Console:
    """The guest's serial line: every line with the host time it arrived."""

    def __init__(self, path):
        self.sock = connect_unix(path, time.monotonic() + 10)
        self.lines = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buf = b""
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                return
            if not data:
                return
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                with self.cond:
                    self.lines.append((time.monotonic(), line.decode(errors="replace").strip()))
                    self.cond.notify_all()

    def wait_for(self, prefix, start, timeout):
        """The first line from index start on that begins with prefix."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for i in range(start, len(self.lines)):
                    if self.lines[i][1].startswith(prefix):
                        return i, self.lines[i]
                left = deadline - time.monotonic()
                if left <= 0:
                    tail = " | ".join(l for _, l in self.lines[-5:])
                    raise Failure("no '%s' from the guest within %d s (last: %s)" %
                                  (prefix, timeout, tail))
                self.cond.wait(left)

    def send(self, text):
        self.sock.sendall(text.encode())

    def close(self):
        self.sock.close()


# --- one real run --------------------------------------------------------------

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_qemu(cfg, tag, scen, workdir, incoming=None):
    qmp = os.path.join(workdir, tag + ".qmp")
    ser = os.path.join(workdir, tag + ".serial")
    for p in (qmp, ser):
        if os.path.exists(p):
            os.unlink(p)
    cmdline = "console=ttyS0 quiet panic=-1 migsim.guest=%s migsim.args=%s" % (
        scen["program"], ",".join(str(a) for a in scen["args"]) or "-")
    argv = [cfg.qemu, "-machine", "pc", "-accel", "tcg", "-m", "1024", "-smp", "1",
            "-nodefaults", "-display", "none", "-no-reboot",
            "-kernel", cfg.kernel, "-initrd", cfg.initrd, "-append", cmdline,
            "-chardev", "socket,id=ser,path=%s,server=on,wait=off" % ser,
            "-serial", "chardev:ser", "-qmp", "unix:%s,server=on,wait=off" % qmp]
    if incoming:
        argv += ["-incoming", incoming]
    log = open(os.path.join(workdir, tag + ".log"), "w")
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    return proc, qmp, ser


def guest_speed(console, start, until):
    """Pass-counter increase per second over the warm-up's lines."""
    passes = [(t, int(l.split()[1])) for t, l in console.lines[start:]
              if l.startswith("MIGSIM-PASS ") and t <= until]
    if len(passes) < 2 or passes[-1][0] <= passes[0][0]:
        raise Failure("too few pass lines to time the guest")
    (t0, n0), (t1, n1) = passes[0], passes[-1]
    return (n1 - n0) / (t1 - t0)


def migrate(cfg, scen, src, dst, port):
    """Runs the migration and returns the query-migrate series."""
    caps = [{"capability": c, "state": True} for c in scen["caps"]]
    if caps:
        src.cmd("migrate-set-capabilities", capabilities=caps)
        dst.cmd("migrate-set-capabilities", capabilities=caps)
    src.cmd("migrate-set-parameters", **{"max-bandwidth": scen["max-bandwidth"],
                                         "downtime-limit": scen["downtime-limit"]})
    t0 = time.monotonic()
    src.cmd("migrate", uri="tcp:127.0.0.1:%d" % port)
    postcopy_sent = scen["postcopy"] == "immediately" and start_postcopy(src)
    series, cancelled = [], False
    while True:
        reply = src.cmd("query-migrate")
        series.append({"t": round(time.monotonic() - t0, 3), "reply": reply})
        status = reply.get("status")
        if status in ("completed", "failed", "cancelled"):
            return series
        if scen["postcopy"] and not postcopy_sent:
            syncs = reply.get("ram", {}).get("dirty-sync-count", 0)
            due = scen["postcopy"] == "immediately" or syncs >= 2
            postcopy_sent = due and start_postcopy(src)
        elapsed = time.monotonic() - t0
        if not cancelled and elapsed * 1000 > scen["timeout"]:
            src.cmd("migrate_cancel")
            cancelled = True
        if elapsed * 1000 > scen["timeout"] + 30000:
            raise Failure("migration still %s 30 s after its timeout" % status)
        time.sleep(POLL_S)


def start_postcopy(src):
    """Asks for the switch to post-copy; False when QEMU refused it for now
    (before the migration has started), so the poll loop asks again."""
    try:
        src.cmd("migrate-start-postcopy")
        return True
    except Failure:
        return False


def check_guest(console, tag):
    """Asks the guest that should be running to check its memory; it must
    answer and go on counting."""
    start = len(console.lines)
    console.send("check\n")
    i, (_, line) = console.wait_for("MIGSIM-CHECK", start, 60)
    console.wait_for("MIGSIM-PASS", i + 1, 60)
    return {"guest": tag, "result": line.split(" ", 1)[1], "runs-on": True}


def real_run(cfg, scen, rep):
    workdir = os.path.join(cfg.work, "%s-%d" % (scen["name"], rep))
    os.makedirs(workdir, exist_ok=True)
    port = free_port()
    procs, clients = [], []
    try:
        dproc, dqmp, dser = start_qemu(cfg, "dst", scen, workdir, "tcp:127.0.0.1:%d" % port)
        procs.append(dproc)
        sproc, sqmp, sser = start_qemu(cfg, "src", scen, workdir)
        procs.append(sproc)
        src, dst = Qmp(sqmp), Qmp(dqmp)
        scon, dcon = Console(sser), Console(dser)
        clients += [src, dst, scon, dcon]
        i, _ = scon.wait_for("MIGSIM-READY", 0, BOOT_TIMEOUT_S)
        time.sleep(cfg.warmup)
        speed = guest_speed(scon, i + 1, time.monotonic())
        series = migrate(cfg, scen, src, dst, port)
        if series[-1]["reply"].get("status") == "completed":
            check = check_guest(dcon, "destination")
        else:
            check = check_guest(scon, "source")
        return {"scenario": scen, "rep": rep, "qemu": src.version, "speed": speed,
                "series": series, "check": check}
    finally:
        for c in clients:
            c.close()
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


# --- migsim's side -------------------------------------------------------------

def measure_loopback(nbytes=512 << 20):
    """Bytes per second one TCP stream carries over 127.0.0.1."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)

    def sink():
        conn, _ = srv.accept()
        while conn.recv(1 << 20):
            pass
        conn.close()

    th = threading.Thread(target=sink)
    th.start()
    cli = socket.create_connection(srv.getsockname())
    chunk = b"\1" * (1 << 20)
    t0 = time.monotonic()
    for _ in range(nbytes // len(chunk)):
        cli.sendall(chunk)
    cli.close()
    th.join()
    srv.close()
    return nbytes / (time.monotonic() - t0)


def migsim_args(cfg, scen, speed):
    # --guest minimal-linux: the OS's memory (kernel, page cache, the
    # unpacked initramfs) and its background writes come from the guest
    # profile, placed where a kernel puts them, not from the idle run's
    # measurement: so the idle scenario's normal pages check the profile
    # instead of agreeing by construction (the measured base memory is
    # only reported). postcopy-switch-cost: the destination's switch work
    # measured on QEMU 10 under TCG (migsim's default, 0, leaves it out: the
    # guest then resumes before the stream has delivered anything and
    # faults on every page).
    args = [cfg.migsim, "run", os.path.join(HERE, "migsim", "guest.lua"),
            "--guest", "minimal-linux",
            "--param", "postcopy-switch-cost=25ms",
            "--ram", "1GiB", "--bandwidth", "%dB/s" % cfg.loopback,
            "--param", "max-bandwidth=%dB/s" % scen["max-bandwidth"],
            "--param", "downtime-limit=%dms" % scen["downtime-limit"],
            "--host-cpus", str(cfg.host_cpus), "--timeout", "%dms" % scen["timeout"],
            "--warmup", "%ds" % cfg.warmup, "--json", "--no-db",
            "--wl-param", "program=" + scen["program"],
            "--wl-param", "base_pages=0"]
    caps = [c for c in scen["caps"] if c != "postcopy-ram"]
    if caps:
        args += ["--cap", ",".join(caps)]
    if scen["postcopy"]:
        args += ["--postcopy", scen["postcopy"]]
    if scen["program"] == "calloc_loop":
        args += ["--wl-param", "pass_cost=%dns" % (1e9 / speed)]
    elif scen["program"] == "rewriter":
        args += ["--wl-param", "working_set=%dMiB" % scen["args"][0],
                 "--wl-param", "pages_per_second=%d" % round(speed)]
    return args


def migsim_run(cfg, scen, speed):
    args = migsim_args(cfg, scen, speed)
    proc = subprocess.run(args, capture_output=True, text=True)
    if proc.returncode not in (0, 3):
        raise Failure("migsim: %s" % proc.stderr.strip())
    return {"argv": args[1:], "reply": json.loads(proc.stdout)}


# --- the whole validation ------------------------------------------------------

def save(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def load(path):
    with open(path) as f:
        return json.load(f)


def run_scenario(cfg, scen, base_pages):
    """The real runs, then migsim, each saved in raw/; returns the base
    pages (from the idle scenario's normal pages when not known yet)."""
    for rep in range(1, cfg.reps + 1):
        run = real_run(cfg, scen, rep)
        save(os.path.join(cfg.raw, "%s-%d.json" % (scen["name"], rep)), run)
    real, _, speed, _ = scenario_result(cfg.raw, scen["name"], cfg.reps)
    if base_pages is None:
        base_pages = int(real["normal"][0]) - IDLE_BUFFER_PAGES
    sim = migsim_run(cfg, scen, speed)
    save(os.path.join(cfg.raw, "%s-migsim.json" % scen["name"]), sim)
    return base_pages


def scenario_result(raw, name, reps):
    """(combined real figures, migsim's figures or None, median guest speed,
    migsim's argument list) of one scenario, read back from raw/: the table
    is always made from the saved data, so --table-only remakes it."""
    runs = [load(os.path.join(raw, "%s-%d.json" % (name, rep))) for rep in range(1, reps + 1)]
    figs = []
    for run in runs:
        fig = vtable.figures([s["reply"] for s in run["series"]])
        fig["check"] = run["check"]["result"]
        figs.append(fig)
    real = vtable.combine(figs)
    real["checks"] = [f["check"] for f in figs]
    speed = statistics.median(run["speed"] for run in runs)
    sim_path = os.path.join(raw, "%s-migsim.json" % name)
    if not os.path.exists(sim_path):
        return real, None, speed, []
    sim = load(sim_path)
    return real, vtable.figures([sim["reply"]]), speed, sim["argv"]


def arg_after(argv, flag, prefix=""):
    """The value given to flag (and starting with prefix) in a migsim
    argument list."""
    for i, a in enumerate(argv[:-1]):
        if a == flag and argv[i + 1].startswith(prefix):
            return argv[i + 1][len(prefix):]
    return "?"


def mib_per_s(rate):
    """migsim's "NB/s" argument in MiB/s."""
    try:
        return "%.0f" % (int(rate[:-3]) / 1048576)
    except ValueError:
        return rate


def header(mode, version, speeds, argv):
    v = "%d.%d.%d" % (version.get("major", 0), version.get("minor", 0), version.get("micro", 0))
    lines = ["# migsim against QEMU %s (TCG, one vCPU, 1 GiB, loopback)" % v, ""]
    if version.get("major", 0) < 8:
        lines += ["**WARNING: QEMU %s is not ground truth: 7.2 under TCG was seen to lose "
                  "dirty pages (docs/validation.md).**" % v, ""]
    lines += ["- mode: %s; warm-up %s" % (mode, arg_after(argv, "--warmup")),
              "- loopback measured: %s MiB/s (migsim --bandwidth)" % mib_per_s(arg_after(argv, "--bandwidth")),
              "- migsim --host-cpus %s" % arg_after(argv, "--host-cpus"),
              "- migsim guest profile: %s (--guest)" % arg_after(argv, "--guest")]
    for name, speed, checks in speeds:
        lines.append("- %s: guest speed %.1f/s (pass counter), checks: %s" %
                     (name, speed, ", ".join(checks)))
    return lines + [""]


def report(cfg, names, errors):
    """Writes table.md from raw/ and prints the summary; returns the exit
    status (1 when a guest found its memory corrupted or a scenario failed)."""
    results, speeds, argv = [], [], []
    for name in names:
        real, sim, speed, sim_argv = scenario_result(cfg.raw, name, cfg.reps)
        if sim is None:
            continue
        results.append((name, real, sim))
        speeds.append((name, speed, real["checks"]))
        argv = argv or sim_argv
        print(vtable.summary_line(name, real, sim), flush=True)
    version = load(os.path.join(cfg.raw, "idle-1.json"))["qemu"]
    mode = "%s, %d real run(s) per scenario" % ("quick" if cfg.quick else "full", cfg.reps)
    head = header(mode, version, speeds, argv) + ["- " + e for e in errors] + [""] * bool(errors)
    with open(os.path.join(cfg.out, "table.md"), "w") as f:
        f.write(vtable.table(results, head))
    for key, heading, med, worst, where in vtable.ratio_stats(results):
        print("%-20s median x%s, worst x%s (%s)" % (heading, vtable.fmt_ratio(med),
                                                    vtable.fmt_ratio(worst), where))
    print("validate: table in %s" % os.path.join(cfg.out, "table.md"))
    bad = [c for _, _, checks in speeds for c in checks if c != "ok"]
    return 1 if bad or errors else 0


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 scenarios, one run each")
    ap.add_argument("--reps", type=int, help="real runs per scenario (default 3, quick 1)")
    ap.add_argument("--scenario", action="append", help="run only these (repeatable)")
    ap.add_argument("--qemu", default=os.environ.get("QEMU") or "qemu-system-x86_64")
    ap.add_argument("--kernel", default=os.environ.get("KERNEL"))
    ap.add_argument("--migsim", default=os.path.join(ROOT, "build", "migsim"))
    ap.add_argument("--out", default=os.path.join(ROOT, "results", "validation"))
    ap.add_argument("--warmup", type=int, default=5, help="seconds before migrating")
    ap.add_argument("--host-cpus", type=int, default=2)
    ap.add_argument("--busybox", default="/bin/busybox")
    ap.add_argument("--table-only", action="store_true",
                    help="remake table.md from raw/ without running anything")
    cfg = ap.parse_args(argv)
    cfg.reps = cfg.reps or (1 if cfg.quick else 3)
    cfg.kernel = cfg.kernel or (None if cfg.table_only else find_kernel())
    cfg.raw = os.path.join(cfg.out, "raw")
    cfg.work = os.path.join(ROOT, "build", "validation")
    return cfg


def main(argv):
    try:
        cfg = parse_args(argv)
        chosen = scenarios.select(cfg.quick, cfg.scenario)
        names = [scen["name"] for scen in chosen]
        if cfg.table_only:
            return report(cfg, names, [])
        os.makedirs(cfg.raw, exist_ok=True)
        cfg.initrd = build_initramfs(cfg.work, cfg.busybox)
        cfg.loopback = measure_loopback()
        print("validate: loopback %.0f MiB/s; %d scenario(s), %d real run(s) each" %
              (cfg.loopback / 1048576, len(chosen), cfg.reps), flush=True)
        errors, base_pages = [], None
        for scen in chosen:
            try:
                base_pages = run_scenario(cfg, scen, base_pages)
                print("validate: %s done" % scen["name"], flush=True)
            except Failure as e:
                if base_pages is None:
                    raise Failure("%s: %s (the other scenarios need it)" % (scen["name"], e))
                errors.append("%s: could not be run: %s" % (scen["name"], e))
                print("validate: %s" % errors[-1], flush=True)
                stale = os.path.join(cfg.raw, "%s-migsim.json" % scen["name"])
                if os.path.exists(stale):
                    os.unlink(stale)  # an earlier run's: its real runs are not all there
        return report(cfg, names, errors)
    except (Failure, ValueError, OSError, subprocess.CalledProcessError) as e:
        print("validate: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
