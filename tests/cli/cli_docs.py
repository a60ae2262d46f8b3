#!/usr/bin/python3
"""Every command and option in the help texts is documented in docs/commands/, and back.

    cli_docs.py XFERLAW SRCDIR

Commands come from `xferlaw help`; each must have docs/commands/CMD.md, listed in
docs/commands/README.md (which also describes `help` and `version`), and every page there
must be a command.  Options are the
`--name` and `-o` tokens: those of `xferlaw help CMD` must appear in the page's option
sections (headings containing "options"; a page that links to transfer.md#analysis-options
also gets transfer's analysis options), and every option in those sections must appear in
the help text.

`--bootstrap B` means one thing in every command that takes it: each help states it in the
same words with its default, and the command's page gives the same words and default."""
import os
import re
import subprocess
import sys

OPT = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-o)(?![\w-])")
BOOT = ("bootstrap replicates (seeded resamples of the rows, each fitted again) for the 95% "
        "intervals; 0 = none")


def bootstrap_default(c, helptext, doc, fails):
    """The default that 'xferlaw help c' states for --bootstrap, checked against the page."""
    flat = " ".join(helptext.split())
    m = re.search(r"--bootstrap B " + re.escape(BOOT) + r" \(default (\d+)", flat)
    if not m:
        fails.append(f"{c}: 'xferlaw help {c}' does not say '--bootstrap B {BOOT} (default N'")
        return
    rows = [l for l in doc.splitlines() if l.startswith("| `--bootstrap B` |")]
    want = re.compile(r"\| `--bootstrap B` \| " + re.escape(BOOT) + r".*\| " + m[1] + r" \|$")
    if len(rows) != 1 or not want.match(rows[0]):
        fails.append(f"{c}: docs/commands/{c}.md's --bootstrap row is not '{BOOT} ... | {m[1]} |'")


def run(xl, *args):
    p = subprocess.run([xl, *args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(['xferlaw', *args])} exited {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def sections(md, pred):
    """Text of the sections whose '## ' heading satisfies pred (up to the next '## ')."""
    out, keep = [], False
    for line in md.splitlines():
        if line.startswith("## "):
            keep = pred(line[3:].strip().lower())
        elif keep:
            out.append(line)
    return "\n".join(out)


def main():
    xl, src = sys.argv[1], sys.argv[2]
    cdir = os.path.join(src, "docs", "commands")
    fails = []
    top = run(xl, "help")
    cmds = re.findall(r"^  ([a-z]+) ", top, re.M)
    if len(cmds) < 10:
        sys.exit(f"FAIL: 'xferlaw help' lists only {cmds}")
    index = open(os.path.join(cdir, "README.md")).read()
    pages = {f[:-3] for f in os.listdir(cdir) if f.endswith(".md") and f != "README.md"}
    for extra in sorted(pages - set(cmds)):
        fails.append(f"docs/commands/{extra}.md documents no command of 'xferlaw help'")
    transfer_md = open(os.path.join(cdir, "transfer.md")).read() if "transfer" in pages else ""
    shared = sections(transfer_md, lambda h: h == "analysis options")
    for verb in ("help", "version"):   # documented on the index page, not a page each
        if verb not in cmds:
            fails.append(f"'xferlaw help' does not list '{verb}'")
        if f"`xferlaw {verb}" not in index:
            fails.append(f"docs/commands/README.md does not describe 'xferlaw {verb}'")
    cmds = [c for c in cmds if c not in ("help", "version")]
    for c in cmds:
        if c not in pages:
            fails.append(f"command '{c}' has no page docs/commands/{c}.md")
            continue
        if f"({c}.md)" not in index:
            fails.append(f"docs/commands/README.md does not link {c}.md")
        md = open(os.path.join(cdir, c + ".md")).read()
        doc = sections(md, lambda h: "options" in h)
        if "transfer.md#analysis-options" in md:
            doc += "\n" + shared
        helptext = run(xl, "help", c)
        helped = set(OPT.findall(helptext))
        # takes it: an option line or a synopsis '[--bootstrap' (predict only names fit's)
        if re.search(r"^\s*--bootstrap\b|\[--bootstrap\b", helptext, re.M):
            bootstrap_default(c, helptext, doc, fails)
        documented = set(OPT.findall(doc))
        if not documented:
            fails.append(f"docs/commands/{c}.md has no options section")
        for o in sorted(helped - documented):
            fails.append(f"{c}: option {o} is in 'xferlaw help {c}' but not in docs/commands/{c}.md")
        for o in sorted(documented - helped):
            fails.append(f"{c}: option {o} is in docs/commands/{c}.md but not in 'xferlaw help {c}'")
    for f in fails:
        print("FAIL:", f)
    print(f"{len(cmds)} commands checked, {len(fails)} problems")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
