#!/usr/bin/env python3
"""Generate reference_trajectories.json: 20 full-batch steps of each
torch.optim optimizer on a fixed 2-3-1 tanh network, float64.

Run with Debian's python3-torch (apt-get install python3-torch):

    /usr/bin/python3 optim/testdata/gen_reference.py > optim/testdata/reference_trajectories.json

golem never needs Python: the Go tests read the JSON.

The problem: 8 fixed samples, y = sin(x1) + x1*x2/2, MSE loss (mean over
samples), network tanh(x W1 + b1) W2 + b2. Parameters are written in golem's
θ layout: W1 (2x3, input-major), b1 (3), W2 (3x1), b2 (1); torch's Linear
stores weights output-major, so they are transposed.

Conventions (golem follows Keras; see each optimizer's doc comment):
- Momentum/Nesterov: Keras's v = m*v - lr*g, theta += v (Nesterov:
  theta += m*v - lr*g) equals torch's buf = m*buf + g, theta -= lr*buf
  (Nesterov: theta -= lr*(g + m*buf)) for a constant lr; no mapping needed.
- AdaGrad: Keras starts the accumulator at 0.1 (torch: 0) -> mapped with
  initial_accumulator_value=0.1. Keras puts eps inside the square root, torch
  outside -> eps = 0 here, where both agree.
- AdaDelta: same formula (eps inside both roots); torch's defaults differ
  (lr 1.0, rho 0.9, eps 1e-6) -> Keras's are passed explicitly.
- RMSprop: Keras puts eps inside the square root, torch outside -> eps = 0.
  Momentum: Keras accumulates lr*g/sqrt(v), torch g/sqrt(v) then scales by
  lr: equal for a constant lr.
- Adam/AMSGrad/AdamW: Keras adds eps to sqrt(v) before bias correction
  (an effective eps*sqrt(1-beta2^t) in torch's terms) -> eps = 0.
  AdamW decays theta by lr*wd before the Adam step in both.
"""
import json
import math

import torch

torch.set_default_dtype(torch.float64)

X = torch.tensor([[-1.5, 0.3], [-0.9, -1.1], [-0.2, 0.8], [0.1, -0.4],
                  [0.6, 1.2], [0.9, -0.7], [1.3, 0.2], [1.8, -1.6]])
Y = (torch.sin(X[:, 0]) + X[:, 0] * X[:, 1] / 2).unsqueeze(1)

W1 = torch.tensor([[0.5, -0.3, 0.8], [-0.6, 0.4, 0.2]])  # in x out
B1 = torch.tensor([0.1, -0.2, 0.05])
W2 = torch.tensor([[0.7], [-0.5], [0.3]])
B2 = torch.tensor([0.15])

STEPS = 20

CASES = [
    ("sgd", lambda p: torch.optim.SGD(p, lr=0.1), {"lr": 0.1}),
    ("momentum", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9), {"lr": 0.05, "momentum": 0.9}),
    ("nesterov", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True), {"lr": 0.05, "momentum": 0.9}),
    ("adagrad", lambda p: torch.optim.Adagrad(p, lr=0.1, initial_accumulator_value=0.1, eps=0.0),
     {"lr": 0.1, "initial_accumulator": 0.1, "epsilon": 0.0}),
    ("adadelta", lambda p: torch.optim.Adadelta(p, lr=1.0, rho=0.95, eps=1e-7),
     {"lr": 1.0, "rho": 0.95, "epsilon": 1e-7}),
    ("rmsprop", lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0),
     {"lr": 0.01, "rho": 0.9, "epsilon": 0.0}),
    ("rmsprop_centered_momentum", lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0, centered=True, momentum=0.5),
     {"lr": 0.01, "rho": 0.9, "epsilon": 0.0, "centered": True, "momentum": 0.5}),
    ("adam", lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.9, 0.999), eps=0.0),
     {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "epsilon": 0.0}),
    ("amsgrad", lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.9, 0.999), eps=0.0, amsgrad=True),
     {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "epsilon": 0.0, "amsgrad": True}),
    ("adamw", lambda p: torch.optim.AdamW(p, lr=0.05, betas=(0.9, 0.999), eps=0.0, weight_decay=0.1),
     {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "epsilon": 0.0, "weight_decay": 0.1}),
]


def flat(params):
    w1, b1, w2, b2 = params
    return torch.cat([w1.reshape(-1), b1, w2.reshape(-1), b2]).tolist()


def run(make):
    params = [t.clone().requires_grad_(True) for t in (W1, B1, W2, B2)]
    opt = make(params)
    thetas, losses = [], []
    for _ in range(STEPS):
        opt.zero_grad()
        w1, b1, w2, b2 = params
        pred = torch.tanh(X @ w1 + b1) @ w2 + b2
        loss = ((pred - Y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        thetas.append(flat([p.detach() for p in params]))
    return thetas, losses


out = {
    "torch": torch.__version__,
    "x": X.tolist(), "y": Y.squeeze(1).tolist(),
    "theta0": flat([W1, B1, W2, B2]),
    "steps": STEPS,
    "cases": [],
}
for name, make, hyper in CASES:
    thetas, losses = run(make)
    assert all(math.isfinite(v) for t in thetas for v in t), name
    out["cases"].append({"name": name, "hyper": hyper, "theta": thetas, "loss": losses})
print(json.dumps(out, indent=1))
