#!/usr/bin/python3
"""PyTorch peer for bench_train.sh: the same GPT-2 style model as src/nn (pre-LN,
learned positions, tied head, GELU tanh), the same B, T, V and thread count, AdamW with
weight decay on 2-D weights and clipping; prints one JSON line like bench_train.c.
Usage: bench_train.py V T B L C H STEPS THREADS"""
import ctypes
import json
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, C, H):
        super().__init__()
        self.H = H
        self.ln1 = nn.LayerNorm(C)
        self.qkv = nn.Linear(C, 3 * C)
        self.proj = nn.Linear(C, C)
        self.ln2 = nn.LayerNorm(C)
        self.fc = nn.Linear(C, 4 * C)
        self.fcproj = nn.Linear(4 * C, C)

    def forward(self, x, mask):
        B, T, C = x.shape
        hs = C // self.H
        q, k, v = self.qkv(self.ln1(x)).split(C, dim=2)
        q, k, v = (t.view(B, T, self.H, hs).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (hs ** -0.5)
        att = att.masked_fill(mask[:T, :T], float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        x = x + self.proj(y)
        return x + self.fcproj(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, V, T, L, C, H):
        super().__init__()
        self.wte = nn.Embedding(V, C)
        self.wpe = nn.Embedding(T, C)
        self.blocks = nn.ModuleList(Block(C, H) for _ in range(L))
        self.lnf = nn.LayerNorm(C)
        self.register_buffer("mask", ~torch.tril(torch.ones(T, T, dtype=torch.bool)))

    def forward(self, idx, tgt):
        T = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(T))
        for b in self.blocks:
            x = b(x, self.mask)
        logits = self.lnf(x) @ self.wte.weight.T
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), tgt.view(-1))


def openblas_core():
    """The kernel family of the OpenBLAS this process loaded (torch's matmuls run on it),
    or "none" if torch came without OpenBLAS."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            if "libopenblas" in line:
                lib = ctypes.CDLL(line.split()[-1])
                lib.openblas_get_corename.restype = ctypes.c_char_p
                return lib.openblas_get_corename().decode()
    return "none"


def main():
    V, T, B, L, C, H, steps, threads = (int(a) for a in sys.argv[1:9])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = GPT(V, T, L, C, H)
    with torch.no_grad():  # GPT-2 initialisation, as xl_nn_init
        for n, p in model.named_parameters():
            if p.dim() == 2:
                std = 0.02 / (2 * L) ** 0.5 if n.endswith(("proj.weight", "fcproj.weight")) else 0.02
                p.normal_(0.0, std)
            elif n.endswith("bias"):
                p.zero_()
    n_nonemb = sum(p.numel() for n, p in model.named_parameters() if not n.startswith(("wte", "wpe")))
    two_d = [p for p in model.parameters() if p.dim() == 2]
    rest = [p for p in model.parameters() if p.dim() != 2]
    opt = torch.optim.AdamW([{"params": two_d, "weight_decay": 0.1},
                             {"params": rest, "weight_decay": 0.0}], lr=1e-3, betas=(0.9, 0.95),
                            eps=1e-8)
    idx = torch.randint(0, V, (B, T))
    tgt = torch.randint(0, V, (B, T))
    first = None
    for s in range(-2, steps):
        if s == 0:
            t0 = time.perf_counter()
            c0 = time.process_time()
        loss = model(idx, tgt)
        first = first if first is not None else loss.item()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    last = loss.item()
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    tps = B * T * steps / dt
    fpt = 6 * n_nonemb + 6 * V * C + 6 * L * T * C
    print(json.dumps({"impl": "torch " + torch.__version__, "N": n_nonemb, "blas_core": openblas_core(),
                      "tokens_per_s": round(tps, 1),
                      "tokens_per_cpu_s": round(B * T * steps / (cpu / threads), 1), "step_ms": round(1e3 * dt / steps, 2),
                      "flops_per_token": fpt, "gflops": round(tps * fpt / 1e9, 2),
                      "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                      "first_loss": round(first, 4), "last_loss": round(last, 4)}))


if __name__ == "__main__":
    main()
