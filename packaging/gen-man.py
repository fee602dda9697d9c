#!/usr/bin/env python3
"""packaging/gen-man.py UVSIM VERSION OUT — uvsim.1 from the built binary's
own help text: `uvsim help` (NAME, SYNOPSIS, DESCRIPTION) and `uvsim help
COMMAND` for every command it lists. The text is the binary's, verbatim
(preformatted), so the man page never says something --help does not."""
import re
import subprocess
import sys


def helptext(uvsim, *args):
    r = subprocess.run([uvsim, "help", *args], capture_output=True, text=True)
    if r.returncode != 0 or not r.stdout.strip():
        sys.exit(f"gen-man: `uvsim help {' '.join(args)}` failed: {r.stderr.strip()}")
    return r.stdout


def roff(text):
    out = []
    for line in text.rstrip("\n").split("\n"):
        line = line.replace("\\", "\\e")
        if line.startswith((".", "'")):
            line = "\\&" + line
        out.append(line)
    return "\n".join(out)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: gen-man.py UVSIM VERSION OUT")
    uvsim, version, out = sys.argv[1:]
    main_help = helptext(uvsim)
    lines = main_help.split("\n")
    # "Deterministic simulation ..." : the first paragraph after the usage.
    summary = next((l for l in lines[1:] if l.strip()), "uvsim").strip().rstrip(".")
    commands, in_cmds = [], False
    for l in lines:
        if l.startswith("commands:"):
            in_cmds = True
            continue
        if in_cmds:
            m = re.match(r"^  ([a-z]+)\b", l)
            if not m:
                if not l.strip():
                    break
                continue
            commands.append(m.group(1))
    commands = [c for c in commands if c != "help"]
    if not commands:
        sys.exit("gen-man: no commands in `uvsim help`")
    page = [
        f'.TH UVSIM 1 "" "uvsim {version}" "User Commands"',
        ".SH NAME",
        "uvsim \\- " + roff(summary[0].lower() + summary[1:]),
        ".SH SYNOPSIS",
    ]
    for c in commands:
        first = helptext(uvsim, c).split("\n", 1)[0]
        page += [".nf", roff(first.replace("usage: ", "", 1)), ".fi", ".br"]
    page += [".SH DESCRIPTION", ".nf", roff(main_help), ".fi", ".SH COMMANDS"]
    for c in commands:
        page += [f".SS uvsim {c}", ".nf", roff(helptext(uvsim, c)), ".fi"]
    page += [".SH SEE ALSO",
             "The documentation in the source tree: docs/cli.md, docs/install.md."]
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(page) + "\n")
    import os
    os.replace(tmp, out)


if __name__ == "__main__":
    main()
