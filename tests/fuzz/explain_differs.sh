#!/usr/bin/env bash
# tests/fuzz/explain_differs.sh UVSIM — an explanation explains: for every
# decisive decision of every bug of the bundled C scenarios, "then" (the
# failing order) and "instead of" (the order with that decision at 0) are
# never the same text. write_after_close showed two identical lines before.
set -euo pipefail
uvsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
scenarios=$("$uvsim" list | awk '$1 ~ /\/buggy$/ && $1 !~ /^js-/ {print $1}')
# shellcheck disable=SC2086
"$uvsim" run $scenarios --corpus c --out o --report r --quiet >/dev/null || true
python3 - o/r/report.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
n = bad = 0
for c in d["campaigns"]:
    for b in c.get("bugs", []):
        for x in b.get("decisive", []):
            n += 1
            if x["then"] == x["instead_of"]:
                bad += 1
                print("FAIL: %s/%s: %s %s: then == instead of: %s"
                      % (c["scenario"], c["variant"], x["kind"], x["label"], x["then"]))
print("%d decisive decisions explained, %d with identical orders" % (n, bad))
sys.exit(1 if bad or n == 0 else 0)
PY
