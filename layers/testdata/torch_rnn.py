"""Generates torch_rnn.json: PyTorch's RNN, GRU and LSTM outputs on fixed
weights and inputs, in golem's weight layout, for layers/recurrent_test.go.

Run from this folder with /usr/bin/python3 torch_rnn.py (torch 1.13).

golem stores the kernel W as (F x k*units) and the recurrent kernel U as
(units x k*units): the transposes of PyTorch's weight_ih_l0 and
weight_hh_l0, gate blocks in PyTorch's order (LSTM i,f,g,o; GRU r,z,n).
SimpleRNN and LSTM have one bias b = b_ih + b_hh; GRU keeps b = b_ih and
bh = b_hh. Arrays are flattened row-major.
"""
import json

import torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(14)

N, T, F, UNITS = 3, 5, 3, 4


def flat(t):
    return [float(v) for v in t.detach().reshape(-1)]


def case(name, module, kind, activation="tanh"):
    # Spread the weights wider than PyTorch's default U(-1/2, 1/2) so the
    # nonlinearities are exercised away from their linear range.
    with torch.no_grad():
        for p in module.parameters():
            p.uniform_(-0.9, 0.9)
    x = torch.empty(N, T, F).uniform_(-1.5, 1.5)
    out, _ = module(x)
    params = {
        "W": flat(module.weight_ih_l0.t()),
        "U": flat(module.weight_hh_l0.t()),
    }
    if kind == "gru":
        params["b"] = flat(module.bias_ih_l0)
        params["bh"] = flat(module.bias_hh_l0)
    else:
        params["b"] = flat(module.bias_ih_l0 + module.bias_hh_l0)
    return {
        "name": name,
        "kind": kind,
        "activation": activation,
        "n": N, "steps": T, "features": F, "units": UNITS,
        "x": flat(x),
        "params": params,
        "sequences": flat(out),          # N x T x units
        "last": flat(out[:, -1, :]),     # N x units
    }


cases = [
    case("rnn tanh", torch.nn.RNN(F, UNITS, batch_first=True), "simplernn"),
    case("rnn relu", torch.nn.RNN(F, UNITS, nonlinearity="relu", batch_first=True), "simplernn", "relu"),
    case("gru", torch.nn.GRU(F, UNITS, batch_first=True), "gru"),
    case("lstm", torch.nn.LSTM(F, UNITS, batch_first=True), "lstm"),
]

with open("torch_rnn.json", "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
