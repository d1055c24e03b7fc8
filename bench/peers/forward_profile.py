#!/usr/bin/env python3
"""The peer of `frugal bench zo --profile`: one forward of the bench's OPT in PyTorch, part by part and op by op.

The model is mezo_torch.py's (Hugging Face's OPTForCausalLM as computed in PyTorch 1.13's time). Each forward is
timed per part, the same parts and the same way as frugal's BenchZoProfile: a part's time excludes the parts timed
inside it (embedding, layer_norm, qkv_proj, attention_core, out_proj, fc1, activation, fc2, residual_add, lm_head,
loss), summed over the blocks; the median over the profiled forwards. One more forward runs under
torch.autograd.profiler, and its ATen ops' self CPU times are listed as well.

Usage: forward_profile.py --size full|mid|quick --forwards N --warmup W --threads T
Prints one JSON object as its last line.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F

from mezo_torch import SHAPES, OptForCausalLM

PARTS = ["embedding", "layer_norm", "qkv_proj", "attention_core", "out_proj", "fc1", "activation", "fc2",
         "residual_add", "lm_head", "loss"]


class Timer:
    """Exclusive times per part: a region's time minus the regions timed inside it."""

    def __init__(self):
        self.exclusive = {p: 0.0 for p in PARTS}
        self.children = []

    def time(self, part, f, *args):
        self.children.append(0.0)
        t0 = time.perf_counter()
        try:
            return f(*args)
        finally:
            t = time.perf_counter() - t0
            inner = self.children.pop()
            self.exclusive[part] += t - inner
            if self.children:
                self.children[-1] += t


def forward(model, ids, tm):
    """mezo_torch's OptForCausalLM.forward, with every part timed."""
    b, t = ids.shape

    def embed():
        pos = torch.arange(t).unsqueeze(0) + 2
        return model.embed_tokens(ids) + model.embed_positions(pos)

    x = tm.time("embedding", embed)
    mask = torch.full((t, t), torch.finfo(torch.float32).min).triu(1)[None, None]
    for layer in model.layers:
        x = tm.time("residual_add", block, layer, x, mask, tm)
    h = tm.time("layer_norm", model.final_layer_norm, x)
    logits = tm.time("lm_head", F.linear, h, model.embed_tokens.weight)
    return tm.time("loss", lambda: F.cross_entropy(logits[:, :-1].reshape(-1, logits.size(-1)), ids[:, 1:].reshape(-1)))


def block(layer, x, mask, tm):
    a = layer.self_attn
    y = tm.time("layer_norm", layer.self_attn_layer_norm, x)
    x = x + tm.time("attention_core", attention, a, y, mask, tm)
    y = tm.time("layer_norm", layer.final_layer_norm, x)
    y = tm.time("fc1", layer.fc1, y)
    y = tm.time("activation", F.relu, y)
    return x + tm.time("fc2", layer.fc2, y)


def attention(a, x, mask, tm):
    b, t, c = x.shape
    q = (tm.time("qkv_proj", a.q_proj, x) * a.scaling).view(b, t, a.nh, a.hd).transpose(1, 2)
    k = tm.time("qkv_proj", a.k_proj, x).view(b, t, a.nh, a.hd).transpose(1, 2)
    v = tm.time("qkv_proj", a.v_proj, x).view(b, t, a.nh, a.hd).transpose(1, 2)
    w = torch.matmul(q, k.transpose(-1, -2)) + mask
    o = torch.matmul(F.softmax(w, dim=-1), v)
    return tm.time("out_proj", a.out_proj, o.transpose(1, 2).reshape(b, t, c))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="full", choices=sorted(SHAPES))
    ap.add_argument("--forwards", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(20250301)
    s = SHAPES[a.size]
    model = OptForCausalLM(**s).eval()
    ids = torch.randint(0, s["vocab"], (s["batch"], s["tokens"]), generator=torch.Generator().manual_seed(7))
    totals, parts = [], {p: [] for p in PARTS}
    with torch.inference_mode():
        for i in range(a.warmup + a.forwards):
            tm = Timer()
            t0 = time.perf_counter()
            forward(model, ids, tm)
            t = time.perf_counter() - t0
            if i >= a.warmup:
                totals.append(t)
                for p in PARTS:
                    parts[p].append(tm.exclusive[p] * 1e3)
        with torch.autograd.profiler.profile() as prof:
            forward(model, ids, Timer())
    ops = sorted(((e.key, e.self_cpu_time_total / 1e3) for e in prof.key_averages()), key=lambda kv: -kv[1])
    print(json.dumps({"side": "torch", "size": a.size, "threads": torch.get_num_threads(), "torch": torch.__version__,
                      "forward_s": statistics.median(totals),
                      "parts_ms": {p: round(statistics.median(parts[p]), 2) for p in PARTS},
                      "aten_self_ms": {k: round(v, 2) for k, v in ops[:15]}}))


if __name__ == "__main__":
    main()
