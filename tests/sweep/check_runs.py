#!/usr/bin/python3
"""check_runs.py RUNS.jsonl PLAN_IDS_FILE: every planned id exactly once, nothing else,
and every line is a usable measurement row (curriculum, kind, N, D, loss, dir)."""
import json, sys
lines = [l for l in open(sys.argv[1]).read().split("\n") if l]
plan = [l.strip() for l in open(sys.argv[2]) if l.strip()]
recs = [json.loads(l) for l in lines]
ids = [r["id"] for r in recs]
bad = 0
dups = sorted({i for i in ids if ids.count(i) > 1})
if dups:
    print("duplicated ids:", dups); bad = 1
if set(ids) != set(plan):
    print("missing:", sorted(set(plan) - set(ids)), "unexpected:", sorted(set(ids) - set(plan))); bad = 1
for r in recs:
    for k in ("curriculum", "kind", "N", "D", "loss", "dir", "flops", "tokens_per_s", "seconds"):
        if k not in r:
            print("record %s lacks %s" % (r["id"], k)); bad = 1
    if r.get("kind") not in ("pretrain", "finetune", "scratch"):
        print("bad kind", r.get("kind")); bad = 1
    if r.get("kind") == "finetune" and not r.get("init_from_id"):
        print("fine-tune without init_from_id", r["id"]); bad = 1
sys.exit(bad)
