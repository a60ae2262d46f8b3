#!/usr/bin/python3
"""A stand-in for `xferlaw train` honouring TRAIN_CONTRACT.md, for sweep tests.

Loss is a known function of N and D (so tests can check what lands in runs.jsonl):
    scratch:   L = 1.5 + (2e4/N)^0.3 + (1e3/D)^0.4
    fine-tune: the same with D replaced by D + 5e3 (transfer), from a checkpoint that
               must exist (tests the sweep's dependency order).
It sleeps FAKE_TRAIN_SECONDS (default 0.4) in 8 evaluation steps, writing curve.jsonl
and last.ckpt as it goes; --resume continues from last.ckpt.  FAKE_TRAIN_FAIL=S makes
runs whose --data-size equals S exit 1; FAKE_TRAIN_KILL=S makes them die of SIGKILL (as
under the OOM killer).  Every start is logged to $FAKE_TRAIN_LOG."""
import json, os, sys, time

def main(argv):
    opts, flags, i = {}, set(), 0
    while i < len(argv):
        a = argv[i]
        if a in ("--resume", "--quiet"):
            flags.add(a); i += 1
        elif a.startswith("--") and i + 1 < len(argv):
            opts[a[2:]] = argv[i + 1]; i += 2
        else:
            print("fake_train: bad argument %r" % a, file=sys.stderr); return 1
    out = opts.get("out")
    if not out or "data" not in opts:
        print("fake_train: --out and --data are required", file=sys.stderr); return 1
    os.makedirs(out, exist_ok=True)
    if os.environ.get("FAKE_TRAIN_LOG"):
        with open(os.environ["FAKE_TRAIN_LOG"], "a") as f:
            f.write("%s %s\n" % (os.path.basename(out), "resume" if "--resume" in flags else "start"))
    D = float(opts.get("data-size", 0)) or 1e6
    if os.environ.get("FAKE_TRAIN_FAIL") and opts.get("data-size") == os.environ["FAKE_TRAIN_FAIL"]:
        print("fake_train: planted failure", file=sys.stderr); return 1
    if os.environ.get("FAKE_TRAIN_KILL") and opts.get("data-size") == os.environ["FAKE_TRAIN_KILL"]:
        import signal
        print("fake_train: about to be killed", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    shape = {k: int(opts.get(k, d)) for k, d in (("n-layer", 2), ("d-model", 64), ("n-head", 4), ("ctx", 64))}
    init = opts.get("init-from")
    if init:
        try:
            with open(init) as f:
                shape = json.load(f)["shape"]
        except (OSError, ValueError, KeyError) as e:
            print("fake_train: --init-from %s: %s" % (init, e), file=sys.stderr); return 1
        D += 5e3
    N = 12 * shape["n-layer"] * shape["d-model"] ** 2
    final = 1.5 + (2e4 / N) ** 0.3 + (1e3 / D) ** 0.4
    steps, start, curve = 8, 0, []
    last = os.path.join(out, "last.ckpt")
    if "--resume" in flags and os.path.exists(last):
        with open(last) as f:
            st = json.load(f)
        start, curve = st["step"], st["curve"]
    total = float(os.environ.get("FAKE_TRAIN_SECONDS", "0.4"))
    batch, ctx = int(opts.get("batch", 16)), shape["ctx"]
    for s in range(start + 1, steps + 1):
        time.sleep(total / steps)
        val = final + 2.0 / s - 2.0 / steps
        curve.append({"step": s * 10, "tokens": s * 10 * batch * ctx, "lr": float(opts.get("lr", 3e-3)),
                      "train_loss": val - 0.01, "val_loss": val, "seconds": s * total / steps})
        with open(os.path.join(out, "curve.jsonl.tmp"), "w") as f:
            f.write("".join(json.dumps(c) + "\n" for c in curve))
        os.replace(os.path.join(out, "curve.jsonl.tmp"), os.path.join(out, "curve.jsonl"))
        with open(last + ".tmp", "w") as f:
            json.dump({"step": s, "curve": curve, "shape": shape}, f)
        os.replace(last + ".tmp", last)
    with open(os.path.join(out, "best.ckpt.tmp"), "w") as f:
        json.dump({"shape": shape}, f)
    os.replace(os.path.join(out, "best.ckpt.tmp"), os.path.join(out, "best.ckpt"))
    tokens = steps * 10 * batch * ctx
    rec = {"id": "fake%08x" % (hash(tuple(sorted(opts.items()))) & 0xffffffff),
           "config": opts, "data": {"spec": opts["data"], "D": D - (5e3 if init else 0),
                                    "train_sha256": "0" * 64, "tokenizer_id": "fake", "split": "val"},
           "N": N, "n_params_total": N + 256 * shape["d-model"], "trainable_fraction": 1.0,
           "best_val_loss": final, "best_val_bpb": final / 0.6931, "best_step": steps * 10,
           "best_tokens": tokens, "tokens_seen": tokens, "flops": 6.0 * N * tokens,
           "tokens_per_s": tokens / total, "seconds": total, "curve": "curve.jsonl",
           "checkpoint": "best.ckpt", "init_from": init}
    with open(os.path.join(out, "run.json.tmp"), "w") as f:
        json.dump(rec, f)
    os.replace(os.path.join(out, "run.json.tmp"), os.path.join(out, "run.json"))
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
