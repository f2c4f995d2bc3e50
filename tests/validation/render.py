"""render.py - prints what vtable.py makes of the recorded fixtures here:
the QMP lines parsed, then the summary lines and the Markdown table of two
scenarios (t_validate_table.sh compares the output with expected.txt)."""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "validation"))
import vtable  # noqa: E402


def load(name):
    with open(os.path.join(here, name)) as f:
        return json.load(f)


with open(os.path.join(here, "qmp.txt")) as f:
    for line in f:
        print("qmp:", vtable.parse_qmp_line(line))
xbzrle_real = vtable.combine([vtable.figures(load("real-%d.json" % i)) for i in (1, 2, 3)])
idle_real = vtable.combine([vtable.figures(load("idle-real.json"))])
results = [("idle", idle_real, vtable.figures([load("idle-migsim.json")])),
           ("calloc-2011-xbzrle", xbzrle_real, vtable.figures([load("migsim.json")]))]
for name, real, sim in results:
    print(vtable.summary_line(name, real, sim))
sys.stdout.write(vtable.table(results, ["# fixture", ""]))
