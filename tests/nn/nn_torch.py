#!/usr/bin/python3
"""llm.c test_gpt2 style: the same weights and inputs through PyTorch (Debian
python3-torch) must give our logits, loss, every parameter gradient (within 1e-4 of each
tensor's largest magnitude) and the losses of a few clipped AdamW steps.
Usage: nn_torch.py NN_DUMP_BINARY"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

NAMES = ["wte", "wpe", "ln1w", "ln1b", "qkvw", "qkvb", "attprojw", "attprojb",
         "ln2w", "ln2b", "fcw", "fcb", "fcprojw", "fcprojb", "lnfw", "lnfb"]


def shapes(V, ctx, L, C):
    return [(V, C), (ctx, C), (L, C), (L, C), (L, 3 * C, C), (L, 3 * C), (L, C, C), (L, C),
            (L, C), (L, C), (L, 4 * C, C), (L, 4 * C), (L, C, 4 * C), (L, C), (C,), (C,)]


def forward(P, idx, L, H, C):
    B, T = idx.shape
    hs = C // H
    x = P["wte"][idx] + P["wpe"][:T]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for l in range(L):
        h = F.layer_norm(x, (C,), P["ln1w"][l], P["ln1b"][l], 1e-5)
        qkv = h @ P["qkvw"][l].T + P["qkvb"][l]
        q, k, v = qkv.split(C, dim=2)
        q, k, v = (t.view(B, T, H, hs).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / (hs ** 0.5)
        att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        x = x + y @ P["attprojw"][l].T + P["attprojb"][l]
        h = F.layer_norm(x, (C,), P["ln2w"][l], P["ln2b"][l], 1e-5)
        f = F.gelu(h @ P["fcw"][l].T + P["fcb"][l], approximate="tanh")
        x = x + f @ P["fcprojw"][l].T + P["fcprojb"][l]
    x = F.layer_norm(x, (C,), P["lnfw"], P["lnfb"], 1e-5)
    return x @ P["wte"].T


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "dump.bin")
        subprocess.run([sys.argv[1], path], check=True)
        raw = open(path, "rb").read()
    hdr = np.frombuffer(raw, np.int32, 8)
    V, ctx, L, H, C, B, T, steps = (int(v) for v in hdr)
    off = 32
    def take(dtype, n):
        nonlocal off
        a = np.frombuffer(raw, dtype, n, off).copy()
        off += a.nbytes
        return a
    inputs = take(np.int32, B * T).reshape(B, T)
    targets = take(np.int32, B * T).reshape(B, T)
    shp = shapes(V, ctx, L, C)
    n = sum(int(np.prod(s)) for s in shp)
    flat = take(np.float32, n)
    logits_c = take(np.float32, B * T * V).reshape(B, T, V)
    loss_c = take(np.float32, 1)[0]
    eval_loss_c = take(np.float32, 1)[0]
    grads_c = take(np.float32, n)
    losses_c = take(np.float32, steps)
    assert off == len(raw), "dump size mismatch"

    P, G, o = {}, {}, 0
    for name, s in zip(NAMES, shp):
        k = int(np.prod(s))
        P[name] = torch.tensor(flat[o:o + k].reshape(s), requires_grad=True)
        G[name] = grads_c[o:o + k].reshape(s)
        o += k
    idx = torch.tensor(inputs, dtype=torch.long)
    tgt = torch.tensor(targets, dtype=torch.long)

    failures = 0
    def check(what, ours, ref, tol=1e-4):
        nonlocal failures
        scale = float(np.max(np.abs(ref)))
        diff = float(np.max(np.abs(ours - ref)))
        ok = diff <= tol * max(scale, 1e-30)
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {what:10s} max|diff| {diff:.3e}  max|ref| {scale:.3e}")

    logits = forward(P, idx, L, H, C)
    loss = F.cross_entropy(logits.view(-1, V), tgt.view(-1))
    check("logits", logits_c, logits.detach().numpy())
    check("loss", np.array([loss_c]), np.array([loss.item()]))
    check("eval loss", np.array([eval_loss_c]), np.array([loss.item()]))
    loss.backward()
    for name in NAMES:
        check("d" + name, G[name], P[name].grad.numpy())

    two_d = ("wte", "wpe", "qkvw", "attprojw", "fcw", "fcprojw")
    decay = [P[k] for k in two_d]
    rest = [P[k] for k in NAMES if k not in two_d]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                             {"params": rest, "weight_decay": 0.0}],
                            lr=1e-2, betas=(0.9, 0.95), eps=1e-8, foreach=False)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        l = F.cross_entropy(forward(P, idx, L, H, C).view(-1, V), tgt.view(-1))
        l.backward()
        torch.nn.utils.clip_grad_norm_(list(P.values()), 1.0)
        opt.step()
        losses.append(l.item())
    print("losses ours ", " ".join(f"{v:.6f}" for v in losses_c))
    print("losses torch", " ".join(f"{v:.6f}" for v in losses))
    check("losses", losses_c, np.array(losses, dtype=np.float32))
    if losses[-1] >= losses[0]:
        print("FAIL the optimiser did not lower the loss")
        failures += 1
    print("PASS" if failures == 0 else f"{failures} FAILED")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
