#!/usr/bin/env python3
"""loop/filter-stubs.py ZSTUBS_C OUT_C OBJ... — drops from the generated stub
file (loop/zstubs.c) every stub whose function some object of loop/ already
defines, and writes the rest to OUT_C (the build runs this).

Why: the stubs are weak, but in a static archive a weak definition still
satisfies an undefined reference, so if the linker happened to pull the
stub member before the member with the real function, the program would
get the stub silently. With the implemented names filtered out, each uv_*
symbol has exactly one definition in libuvsim."""
import re, subprocess, sys

src, out, objs = sys.argv[1], sys.argv[2], sys.argv[3:]
defined = set()
if objs:
    nm = subprocess.run(["nm", "--defined-only", "-g"] + objs,
                        capture_output=True, text=True, check=True).stdout
    for line in nm.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "TtDdBbRrWwVv":
            defined.add(f[2])

text = open(src).read()
# Each stub is one block: '__attribute__((weak)) RET NAME(ARGS) {' ... '}\n\n'.
blocks = re.split(r"(?m)^(?=__attribute__\(\(weak\)\))", text)
kept, dropped = [blocks[0]], 0
for b in blocks[1:]:
    m = re.match(r"__attribute__\(\(weak\)\)[^(]*?\b(uv_\w+)\s*\(", b)
    if m and m.group(1) in defined:
        dropped += 1
        # keep whatever followed the function (there is nothing but blanks)
        continue
    kept.append(b)
with open(out + ".tmp", "w") as f:
    f.write("/* GENERATED from loop/zstubs.c by loop/filter-stubs.py: %d stubs\n"
            " * dropped because loop/ implements them. */\n" % dropped)
    f.write("".join(kept))
import os
os.replace(out + ".tmp", out)
