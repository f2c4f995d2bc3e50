"""scenarios.py - the validation scenarios (docs/validation.md): for each,
the guest program and its arguments, QEMU's migration parameters and
capabilities, the post-copy rule and the timeout after which the driver
cancels the migration. Sizes are bytes, times milliseconds.

The rewriter's rates are fractions of its scenario's max-bandwidth in 4 KiB
pages per second: at 32 MiB/s the cap is 8192 pages/s.
"""

MIB = 1 << 20
REWRITER_WS_MIB = 128
REWRITER_CAP = 32 * MIB


def _scenario(name, program, args, bandwidth, downtime, caps=(), postcopy=None, timeout=60000):
    return {
        "name": name,
        "program": program,
        "args": list(args),
        "max-bandwidth": bandwidth,
        "downtime-limit": downtime,
        "caps": list(caps),
        "postcopy": postcopy,
        "timeout": timeout,
    }


def _rewriter(name, share, caps=()):
    rate = int(REWRITER_CAP // 4096 * share)
    return _scenario(name, "rewriter", [REWRITER_WS_MIB, rate], REWRITER_CAP, 300, caps)


ALL = [
    _scenario("idle", "idle", [], 128 * MIB, 300),
    _scenario("calloc-2011", "calloc_loop", [64], 32 * MIB, 30, timeout=30000),
    _scenario("calloc-2011-xbzrle", "calloc_loop", [64], 32 * MIB, 30, ["xbzrle"], timeout=30000),
    _scenario("calloc-128M-300ms", "calloc_loop", [64], 128 * MIB, 300),
    _rewriter("rewriter-25", 0.25),
    _rewriter("rewriter-50", 0.50),
    _rewriter("rewriter-90", 0.90),
    _rewriter("rewriter-90-ac", 0.90, ["auto-converge"]),
    _scenario("postcopy-now", "calloc_loop", [64], 32 * MIB, 30, ["postcopy-ram"], "immediately"),
    _scenario("postcopy-pass1", "calloc_loop", [64], 32 * MIB, 30, ["postcopy-ram"],
              "after-first-pass"),
]

# The quick mode: the idle guest (which also measures the guest's non-zero
# memory the others need), one converging calloc loop and one paced rewriter.
QUICK = ["idle", "calloc-128M-300ms", "rewriter-50"]


def select(quick, names=None):
    """The scenarios to run, in order; the idle one always comes first since
    the others take their base memory from it."""
    wanted = names or (QUICK if quick else [s["name"] for s in ALL])
    unknown = [n for n in wanted if n not in [s["name"] for s in ALL]]
    if unknown:
        raise ValueError("unknown scenario %s (known: %s)" %
                         (", ".join(unknown), ", ".join(s["name"] for s in ALL)))
    if "idle" not in wanted:
        wanted = ["idle"] + list(wanted)
    return [s for s in ALL if s["name"] in wanted]
