# The migration thread and the vCPU on one host CPU (host-cpus=1, sim/host.h):
# a guest that computes all the time (cpubound.lua, a step of 1 ms) loses
# the CPU time the thread takes in its slices, and the thread, whose copy
# cost (12 ns a byte: 80 MiB/s alone) exceeds its half of the CPU, falls
# below its 64 MiB/s cap. With a CPU each (the default), the thread reaches
# the cap and the guest loses only its pause.
. "$E2E_LIB"
run() {
	"$MIGSIM" run --guest bare "$ROOT/tests/unit/lua/cpubound.lua" --ram 256MiB --bandwidth 10Gbit/s \
		--param max-bandwidth=64MiB/s --param page-copy-cost=12 --no-db --json "$@"
}
run >"$WORK/own.json" || die "run with a CPU each failed"
run --param host-cpus=1 >"$WORK/shared.json" || die "run on a shared CPU failed"
python3 - "$WORK/own.json" "$WORK/shared.json" <<'PY'
import json, sys
own, shared = (json.load(open(f)) for f in sys.argv[1:3])
cap = 64 * 2**20
def figures(r):
    m = r["migsim"]
    assert r["status"] == "completed" and m["verified"] is True, r["status"]
    t = m["total-time-ns"] / 1e9
    running = t - m["guest-pause-ns"] / 1e9        # the guest's time on the source
    return t, running, m["thread-cpu-ns"] / 1e9, m["guest-steps"] / 1000.0, r["ram"]["transferred"] / t
t, running, cpu, steps_s, rate = figures(own)
assert rate >= cap, ("own CPU: below the cap", rate / 2**20)
assert abs(steps_s - running) <= 0.002, ("own CPU: the guest lost more than its pause", steps_s, running)
t1, running1, cpu1, steps1_s, rate1 = figures(shared)
assert rate1 < 0.75 * cap, ("shared CPU: the thread kept its cap", rate1 / 2**20)
assert cpu1 > 0.3 * running1, ("the thread's share is too small to tell", cpu1, running1)
# The guest computed what the thread left it: its running time minus the
# thread's CPU, give or take the thread's CPU during the pause (at most the
# pause, when the guest was not computing anyway).
pause1 = t1 - running1
low, high = running1 - cpu1, running1 - cpu1 + pause1
assert 0.99 * low <= steps1_s <= 1.01 * high, ("guest progress", steps1_s, low, high)
print("own CPU: %.1f MiB/s, guest %.3f of %.3f s; shared: %.1f MiB/s, guest %.3f s of %.3f "
      "(thread %.3f s CPU)" % (rate / 2**20, steps_s, running, rate1 / 2**20, steps1_s,
                               running1, cpu1))
PY
