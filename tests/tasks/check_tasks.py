#!/usr/bin/python3
"""Independent evaluator for `xferlaw tasks gen` output: re-derives every answer with
Python's own arithmetic, eval and sorted, checks the operand ranges each task promises,
and (with several files) that the sets are pairwise disjoint.
usage: check_tasks.py FILE.jsonl [FILE.jsonl ...] [--disjoint]"""
import json, re, sys

PATTERNS = {
    "add": (r"Q: (\d+)\+(\d+)=", lambda a, b: (100 <= a <= 999 and 10 <= b <= 99, a + b)),
    "sub": (r"Q: (\d+)-(\d+)=", lambda a, b: (100 <= a <= 999 and 10 <= b <= 99, a - b)),
    "mul": (r"Q: (\d+)\*(\d+)=", lambda a, b: (10 <= a <= 99 and 0 <= b <= 9, a * b)),
    "div": (r"Q: (\d+)//(\d+)=", lambda a, b: (10 <= a <= 999 and 2 <= b <= 9, a // b)),
    "amp": (r"Q: (\d+)&(\d+)=", lambda a, b: (0 <= a <= 99 and 1 <= b <= 9, (a + 3) // b)),
}

def expected(task, prompt):
    if task in PATTERNS:
        pat, fn = PATTERNS[task]
        m = re.fullmatch(pat, prompt)
        if not m:
            return None
        ok, v = fn(int(m.group(1)), int(m.group(2)))
        return str(v) if ok else None
    if task == "expr":
        m = re.fullmatch(r"Q: ([0-9+*()]+)=", prompt)
        if not m:
            return None
        e = m.group(1)
        depth = best = 0
        for ch in e:
            depth += (ch == "(") - (ch == ")")
            best = max(best, depth)
            if depth < 0:
                return None
        if best > 3 or depth != 0 or re.search(r"\d\d", e):
            return None
        return str(eval(e, {"__builtins__": {}}))
    if task == "rev":
        m = re.fullmatch(r"Q: reverse ([a-z]{3,7})=", prompt)
        return m and m.group(1)[::-1]
    if task == "sort":
        m = re.fullmatch(r"Q: sort ([0-9]{3,7})=", prompt)
        return m and "".join(sorted(m.group(1)))
    if task == "count":
        m = re.fullmatch(r"Q: count ([abc]) in ([abc]{4,12})=", prompt)
        return m and str(m.group(2).count(m.group(1)))
    return None

def main():
    files = [a for a in sys.argv[1:] if not a.startswith("--")]
    bad = 0
    sets = []
    for path in files:
        prompts = set()
        n = 0
        with open(path) as f:
            for i, line in enumerate(f, 1):
                ex = json.loads(line)
                n += 1
                want = expected(ex["task"], ex["prompt"])
                if want is None or want != ex["answer"]:
                    bad += 1
                    if bad <= 5:
                        print(f"{path}:{i}: {ex} expected {want!r}")
                if ex["prompt"] in prompts:
                    bad += 1
                    print(f"{path}:{i}: duplicate prompt {ex['prompt']!r}")
                prompts.add(ex["prompt"])
        if n == 0:
            bad += 1
            print(f"{path}: empty")
        sets.append((path, prompts))
    if "--disjoint" in sys.argv:
        for i in range(len(sets)):
            for j in range(i + 1, len(sets)):
                common = sets[i][1] & sets[j][1]
                if common:
                    bad += 1
                    print(f"{sets[i][0]} and {sets[j][0]} share {len(common)} prompts, "
                          f"e.g. {sorted(common)[0]!r}")
    print(f"checked {sum(len(s) for _, s in sets)} examples, {bad} problems")
    return 1 if bad else 0

sys.exit(main())
