#!/usr/bin/python3
"""Writes torch_conv.json: reference outputs of convolutions and pools.

Run with /usr/bin/python3 (torch 1.13, float64). Inputs and outputs are
channels-last (Keras's layout) and flattened row-major; kernels are in
Keras's layout (k..., C, filters). Same padding is TensorFlow's: total pad
max((out-1)·s + (k-1)·d + 1 - in, 0), the extra one at the end; max pools
pad with -inf, average pools divide by the number of in-bounds elements.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(7)
torch.set_default_dtype(torch.float64)


def pads(shape, k, s, d, padding):
    """Returns TF's (before, after) padding per spatial axis and out sizes."""
    out, pp = [], []
    for n, kk, ss, dd in zip(shape, k, s, d):
        span = (kk - 1) * dd + 1
        if padding == "same":
            o = math.ceil(n / ss)
            tot = max((o - 1) * ss + span - n, 0)
            pp.append((tot // 2, tot - tot // 2))
        else:
            o = (n - span) // ss + 1
            pp.append((0, 0))
        out.append(o)
    return pp, out


def fpad(x, pp, value=0.0):
    # F.pad takes the last axis first.
    flat = []
    for before, after in reversed(pp):
        flat += [before, after]
    return F.pad(x, flat, value=value)


def to_last(t):
    """NC... → N...C, flattened."""
    dims = list(range(t.dim()))
    return t.permute(dims[0:1] + dims[2:] + dims[1:2]).contiguous().reshape(-1).tolist()


cases = []


def conv(name, sample, filters, k, s=None, d=None, padding="valid", batch=2):
    rank = len(k)
    s = s or [1] * rank
    d = d or [1] * rank
    C = sample[-1]
    spatial = sample[:-1]
    x = torch.randn(batch, C, *spatial)
    w = torch.randn(filters, C, *k) * 0.5
    b = torch.randn(filters)
    pp, _ = pads(spatial, k, s, d, padding)
    xp = fpad(x, pp)
    f = F.conv1d if rank == 1 else F.conv2d
    y = f(xp, w, b, stride=s, dilation=d)
    # Keras kernel: (k..., C, F)
    perm = list(range(2, 2 + rank)) + [1, 0]
    cases.append(dict(name=name, layer="conv%dd" % rank, filters=filters, kernel=k, strides=s,
                      dilation=d, padding=padding, sample=sample, batch=batch, x=to_last(x),
                      W=w.permute(*perm).contiguous().reshape(-1).tolist(), b=b.tolist(),
                      out_shape=list(y.shape[2:]) + [filters], out=to_last(y)))


def pool(name, kind, sample, size, s=None, padding="valid", batch=2):
    rank = len(size)
    s = s or list(size)
    C = sample[-1]
    spatial = sample[:-1]
    x = torch.randn(batch, C, *spatial)
    pp, _ = pads(spatial, size, s, [1] * rank, padding)
    if kind == "max":
        f = F.max_pool1d if rank == 1 else F.max_pool2d
        y = f(fpad(x, pp, value=-math.inf), size, stride=s)
    else:
        f = F.avg_pool1d if rank == 1 else F.avg_pool2d
        total = f(fpad(x, pp), size, stride=s) * math.prod(size)
        count = f(fpad(torch.ones_like(x), pp), size, stride=s) * math.prod(size)
        y = total / count
    cases.append(dict(name=name, layer="%spool%dd" % (kind, rank), kernel=size, strides=s,
                      padding=padding, sample=sample, batch=batch, x=to_last(x),
                      out_shape=list(y.shape[2:]) + [C], out=to_last(y)))


def global_avg(name, sample, batch=2):
    rank = len(sample) - 1
    C = sample[-1]
    x = torch.randn(batch, C, *sample[:-1])
    y = x.mean(dim=list(range(2, 2 + rank)))
    cases.append(dict(name=name, layer="globalavgpool%dd" % rank, sample=sample, batch=batch,
                      x=to_last(x), out_shape=[C], out=y.reshape(-1).tolist()))


conv("conv1d valid", [7, 3], 4, [3])
conv("conv1d same", [7, 3], 4, [4], padding="same")
conv("conv1d stride 2", [8, 2], 3, [3], s=[2])
conv("conv1d stride 2 same", [8, 2], 3, [3], s=[2], padding="same")
conv("conv1d dilation 2", [9, 2], 3, [3], d=[2])
conv("conv1d dilation 2 same", [9, 2], 3, [3], d=[2], padding="same")
conv("conv2d valid", [6, 5, 2], 3, [3, 2])
conv("conv2d same", [6, 5, 2], 3, [3, 3], padding="same")
conv("conv2d same even kernel", [5, 6, 2], 2, [2, 4], padding="same")
conv("conv2d stride 2", [7, 6, 2], 3, [3, 3], s=[2, 2])
conv("conv2d stride 2 same", [7, 6, 2], 3, [3, 3], s=[2, 2], padding="same")
conv("conv2d strides 2x1 dilation 1x2", [7, 8, 1], 2, [2, 3], s=[2, 1], d=[1, 2])
pool("maxpool1d valid", "max", [7, 3], [2])
pool("maxpool1d same stride 2", "max", [8, 2], [3], s=[2], padding="same")
pool("avgpool1d valid", "avg", [7, 3], [2])
pool("avgpool1d same stride 2", "avg", [8, 2], [3], s=[2], padding="same")
pool("maxpool2d valid", "max", [6, 5, 2], [2, 2])
pool("maxpool2d same stride 2", "max", [7, 6, 2], [3, 3], s=[2, 2], padding="same")
pool("avgpool2d valid", "avg", [6, 5, 2], [2, 2])
pool("avgpool2d same stride 2", "avg", [7, 6, 2], [3, 3], s=[2, 2], padding="same")
pool("avgpool2d same stride 1", "avg", [4, 5, 1], [2, 3], s=[1, 1], padding="same")
global_avg("globalavgpool1d", [6, 3])
global_avg("globalavgpool2d", [4, 5, 3])

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_conv.json")
with open(out, "w") as f:
    json.dump({"generator": "torch_conv.py", "torch": torch.__version__, "cases": cases}, f, indent=None)
print("wrote", len(cases), "cases to", out)
