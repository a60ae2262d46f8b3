#!/usr/bin/python3
"""Hostile labels and the tables that carry them (python: /usr/bin/python3).

  labels.py tables DIR PLANTED.csv  writes DIR/{transfer,matrix,jumps}.csv whose curriculum,
                                    task and group names are the hostile labels
  labels.py check DIR...            checks every *.gp under DIR: no hostile text outside a
                                    string literal, no dangerous byte inside one

Each label would run `touch pwnedN` (N = its index) if it reached gnuplot or a shell as
code; the caller also checks that no pwned* file appears."""
import csv, os, re, sys

LABELS = [
    "'; system('touch pwned0'); '",            # single quote: break out of '...'
    "ok\n! touch pwned1",                      # newline + gnuplot shell escape
    'x"; system("touch pwned2"); "',           # double quote: break out of "..."
    "`touch pwned3`",                          # backticks run inside double quotes
    "a@b`touch pwned4`",                       # macro marker with a command
    "x'.system('touch pwned5').'",             # string concatenation
    "tail\\",                                  # backslash: continues a comment line
    "c\\'); system('touch pwned7'); #",        # backslash before a quote
    "$(touch pwned8)|touch pwned8",            # shell syntax for a shell-run path
    "<touch pwned9",                           # '< cmd' data file name runs a shell
    "\r! touch pwned10\r\n",                   # carriage returns
    "ok\\\n! touch pwned11",                   # backslash-newline
]
MARK = re.compile(r"pwned|system|touch")


def tables(out, planted):
    with open(planted) as f:
        rows = list(csv.reader(f))
    hdr, body = rows[0], rows[1:]
    curs = sorted({r[0] for r in body if r[0] != "scratch"})
    # transfer.csv: one curriculum per label, each a copy of a planted curriculum's runs
    with open(os.path.join(out, "transfer.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(hdr)
        for r in body:
            if r[0] == "scratch":
                w.writerow(r)
        for k, lab in enumerate(LABELS):
            for r in body:
                if r[0] == curs[k % len(curs)]:
                    w.writerow([lab] + r[1:])
    # the CSV reader refuses a newline inside a field: these tables carry the others
    one_line = [s for s in LABELS if "\n" not in s and "\r" not in s]
    tasks = one_line[:6]
    with open(os.path.join(out, "matrix.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["source", "target", "gain"])
        for i, a in enumerate(tasks):
            for j, b in enumerate(tasks):
                w.writerow([a, b, "%.3f" % (0.5 if i == j else 0.1 * ((i * 7 + j * 3) % 5 - 2))])
    with open(os.path.join(out, "jumps.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["grp", "N", "acc"])
        for g in one_line[:4]:
            for k in range(12):
                n = 10 ** (5 + k * 0.3)
                w.writerow([g, "%.6g" % n, "%.4f" % (0.1 + (0.7 if k >= 7 else 0.02 * k))])


def literals(line):
    """Split a gnuplot line into (code, [string literals], comment or None); '' doubles a
    single quote, backslash escapes inside double quotes."""
    code, lits, i, comment = [], [], 0, None
    while i < len(line):
        c = line[i]
        if c == "#":
            comment = line[i:]
            lits.append(comment)      # inert text, checked like a literal
            break
        if c in "'\"":
            j, s = i + 1, []
            while j < len(line):
                if c == "'" and line[j] == "'" and line[j + 1:j + 2] == "'":
                    s.append("'"); j += 2; continue
                if c == '"' and line[j] == "\\":
                    s.append(line[j:j + 2]); j += 2; continue
                if line[j] == c:
                    break
                s.append(line[j]); j += 1
            lits.append("".join(s))
            i = j + 1
            continue
        code.append(c)
        i += 1
    return "".join(code), lits, comment


def check_line(line, where, bad, depth=0):
    code, lits, comment = literals(line)
    if depth == 0 and code.lstrip().startswith("!"):
        bad.append("%s: shell escape line" % where)
    if MARK.search(code) or "`" in code:
        bad.append("%s: input text or a backtick outside a string: %r" % (where, line))
    if comment is not None and (comment.endswith("\\") or "`" in comment):
        bad.append("%s: comment continued by a backslash or with a backtick" % where)
    for s in lits:
        if not MARK.search(s):
            continue
        if depth == 0 and '"' in s and "'" not in s:
            # a string of ours that a template eval()s: its own literals must be clean
            check_line(s, where + " (eval)", bad, 1)
        elif re.search(r"['\"`@\\$!<|;\r]", s):
            bad.append("%s: dangerous byte in a literal: %r" % (where, s))


def check(dirs):
    bad = []
    n = 0
    for d in dirs:
        for root, _, files in os.walk(d):
            for fn in files:
                if not fn.endswith(".gp"):
                    continue
                n += 1
                p = os.path.join(root, fn)
                with open(p, encoding="utf-8", errors="replace") as f:
                    text = f.read()
                for no, line in enumerate(text.split("\n"), 1):
                    if "\r" in line:
                        bad.append("%s:%d: carriage return" % (p, no))
                    check_line(line, "%s:%d" % (p, no), bad)
    if n == 0:
        bad.append("no gnuplot scripts under %s" % " ".join(dirs))
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1] == "tables":
        tables(sys.argv[2], sys.argv[3])
    else:
        sys.exit(check(sys.argv[2:]))
