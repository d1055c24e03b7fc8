#!/usr/bin/env python3
"""The peer of `frugal bench zo`: one MeZO step (Malladi et al. 2023) in PyTorch, as princeton-nlp/MeZO's trainer does it.

MeZO's trainer (large_models/trainer.py: zo_step, zo_perturb_parameters, zo_forward, zo_update), restated:
  * the trainable parameters are model.named_parameters() with requires_grad, in registration order;
  * a step draws a seed, then perturbs in place with torch.manual_seed(seed) and, per parameter,
    z = torch.normal(mean=0, std=1, size=p.size()), p.data = p.data + scaling_factor * z * eps, for
    scaling_factor +1 (forward: loss1), -2 (forward: loss2) and +1 (restore);
  * forwards run under torch.inference_mode() (model.eval());
  * projected_grad = (loss1 - loss2) / (2 * eps);
  * update: torch.manual_seed(seed) again, per parameter z as above and
    p.data = p.data - lr * (projected_grad * z + weight_decay * p.data), without the decay term on biases and LayerNorms.
This file is frugal's own code (no transformers here: Debian has no python3-transformers), an OPT decoder written
the way Hugging Face's OPTForCausalLM computes it in the transformers releases of PyTorch 1.13's time (explicit
attention: scaled q, bmm, additive causal mask, softmax, bmm), with random weights initialised like
OPTPreTrainedModel._init_weights (N(0, 0.02^2), biases 0, LayerNorm 1/0).

Usage: mezo_torch.py --size full|mid|quick --steps N --warmup W --threads T
Prints one JSON object as its last line: step times, their median, and the peak RSS (VmHWM) of this process.
"""
import argparse
import json
import math
import statistics
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

SHAPES = {  # the same shapes as frugal's BenchZoShape
    "full": dict(vocab=16384, hidden=1024, layers=24, heads=16, ffn=4096, max_pos=2048, batch=4, tokens=128),
    "mid": dict(vocab=16384, hidden=1024, layers=4, heads=16, ffn=4096, max_pos=2048, batch=4, tokens=128),
    "quick": dict(vocab=512, hidden=64, layers=4, heads=4, ffn=256, max_pos=128, batch=2, tokens=32),
}


class OptAttention(nn.Module):
    def __init__(self, h, nh):
        super().__init__()
        self.nh, self.hd = nh, h // nh
        self.scaling = self.hd ** -0.5
        self.k_proj, self.v_proj, self.q_proj, self.out_proj = (nn.Linear(h, h) for _ in range(4))

    def forward(self, x, mask):  # x (B, T, C), mask (1, 1, T, T) additive
        b, t, c = x.shape
        q = (self.q_proj(x) * self.scaling).view(b, t, self.nh, self.hd).transpose(1, 2)  # (B, H, T, D)
        k = self.k_proj(x).view(b, t, self.nh, self.hd).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.nh, self.hd).transpose(1, 2)
        w = torch.matmul(q, k.transpose(-1, -2)) + mask  # (B, H, T, T)
        o = torch.matmul(F.softmax(w, dim=-1), v)  # (B, H, T, D)
        return self.out_proj(o.transpose(1, 2).reshape(b, t, c))


class OptLayer(nn.Module):
    def __init__(self, h, nh, f):
        super().__init__()
        self.self_attn = OptAttention(h, nh)
        self.self_attn_layer_norm = nn.LayerNorm(h)
        self.fc1, self.fc2 = nn.Linear(h, f), nn.Linear(f, h)
        self.final_layer_norm = nn.LayerNorm(h)

    def forward(self, x, mask):  # pre-LN OPT block
        x = x + self.self_attn(self.self_attn_layer_norm(x), mask)
        return x + self.fc2(F.relu(self.fc1(self.final_layer_norm(x))))


class OptForCausalLM(nn.Module):
    def __init__(self, vocab, hidden, layers, heads, ffn, max_pos, **_):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, hidden)
        self.embed_positions = nn.Embedding(max_pos + 2, hidden)  # OPT's offset of 2
        self.final_layer_norm = nn.LayerNorm(hidden)
        self.layers = nn.ModuleList(OptLayer(hidden, heads, ffn) for _ in range(layers))
        for m in self.modules():  # OPTPreTrainedModel._init_weights
            if isinstance(m, (nn.Linear, nn.Embedding)):
                m.weight.data.normal_(0.0, 0.02)
                if isinstance(m, nn.Linear):
                    m.bias.data.zero_()

    def forward(self, ids):  # ids (B, T) -> loss
        b, t = ids.shape
        pos = torch.arange(t).unsqueeze(0) + 2  # no padding: positions 0..T-1, offset 2
        x = self.embed_tokens(ids) + self.embed_positions(pos)
        mask = torch.full((t, t), torch.finfo(torch.float32).min).triu(1)[None, None]
        for layer in self.layers:
            x = layer(x, mask)
        logits = F.linear(self.final_layer_norm(x), self.embed_tokens.weight)  # tied head (B, T, V)
        return F.cross_entropy(logits[:, :-1].reshape(-1, logits.size(-1)), ids[:, 1:].reshape(-1))


class Mezo:
    """MeZO's zo_step + zo_update over the trainable parameters of `model`."""

    def __init__(self, model, eps, lr, weight_decay):
        self.model, self.eps, self.lr, self.wd = model, eps, lr, weight_decay
        self.params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]

    def perturb(self, seed, scaling_factor):
        torch.manual_seed(seed)
        for _, p in self.params:
            z = torch.normal(mean=0, std=1, size=p.data.size(), device=p.data.device, dtype=p.data.dtype)
            p.data = p.data + scaling_factor * z * self.eps

    def forward(self, ids):
        self.model.eval()
        with torch.inference_mode():
            return self.model(ids).detach()

    def step(self, ids):
        seed = np.random.randint(1000000000)
        self.perturb(seed, 1)
        loss1 = self.forward(ids)
        self.perturb(seed, -2)
        loss2 = self.forward(ids)
        g = ((loss1 - loss2) / (2 * self.eps)).item()
        self.perturb(seed, 1)
        torch.manual_seed(seed)
        for n, p in self.params:
            z = torch.normal(mean=0, std=1, size=p.data.size(), device=p.data.device, dtype=p.data.dtype)
            if "bias" not in n and "layer_norm" not in n and "layernorm" not in n:
                p.data = p.data - self.lr * (g * z + self.wd * p.data)
            else:
                p.data = p.data - self.lr * (g * z)
        return loss1.item()


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return -1.0


def blas_library():
    """The BLAS shared object torch actually loaded (Debian's torch links libblas.so.3, an update-alternatives link)."""
    import os
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line and "/" in line}
    return sorted(os.path.realpath(p) for p in libs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="full", choices=sorted(SHAPES))
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(20250301)
    np.random.seed(42)
    s = SHAPES[a.size]
    t0 = time.perf_counter()
    model = OptForCausalLM(**s)
    setup = time.perf_counter() - t0
    ids = torch.randint(0, s["vocab"], (s["batch"], s["tokens"]), generator=torch.Generator().manual_seed(7))
    mezo = Mezo(model, eps=1e-3, lr=1e-6, weight_decay=0.0)
    times, cpu, loss = [], [], None
    for i in range(a.warmup + a.steps):
        t, c = time.perf_counter(), time.process_time()
        loss = mezo.step(ids)
        if i >= a.warmup:
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
    print(json.dumps({"mode": "mezo_torch", "size": a.size, "layers": s["layers"],
                      "params": sum(p.numel() for _, p in mezo.params), "setup_s": setup,
                      "step_s": statistics.median(times), "steps_s": times, "step_cpu_s": statistics.median(cpu), "last_loss_plus": loss,
                      "threads": torch.get_num_threads(), "torch": torch.__version__,
                      "blas": blas_library(),
                      "peak_rss_mb": peak_rss_mb()}))


if __name__ == "__main__":
    main()
