#!/usr/bin/env python3
"""tests/lib/strip_report.py REPORT.json — the report without what differs
between two runs of the same campaign (elapsed time, rate), keys sorted:
what tests compare byte for byte (fuzz_jobs_determinism, fuzz_shard_merge)."""
import json
import sys


def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in ("elapsed_s", "runs_per_s")}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x


print(json.dumps(strip(json.load(open(sys.argv[1]))), indent=1, sort_keys=True))
