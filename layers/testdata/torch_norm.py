#!/usr/bin/python3
"""Reference outputs of PyTorch's LayerNorm and BatchNorm1d for golem's
layers.LayerNormalization and layers.BatchNormalization (float64).

Run from the repository root:  /usr/bin/python3 layers/testdata/torch_norm.py
It writes layers/testdata/torch_norm.json. golem is channels-last: a sample
is (C) or (L, C); PyTorch's BatchNorm1d wants (N, C, L), so rank-3 inputs are
permuted in and out. golem's momentum m is PyTorch's 1 - m.
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
g = torch.Generator().manual_seed(20261202)


def rand(*shape, scale=1.0, shift=0.0):
    return (torch.randn(*shape, generator=g) * scale + shift)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


cases = {"layernorm": [], "batchnorm": []}

for shape, eps in [((4, 5), 1e-3), ((3, 2, 4), 1e-5), ((2, 3, 1), 1e-3)]:
    c = shape[-1]
    x = rand(*shape, scale=2.0, shift=0.5)
    ln = torch.nn.LayerNorm(c, eps=eps)
    with torch.no_grad():
        ln.weight.copy_(rand(c, scale=0.5, shift=1.0))
        ln.bias.copy_(rand(c, scale=0.3))
    y = ln(x)
    cases["layernorm"].append({"shape": list(shape), "eps": eps, "x": flat(x),
                               "gamma": flat(ln.weight), "beta": flat(ln.bias), "y": flat(y)})

for shape, eps, momentum in [((6, 4), 1e-3, 0.99), ((3, 5, 2), 1e-5, 0.9), ((5, 3), 1e-3, 0.5)]:
    c = shape[-1]
    x = rand(*shape, scale=1.5, shift=-0.7)
    bn = torch.nn.BatchNorm1d(c, eps=eps, momentum=1 - momentum)
    rm0, rv0 = rand(c, scale=0.2), rand(c, scale=0.3).abs() + 0.5
    with torch.no_grad():
        bn.weight.copy_(rand(c, scale=0.5, shift=1.0))
        bn.bias.copy_(rand(c, scale=0.3))
        bn.running_mean.copy_(rm0)
        bn.running_var.copy_(rv0)
    xt = x if len(shape) == 2 else x.permute(0, 2, 1)
    back = (lambda t: t) if len(shape) == 2 else (lambda t: t.permute(0, 2, 1))
    bn.eval()
    y_inf = back(bn(xt))
    bn.train()
    y_train = back(bn(xt))
    dims = tuple(range(len(shape) - 1))
    cases["batchnorm"].append({
        "shape": list(shape), "eps": eps, "momentum": momentum, "x": flat(x),
        "gamma": flat(bn.weight), "beta": flat(bn.bias),
        "moving_mean": flat(rm0), "moving_var": flat(rv0),
        "y_inference": flat(y_inf), "y_training": flat(y_train),
        # after the training step; PyTorch's running_var uses the unbiased variance
        "running_mean": flat(bn.running_mean), "running_var_unbiased": flat(bn.running_var),
        "batch_var_biased": flat(x.var(dim=dims, unbiased=False)),
        "count": int(x.numel() // c),
    })

cases["torch_version"] = torch.__version__
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_norm.json")
with open(out, "w") as f:
    json.dump(cases, f, indent=1)
print("wrote", out)
