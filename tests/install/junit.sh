#!/usr/bin/env bash
# tests/install/junit.sh UVSIM JUNIT_PROG JUNIT_XSD — `--junit FILE` and
# `--json` of uvsim run, exec and node:
#   - the XML validates against junit.xsd (xmllint; the shape Jenkins,
#     GitLab and GitHub read), and is parsed: counts agree, one test case
#     per scenario or program, a failing one carries its reproducer and a
#     replay line that reproduces, text a program printed (<, &, a control
#     character, a byte that is not UTF-8) comes out as valid XML;
#   - --json makes stdout exactly one JSON object with the same cases and
#     the exit status, which is the documented one (0, 1, 2);
#   - bad uses are one-line usage errors (exit 2).
# First it checks that the validator rejects a malformed document.
set -euo pipefail
uvsim=${1:?usage: junit.sh UVSIM JUNIT_PROG JUNIT_XSD}
prog=${2:?}
xsd=${3:?}
command -v xmllint >/dev/null 2>&1 || { echo "SKIP: xmllint (libxml2-utils) is not installed; scripts/bootstrap installs it"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "FAIL: $*" >&2; exit 1; }

# The validator can fail: a testcase without its name.
printf '<testsuites><testsuite name="x" tests="1"><testcase classname="c"/></testsuite></testsuites>\n' > bad.xml
if xmllint --noout --schema "$xsd" bad.xml 2>/dev/null; then fail "junit.xsd accepts a testcase without a name"; fi

check() {  # check XML JSON EXIT WANT_TESTS WANT_FAILURES
  xmllint --noout --schema "$xsd" "$1" 2> xmllint.txt || { cat xmllint.txt "$1"; fail "$1 does not validate"; }
  python3 - "$@" <<'PY'
import json, subprocess, sys, xml.etree.ElementTree as ET
xmlf, jsonf, code, want_tests, want_fail = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
root = ET.parse(xmlf).getroot()
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
assert len(suites) == 1, suites
s = suites[0]
cases = s.findall("testcase")
fails = [c for c in cases if c.find("failure") is not None]
for el in (root, s):
    assert int(el.get("tests")) == len(cases) == want_tests, (el.get("tests"), len(cases), want_tests)
    assert int(el.get("failures")) == len(fails) == want_fail, (el.get("failures"), len(fails), want_fail)
    assert float(el.get("time")) >= 0
for c in cases:
    assert c.get("name") and c.get("classname", "").startswith("uvsim."), c.attrib
    assert float(c.get("time")) >= 0
    assert len(c.findall("failure")) <= 1
    f = c.find("failure")
    if f is not None:
        assert f.get("message") and f.get("type") == "uvsim.bug", f.attrib
        assert "replay: " in f.text, f.text
# --json: the same cases, and the exit status.
j = json.load(open(jsonf))
assert j["exit_status"] == code, (j["exit_status"], code)
assert j["tests"] == len(cases) and j["failures"] == len(fails), j
assert [c["name"] for c in j["cases"]] == [c.get("name") for c in cases]
for jc, c in zip(j["cases"], cases):
    assert (jc["status"] == "failed") == (c.find("failure") is not None), jc
    if jc["status"] == "failed":
        assert jc["bugs"] and all(b["replay"] for b in jc["bugs"]), jc
print(f"ok: {xmlf}: {len(cases)} test cases, {len(fails)} failing; JSON agrees, exit {code}")
PY
}

echo "== uvsim run"
set +e
"$uvsim" run lost_update --runs 300 --no-report --corpus corpus --junit run.xml --json > run.json 2> run.err
rc=$?
set -e
[ $rc = 1 ] || { cat run.err; fail "uvsim run (a bug found): exit $rc, want 1"; }
check run.xml run.json 1 2 1
# The failure's replay line reproduces.
line=$(python3 -c 'import json,sys; print(json.load(open("run.json"))["cases"][0]["bugs"][0]["replay"])')
case $line in "uvsim replay "*) ;; *) fail "replay line: $line" ;; esac
"$uvsim" ${line#uvsim } > replay.txt || { cat replay.txt; fail "'$line' does not reproduce"; }
grep -q 'testcase name="lost_update/fixed"' run.xml || fail "no case for lost_update/fixed"
# --expect: the buggy variant's bug is expected, nothing fails, exit 0.
"$uvsim" run lost_update --runs 300 --expect --no-report --corpus corpus --junit expect.xml --json > expect.json 2>/dev/null ||
  fail "uvsim run --expect: exit $?"
check expect.xml expect.json 0 2 0

echo "== uvsim exec"
set +e
"$uvsim" exec --runs 100 --junit exec.xml --json -- "$prog" buggy > exec.json 2> exec.err
rc=$?
set -e
[ $rc = 1 ] || { cat exec.err; fail "uvsim exec (failing program): exit $rc, want 1"; }
check exec.xml exec.json 1 1 1
grep -q 'replay: UVSIM_SEED=[0-9]* LD_PRELOAD=' exec.xml || fail "exec: no replay line in the XML"
grep -q '&lt;order&gt; &amp;' exec.xml || fail "exec: the program's stderr is not escaped"
"$uvsim" exec --runs 50 --junit exec-ok.xml --json -- "$prog" fixed > exec-ok.json 2>/dev/null || fail "uvsim exec (fixed): exit $?"
check exec-ok.xml exec-ok.json 0 1 0

echo "== uvsim node"
node18=${UVSIM_NODE:-/opt/uvsim/node18/usr/bin/node}
cat > fails.js <<'JS'
let order = [];
setTimeout(() => order.push('t'), 0);
setImmediate(() => order.push('i'));
setTimeout(() => { if (order.join('') !== 'ti') throw new Error('immediate ran first'); }, 5);
JS
if [ -x "$node18" ]; then
  set +e
  "$uvsim" node --runs 40 --corpus corpus --no-report --junit node.xml --json fails.js > node.json 2> node.err
  rc=$?
  set -e
  if [ $rc = 1 ]; then check node.xml node.json 1 1 1
  elif [ $rc = 0 ]; then check node.xml node.json 0 1 0
  else cat node.err; fail "uvsim node: exit $rc"; fi
else
  echo "note: no node 18 at $node18 (scripts/node18): node mode's --junit not checked here"
fi

echo "== bad uses"
one_line() {  # one_line WHAT CMD...: exit 2, one line on stderr
  local what=$1; shift
  set +e; "$@" > /dev/null 2> err.txt; local rc=$?; set -e
  [ $rc = 2 ] || fail "$what: exit $rc, want 2"
  [ "$(wc -l < err.txt)" = 1 ] || { cat err.txt; fail "$what: not one line"; }
}
one_line "run --junit without a file" "$uvsim" run lost_update --junit
one_line "exec --junit without a file" "$uvsim" exec --runs 1 --junit
one_line "node --json without --runs" "$uvsim" node --json fails.js
set +e
"$uvsim" run lost_update/fixed --runs 10 --no-report --junit "$tmp/no/such/dir/x.xml" > /dev/null 2> err.txt
rc=$?
set -e
[ $rc = 2 ] && grep -q -- '--junit' err.txt || { cat err.txt; fail "an unwritable --junit FILE: exit $rc, want 2 and a message"; }
echo "junit: all checks passed"
