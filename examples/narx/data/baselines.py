#!/usr/bin/python3
"""Baselines for the NARX example: what a linear ARX model and a small MLP
reach on the three series of examples/narx, so that a NARX network's numbers
can be read against them.

    /usr/bin/python3 examples/narx/data/baselines.py [sim.csv]

Needs numpy and scikit-learn (Debian's python3-numpy, python3-sklearn).
The simulated plant is re-implemented here with numpy's generator (same
equation, same staircase input design as system.go, a different random
stream); give the path of a CSV with the columns u, y (noisy), y_true written
from Go's simulate to use that exact series instead.

For every series and delay choice it fits, on the training segment only,
  - linear ARX by least squares (with an intercept),
  - sklearn MLPRegressor, one tanh hidden layer, L-BFGS, standardized inputs
    and target, L2 penalty alpha (1e-3 is almost none; 1 to 10 is strong on
    these short series), over 5 seeds (median, and min–max),
and reports on the test segment
  - one-step RMSE (open loop: the true past outputs are fed),
  - k-step RMSE (closed loop from every test origin: the model's own
    predictions are fed back for k steps, the error is taken at step k),
  - free-run RMSE (closed loop over the whole test segment from its start,
    with the true inputs: "simulation" mode).
"""
import sys

import numpy as np
from sklearn.neural_network import MLPRegressor

HERE = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."


def lagged(y, u, ydel, udel, t0, t1):
    """Rows t in [t0, t1): features y(t-d) for d in ydel, u(t-d) for d in udel; target y(t)."""
    X = [[y[t - d] for d in ydel] + [u[t - d] for d in udel] for t in range(t0, t1)]
    return np.array(X, dtype=float).reshape(t1 - t0, len(ydel) + len(udel)), y[t0:t1]


class Linear:
    def fit(self, X, z):
        A = np.c_[X, np.ones(len(X))]
        self.w = np.linalg.lstsq(A, z, rcond=None)[0]
        return self

    def predict(self, X):
        return np.c_[X, np.ones(len(X))] @ self.w


class MLP:
    def __init__(self, hidden, seed, alpha=1e-3):
        self.m = MLPRegressor(hidden_layer_sizes=(hidden,), activation="tanh", solver="lbfgs",
                              alpha=alpha, max_iter=5000, random_state=seed)

    def fit(self, X, z):
        self.xm, self.xs = X.mean(0), X.std(0)
        self.zm, self.zs = z.mean(), z.std()
        self.m.fit((X - self.xm) / self.xs, (z - self.zm) / self.zs)
        return self

    def predict(self, X):
        return self.m.predict((X - self.xm) / self.xs) * self.zs + self.zm


def closed_loop(model, y, u, ydel, udel, start, steps):
    """Predict y(start..start+steps-1) feeding back the model's own outputs."""
    yy = y.astype(float).copy()
    out = []
    for t in range(start, start + steps):
        x = np.array([[yy[t - d] for d in ydel] + [u[t - d] for d in udel]])
        yy[t] = model.predict(x)[0]
        out.append(yy[t])
    return np.array(out)


def rmse(a, b):
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


def evaluate(model, y, u, ydel, udel, t0, t1, k, truth=None):
    """Metrics on the test segment [t0, t1); truth is the noise-free output if known."""
    truth = y if truth is None else truth
    X, _ = lagged(y, u, ydel, udel, t0, t1)
    one = rmse(model.predict(X), truth[t0:t1])
    ks = [closed_loop(model, y, u, ydel, udel, t, k)[-1] for t in range(t0, t1 - k + 1)]
    kst = rmse(ks, truth[t0 + k - 1:t1])
    free = rmse(closed_loop(model, y, u, ydel, udel, t0, t1 - t0), truth[t0:t1])
    return one, kst, free


def report(name, y, u, ydel, udel, train, test, k, truth=None, hidden=((5, 1e-3), (10, 1e-3))):
    lo = max(list(ydel) + list(udel) + [0])
    X, z = lagged(y, u, ydel, udel, max(lo, train[0]), train[1])
    t0, t1 = test
    sd = float(np.std(y[t0:t1]))
    print(f"\n{name}: y delays {list(ydel)}, u delays {list(udel)}, train [{train[0]},{train[1]}), "
          f"test [{t0},{t1}), k = {k}, test std {sd:.4g}")
    lin = Linear().fit(X, z)
    print(f"  linear ARX  train RMSE {rmse(lin.predict(X), z):.4g}; "
          "test one-step %.4g, %d-step %.4g, free-run %.4g" % ((evaluate(lin, y, u, ydel, udel, t0, t1, k, truth)[0], k)
                                                               + evaluate(lin, y, u, ydel, udel, t0, t1, k, truth)[1:]))
    for h, alpha in hidden:
        res = []
        for s in range(5):
            m = MLP(h, s, alpha).fit(X, z)
            res.append((rmse(m.predict(X), z),) + evaluate(m, y, u, ydel, udel, t0, t1, k, truth))
        res = np.array(res)
        med, mn, mx = np.median(res, 0), res.min(0), res.max(0)
        print(f"  MLP {h:2d} tanh alpha {alpha:g} train RMSE {med[0]:.4g}; test one-step {med[1]:.4g} ({mn[1]:.4g}–{mx[1]:.4g}), "
              f"{k}-step {med[2]:.4g} ({mn[2]:.4g}–{mx[2]:.4g}), free-run {med[3]:.4g} ({mn[3]:.4g}–{mx[3]:.4g})")
    return lin


def plant(u):
    y = np.zeros(len(u))
    if len(u) > 1:
        y[1] = u[0]  # from rest: y(-1) = y(0) = 0
    for k in range(1, len(u) - 1):
        y[k + 1] = y[k] * y[k - 1] * (y[k] + 2.5) / (1 + y[k] ** 2 + y[k - 1] ** 2) + u[k]
    return y


def staircase(n, rng):
    u = np.empty(n)
    k = 0
    while k < n:
        level, hold = rng.uniform(-2, 2), rng.integers(1, 6)
        u[k:k + hold] = level
        k += hold
    return u


def main():
    # Sunspots (NAR): train 1700-1920, test 1921-2008 (rows 221..308).
    d = np.genfromtxt(f"{HERE}/sunspots.csv", delimiter=",", names=True)
    s = d["SUNACTIVITY"]
    none = np.zeros_like(s)
    print("== sunspots, yearly 1700-2008 (NAR)")
    for ydel, k in (((1, 2), 10), (tuple(range(1, 10)), 10), (tuple(range(1, 13)), 10)):
        report("sunspots", s, none, ydel, (), (0, 221), (221, 309), k, hidden=((5, 1e-3), (5, 1.0), (10, 1.0)))
    # Literature comparison: one-step normalized MSE (MSE / variance of the whole series,
    # as Weigend et al. 1990 define ARV) on 1921-1955 = rows 221..255.
    for ydel in ((1, 2), tuple(range(1, 10)), tuple(range(1, 13))):
        X, z = lagged(s, none, ydel, (), max(ydel), 221)
        Xt, zt = lagged(s, none, ydel, (), 221, 256)
        lin = Linear().fit(X, z)
        arv = [np.mean((lin.predict(Xt) - zt) ** 2) / np.var(s)]
        for seed in range(5):
            m = MLP(5, seed, 1.0).fit(X, z)
            arv.append(np.mean((m.predict(Xt) - zt) ** 2) / np.var(s))
        print(f"  ARV 1921-1955, delays 1:{max(ydel)}: linear {arv[0]:.3f}, MLP 5 alpha 1 median {np.median(arv[1:]):.3f}")

    # US income -> consumption growth (NARX): train 1959Q2-1999Q4 (rows 0..162), test 2000Q1-2009Q3.
    m = np.genfromtxt(f"{HERE}/macrodata.csv", delimiter=",", names=True)
    c = 100 * np.diff(np.log(m["realcons"]))
    i = 100 * np.diff(np.log(m["realdpi"]))
    print("\n== US real consumption growth <- real disposable income growth, % per quarter (NARX)")
    print(f"  corr(c_t, i_t-d) d=0..3: {[round(np.corrcoef(c[d:], i[:len(i) - d])[0, 1], 3) for d in range(4)]}, "
          f"corr(c_t, c_t-1) {np.corrcoef(c[1:], c[:-1])[0, 1]:.3f}")
    print(f"  test: predicting the training mean gives RMSE {rmse(np.full(39, c[:163].mean()), c[163:]):.4g}")
    for ydel, udel in (((1, 2), (1, 2)), ((1, 2), (0, 1, 2)), ((1, 2), ())):
        report("consumption", c, i, ydel, udel, (0, 163), (163, 202), 4, hidden=((3, 1e-3), (3, 10.0), (5, 10.0)))

    # Narendra-Parthasarathy example 2: 2000 training steps, 1000 test steps, noise 0.05.
    if len(sys.argv) > 1:
        sim = np.loadtxt(sys.argv[1], delimiter=",")
        u, y, yt = sim[:, 0], sim[:, 1], sim[:, 2]
        src = sys.argv[1]
    else:
        rng = np.random.default_rng(1)
        u = staircase(3000, rng)
        yt = plant(u)
        y = yt + 0.05 * rng.standard_normal(3000)
        src = "numpy re-implementation, seed 1"
    print(f"\n== Narendra-Parthasarathy example 2 ({src}); errors against the noise-free output")
    for ydel, udel, k in (((1, 2), (1, 2), 10), ((1, 2), (1,), 10)):
        report("plant", y, u, ydel, udel, (0, 2000), (2000, 3000), k, truth=yt)
    # The paper's test: u(k) = sin(2 pi k / 25), free run from rest, noise-free.
    us = np.sin(2 * np.pi * np.arange(500) / 25)
    ys = plant(us)
    X, z = lagged(y, u, (1, 2), (1,), 2, 2000)
    lin = Linear().fit(X, z)
    fr = [rmse(closed_loop(lin, np.zeros(500), us, (1, 2), (1,), 2, 498), ys[2:])]
    for seed in range(5):
        mm = MLP(10, seed).fit(X, z)
        fr.append(rmse(closed_loop(mm, np.zeros(500), us, (1, 2), (1,), 2, 498), ys[2:]))
    print(f"  sine test (500 steps, free run from rest, y delays 1:2, u delay 1): std {np.std(ys):.4g}; "
          f"linear {fr[0]:.4g}, MLP 10 median {np.median(fr[1:]):.4g} ({min(fr[1:]):.4g}–{max(fr[1:]):.4g})")


if __name__ == "__main__":
    main()
