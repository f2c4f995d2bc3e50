"""Builds run databases with known metric values for the e2e tests of
compare, export and report (tests/e2e/t_compare.sh, ...).

    python3 rundb.py TEMPLATE.db OUT.db SPEC.json

TEMPLATE.db holds one real run (from `migsim run`): its schema, user_version
and the run's config are copied, so OUT.db is what migsim itself writes.
SPEC is a list of groups, each {"policy": ..., "workload": ...,
"experiment": ..., "config": {field: value, ...}, "params": {param: value}, "drop": [param, ...],
"metrics": {name: [value per seed, ...]}}; run i of a group has seed i + 1.
"""
import json
import shutil
import sqlite3
import sys

tmpl, out, spec = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
shutil.copyfile(tmpl, out)
db = sqlite3.connect(out)
db.execute("PRAGMA foreign_keys = ON")
row = db.execute("SELECT workload, workload_path, wl_params, config, result, migsim_version"
                 " FROM runs ORDER BY id LIMIT 1").fetchone()
db.execute("DELETE FROM runs")
for g in spec:
    cfg = json.loads(row[3])
    cfg.update(g.get("config", {}))
    cfg["parameters"].update(g.get("params", {}))
    for name in g.get("drop", []):  # a parameter an older migsim did not have
        del cfg["parameters"][name]
    n = max(len(v) for v in g["metrics"].values())
    for i in range(n):
        cfg["seed"] = i + 1
        cur = db.execute(
            "INSERT INTO runs (experiment, workload, workload_path, wl_params, policy, config,"
            " seed, status, result, migsim_version) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (g.get("experiment"), g.get("workload", row[0]), row[1], row[2],
             g.get("policy", "precopy"), json.dumps(cfg), i + 1, g.get("status", "completed"),
             row[4], row[5]))
        for name, vals in g["metrics"].items():
            if i < len(vals):
                db.execute("INSERT INTO metrics VALUES (?,?,?)", (cur.lastrowid, name, vals[i]))
# The experiment's own policy name, as migsim writes it (schema version 3).
if any(c[1] == "policy_name" for c in db.execute("PRAGMA table_info(runs)")):
    db.execute("UPDATE runs SET policy_name = json_extract(config, '$.sweep.policy.name')")
db.commit()
db.close()
