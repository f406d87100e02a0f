#!/usr/bin/python3
"""NIST StRD nonlinear regression anchors with scipy.optimize.least_squares.

Parses the 19 NIST StRD .dat files of golem's internal/nist/testdata (directory given by --dir or $NIST_DIR), defines each model
and its analytic Jacobian (written from the model lines in the .dat headers),
and runs least_squares from Start 1 and Start 2 with several variants:

  lm       method='lm' (MINPACK lmder), x_scale=1.0  (scipy default: diag=1, i.e. NO scaling)
  lm_jac   method='lm', x_scale='jac'                 (classic MINPACK mode=1, column-norm scaling)
  trf      method='trf', x_scale=1.0                  (scipy default)
  trf_jac  method='trf', x_scale='jac'

each with scipy's default tolerances (ftol=xtol=gtol=1e-8, default max_nfev) and
with tight tolerances (1e-15, max_nfev=10000), suffix "_tight".

Per run it reports LRE (log relative error, McCullough: -log10(|est-cert|/|cert|),
floored at 0, capped at 11) min over parameters, LRE of the residual sum of
squares, nfev, njev, status and wall time (median of --repeats runs).

It first times a one-unit tanh curve fit (the classic LM tutorial problem): w2*tanh(w1*x+b1)+b2 on 100 points of
1.5*sin(pi*x) + N(0, 0.2^2), least_squares(method='lm') from (1, 1, 0, 0), numeric Jacobian.

Usage (Debian's python3-scipy):
  /usr/bin/python3 bench/peers/scipy_fit.py [--repeats 7] [--variants lm,lm_tight] [--json out.json]
"""
import argparse
import json
import os
import re
import sys
import time
import warnings

import numpy as np
import scipy
from scipy.optimize import least_squares

PROBLEMS = [
    # lower difficulty
    "Misra1a", "Chwirut2", "Chwirut1", "Lanczos3", "Gauss1", "Gauss2", "DanWood", "Misra1b",
    # average difficulty
    "Kirby2", "Hahn1", "Nelson", "MGH17", "Lanczos1", "Lanczos2", "Gauss3", "Misra1c",
    "Misra1d", "Roszman1", "ENSO",
]
DIFFICULTY = {p: ("lower" if i < 8 else "average")
              for i, p in enumerate(PROBLEMS)}
LRE_CAP = 11.0


# ----------------------------------------------------------------------------
# parsing
# ----------------------------------------------------------------------------
def _sigdigits(tok):
    mant = re.split(r"[eE]", tok)[0].lstrip("+-").replace(".", "").lstrip("0")
    return len(mant)


def parse_dat(path):
    with open(path) as fh:
        lines = fh.read().splitlines()
    hdr = "\n".join(lines[:40])

    def rng(label):
        m = re.search(label + r"\s*\(lines\s+(\d+)\s+to\s+(\d+)\)", hdr)
        return int(m.group(1)), int(m.group(2))

    s0, s1 = rng("Starting Values")
    c0, c1 = rng("Certified Values")
    d0, d1 = rng("Data")
    names, start1, start2, cert, sd, digits = [], [], [], [], [], []
    for ln in lines[s0 - 1:s1]:
        t = ln.split()
        # b1 = start1 start2 certified sd
        names.append(t[0]); start1.append(float(t[2])); start2.append(float(t[3]))
        cert.append(float(t[4])); sd.append(float(t[5])); digits.append(_sigdigits(t[4]))
    rss = None
    for ln in lines[c0 - 1:c1]:
        if ln.strip().startswith("Residual Sum of Squares"):
            rss = float(ln.split(":")[1])
    data = np.array([[float(v) for v in ln.split()] for ln in lines[d0 - 1:d1]])
    if "Roszman1" in hdr and abs(cert[0] - 1.20196866396) < 1e-9:
        # ceres-solver's copy shifts b1 by +1 to match its atan2() formulation;
        # NIST's original (arctan model, as in the header) is 2.0196866396E-01.
        print("WARNING: Roszman1 certified b1 = 1.20196866396 (ceres-solver edit); "
              "using NIST original 0.20196866396", file=sys.stderr)
        cert[0] = 0.20196866396
    return dict(names=names, start1=np.array(start1), start2=np.array(start2),
                cert=np.array(cert), sd=np.array(sd), cert_digits=digits, rss=rss,
                y=data[:, 0], x=data[:, 1:] if data.shape[1] > 2 else data[:, 1])


# ----------------------------------------------------------------------------
# models: f(b, x) -> prediction, J(b, x) -> d f / d b  (n_obs x n_par)
# ----------------------------------------------------------------------------
def _exp_sat(b, x):  # y = b1*(1-exp[-b2*x])   Misra1a
    e = np.exp(-b[1] * x)
    return b[0] * (1 - e)


def _exp_sat_j(b, x):
    e = np.exp(-b[1] * x)
    return np.column_stack([1 - e, b[0] * x * e])


def _chwirut(b, x):  # y = exp(-b1*x)/(b2+b3*x)
    return np.exp(-b[0] * x) / (b[1] + b[2] * x)


def _chwirut_j(b, x):
    e = np.exp(-b[0] * x); d = b[1] + b[2] * x
    return np.column_stack([-x * e / d, -e / d**2, -x * e / d**2])


def _lanczos(b, x):  # y = b1*exp(-b2*x) + b3*exp(-b4*x) + b5*exp(-b6*x)
    return b[0] * np.exp(-b[1] * x) + b[2] * np.exp(-b[3] * x) + b[4] * np.exp(-b[5] * x)


def _lanczos_j(b, x):
    e1, e2, e3 = np.exp(-b[1] * x), np.exp(-b[3] * x), np.exp(-b[5] * x)
    return np.column_stack([e1, -b[0] * x * e1, e2, -b[2] * x * e2, e3, -b[4] * x * e3])


def _gauss(b, x):  # y = b1*exp(-b2*x) + b3*exp(-(x-b4)**2/b5**2) + b6*exp(-(x-b7)**2/b8**2)
    return (b[0] * np.exp(-b[1] * x) + b[2] * np.exp(-(x - b[3])**2 / b[4]**2)
            + b[5] * np.exp(-(x - b[6])**2 / b[7]**2))


def _gauss_j(b, x):
    e = np.exp(-b[1] * x)
    g1 = np.exp(-(x - b[3])**2 / b[4]**2)
    g2 = np.exp(-(x - b[6])**2 / b[7]**2)
    return np.column_stack([
        e, -b[0] * x * e,
        g1, b[2] * g1 * 2 * (x - b[3]) / b[4]**2, b[2] * g1 * 2 * (x - b[3])**2 / b[4]**3,
        g2, b[5] * g2 * 2 * (x - b[6]) / b[7]**2, b[5] * g2 * 2 * (x - b[6])**2 / b[7]**3])


def _danwood(b, x):  # y = b1*x**b2
    return b[0] * x**b[1]


def _danwood_j(b, x):
    p = x**b[1]
    return np.column_stack([p, b[0] * p * np.log(x)])


def _misra1b(b, x):  # y = b1 * (1-(1+b2*x/2)**(-2))
    return b[0] * (1 - (1 + b[1] * x / 2)**(-2))


def _misra1b_j(b, x):
    u = 1 + b[1] * x / 2
    return np.column_stack([1 - u**(-2), b[0] * x * u**(-3)])


def _rat22(b, x):  # Kirby2: y = (b1 + b2*x + b3*x**2) / (1 + b4*x + b5*x**2)
    return (b[0] + b[1] * x + b[2] * x**2) / (1 + b[3] * x + b[4] * x**2)


def _rat22_j(b, x):
    n = b[0] + b[1] * x + b[2] * x**2
    d = 1 + b[3] * x + b[4] * x**2
    return np.column_stack([1 / d, x / d, x**2 / d, -n * x / d**2, -n * x**2 / d**2])


def _rat33(b, x):  # Hahn1: (b1+b2*x+b3*x**2+b4*x**3)/(1+b5*x+b6*x**2+b7*x**3)
    return ((b[0] + b[1] * x + b[2] * x**2 + b[3] * x**3)
            / (1 + b[4] * x + b[5] * x**2 + b[6] * x**3))


def _rat33_j(b, x):
    n = b[0] + b[1] * x + b[2] * x**2 + b[3] * x**3
    d = 1 + b[4] * x + b[5] * x**2 + b[6] * x**3
    return np.column_stack([1 / d, x / d, x**2 / d, x**3 / d,
                            -n * x / d**2, -n * x**2 / d**2, -n * x**3 / d**2])


def _nelson(b, x):  # log[y] = b1 - b2*x1 * exp[-b3*x2]   (response is log y)
    return b[0] - b[1] * x[:, 0] * np.exp(-b[2] * x[:, 1])


def _nelson_j(b, x):
    x1, x2 = x[:, 0], x[:, 1]
    e = np.exp(-b[2] * x2)
    return np.column_stack([np.ones_like(x1), -x1 * e, b[1] * x1 * x2 * e])


def _mgh17(b, x):  # y = b1 + b2*exp[-x*b4] + b3*exp[-x*b5]
    return b[0] + b[1] * np.exp(-x * b[3]) + b[2] * np.exp(-x * b[4])


def _mgh17_j(b, x):
    e4, e5 = np.exp(-x * b[3]), np.exp(-x * b[4])
    return np.column_stack([np.ones_like(x), e4, e5, -b[1] * x * e4, -b[2] * x * e5])


def _misra1c(b, x):  # y = b1 * (1-(1+2*b2*x)**(-.5))
    return b[0] * (1 - (1 + 2 * b[1] * x)**(-0.5))


def _misra1c_j(b, x):
    u = 1 + 2 * b[1] * x
    return np.column_stack([1 - u**(-0.5), b[0] * x * u**(-1.5)])


def _misra1d(b, x):  # y = b1*b2*x*((1+b2*x)**(-1))
    return b[0] * b[1] * x / (1 + b[1] * x)


def _misra1d_j(b, x):
    u = 1 + b[1] * x
    return np.column_stack([b[1] * x / u, b[0] * x / u**2])


PI = 3.141592653589793238462643383279


def _roszman1(b, x):  # y = b1 - b2*x - arctan[b3/(x-b4)]/pi
    return b[0] - b[1] * x - np.arctan(b[2] / (x - b[3])) / PI


def _roszman1_j(b, x):
    w = x - b[3]
    u = b[2] / w
    k = 1.0 / (PI * (1 + u**2))
    return np.column_stack([np.ones_like(x), -x, -k / w, -k * b[2] / w**2])


def _enso(b, x):
    t = 2 * np.pi * x
    return (b[0] + b[1] * np.cos(t / 12) + b[2] * np.sin(t / 12)
            + b[4] * np.cos(t / b[3]) + b[5] * np.sin(t / b[3])
            + b[7] * np.cos(t / b[6]) + b[8] * np.sin(t / b[6]))


def _enso_j(b, x):
    t = 2 * np.pi * x
    c4, s4 = np.cos(t / b[3]), np.sin(t / b[3])
    c7, s7 = np.cos(t / b[6]), np.sin(t / b[6])
    d4 = (-b[4] * s4 + b[5] * c4) * (-t / b[3]**2)
    d7 = (-b[7] * s7 + b[8] * c7) * (-t / b[6]**2)
    return np.column_stack([np.ones_like(x), np.cos(t / 12), np.sin(t / 12),
                            d4, c4, s4, d7, c7, s7])


MODELS = {
    "Misra1a": (_exp_sat, _exp_sat_j), 
    "Chwirut1": (_chwirut, _chwirut_j), "Chwirut2": (_chwirut, _chwirut_j),
    "Lanczos1": (_lanczos, _lanczos_j), "Lanczos2": (_lanczos, _lanczos_j),
    "Lanczos3": (_lanczos, _lanczos_j),
    "Gauss1": (_gauss, _gauss_j), "Gauss2": (_gauss, _gauss_j), "Gauss3": (_gauss, _gauss_j),
    "DanWood": (_danwood, _danwood_j), "Misra1b": (_misra1b, _misra1b_j),
    "Kirby2": (_rat22, _rat22_j), "Hahn1": (_rat33, _rat33_j),
    "Nelson": (_nelson, _nelson_j), "MGH17": (_mgh17, _mgh17_j),
    "Misra1c": (_misra1c, _misra1c_j), "Misra1d": (_misra1d, _misra1d_j),
    "Roszman1": (_roszman1, _roszman1_j), "ENSO": (_enso, _enso_j),
}


def response(name, prob):
    return np.log(prob["y"]) if name == "Nelson" else prob["y"]


# ----------------------------------------------------------------------------
def lre(est, cert, cap=LRE_CAP):
    est = np.asarray(est, float); cert = np.asarray(cert, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.abs(est - cert) / np.abs(cert)
        v = np.where(rel == 0, cap, -np.log10(rel))
    v = np.where(np.isfinite(v), v, 0.0)
    return np.clip(v, 0.0, cap)


def check_jacobians(probs):
    """Central finite-difference check of each analytic Jacobian at Start 1 and certified values."""
    worst = {}
    for name in PROBLEMS:
        f, J = MODELS[name]
        p = probs[name]
        errs = []
        for b in (p["start1"], p["start2"], p["cert"]):
            Ja = J(b, p["x"])
            scale = np.maximum(np.abs(Ja).max(axis=0), 1e-300)
            for k in range(len(b)):
                best = np.inf
                for rel in (1e-4, 1e-5, 1e-6, 1e-7):  # best of several steps (FD noise)
                    h = rel * max(abs(b[k]), 1e-8)
                    bp, bm = b.copy(), b.copy(); bp[k] += h; bm[k] -= h
                    Jn = (f(bp, p["x"]) - f(bm, p["x"])) / (2 * h)
                    best = min(best, float(np.max(np.abs(Ja[:, k] - Jn)) / scale[k]))
                errs.append(best)
        worst[name] = max(errs)
    return worst


VARIANTS = {
    "lm":            dict(method="lm"),
    "lm_jac":        dict(method="lm", x_scale="jac"),
    "trf":           dict(method="trf"),
    "trf_jac":       dict(method="trf", x_scale="jac"),
    "lm_tight":      dict(method="lm", ftol=1e-15, xtol=1e-15, gtol=1e-15, max_nfev=10000),
    "lm_jac_tight":  dict(method="lm", x_scale="jac", ftol=1e-15, xtol=1e-15, gtol=1e-15,
                          max_nfev=10000),
    "trf_tight":     dict(method="trf", ftol=1e-15, xtol=1e-15, gtol=1e-15, max_nfev=10000),
    "trf_jac_tight": dict(method="trf", x_scale="jac", ftol=1e-15, xtol=1e-15, gtol=1e-15,
                          max_nfev=10000),
}


def run_one(name, prob, start, opts, repeats):
    f, J = MODELS[name]
    x, y = prob["x"], response(name, prob)
    b0 = prob[start].copy()
    fun = lambda b: f(b, x) - y
    jac = lambda b: J(b, x)
    times, res, err = [], None, None
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for _ in range(repeats):
            t0 = time.perf_counter()
            try:
                res = least_squares(fun, b0, jac=jac, **opts)
            except Exception as e:  # noqa: BLE001
                err = f"{type(e).__name__}: {e}"
                res = None
                break
            times.append(time.perf_counter() - t0)
    if res is None:
        return dict(error=err, lre_min=0.0, lre=[0.0] * len(b0), rss=None, lre_rss=0.0,
                    nfev=None, njev=None, status=None, time_ms=None)
    b = res.x
    rss = float(np.sum(fun(b)**2))
    L = lre(b, prob["cert"])
    return dict(x=[float(v) for v in b], lre=[round(float(v), 2) for v in L],
                lre_min=round(float(L.min()), 2), rss=rss,
                lre_rss=round(float(lre(rss, prob["rss"])), 2),
                nfev=int(res.nfev), njev=None if res.njev is None else int(res.njev),
                status=int(res.status), message=str(res.message),
                time_ms=round(1e3 * float(np.median(times)), 4))


def seed_curve(repeats):
    """The one-unit tanh curve fit, timed as a whole least_squares call (median of repeats)."""
    rng = np.random.RandomState(0)
    x = np.linspace(-2, 2, 100)
    y = 1.5 * np.sin(x * np.pi) + rng.normal(0, 0.2, 100)
    fun = lambda w: w[1] * np.tanh(w[0] * x + w[2]) + w[3] - y
    for name, opts in (("lm", {}), ("lm_tight", dict(ftol=1e-15, xtol=1e-15, gtol=1e-15))):
        ts = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            r = least_squares(fun, [1.0, 1.0, 0.0, 0.0], method="lm", **opts)
            ts.append(time.perf_counter() - t0)
        print(f"tanh curve {name:<8}: median {1e3 * float(np.median(ts)):.3f} ms, "
              f"SSE {float(np.sum(r.fun ** 2)):.6g}, nfev {r.nfev}")
    print()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default=os.environ.get("NIST_DIR", os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "internal", "nist", "testdata")))
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--json", default=None, help="also write every run as JSON")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    args = ap.parse_args()
    variants = args.variants.split(",")

    seed_curve(args.repeats)
    probs = {n: parse_dat(os.path.join(args.dir, n + ".dat")) for n in PROBLEMS}
    print(f"python {sys.version.split()[0]}  numpy {np.__version__}  scipy {scipy.__version__}")
    print(f"LRE = -log10(|b-b_cert|/|b_cert|), floored at 0, capped at {LRE_CAP:g}; "
          f"lre = min over parameters; lreS = LRE of residual sum of squares")
    jc = check_jacobians(probs)
    bad = {k: v for k, v in jc.items() if v > 1e-5}
    print(f"Jacobian FD check (max rel col err over start1/start2/cert): worst "
          f"{max(jc, key=jc.get)} = {max(jc.values()):.2e}; bad: {bad if bad else 'none'}")

    out = dict(meta=dict(python=sys.version.split()[0], numpy=np.__version__,
                         scipy=scipy.__version__, repeats=args.repeats, lre_cap=LRE_CAP,
                         variants={k: {kk: vv for kk, vv in VARIANTS[k].items()}
                                   for k in variants},
                         jacobian_fd_check=jc),
               problems={})
    for name in PROBLEMS:
        p = probs[name]
        # certified values / starts are not copied into the JSON (they stay in the .dat files)
        out["problems"][name] = dict(difficulty=DIFFICULTY[name], n_obs=len(p["y"]),
                                     n_par=len(p["cert"]), cert_digits=p["cert_digits"], runs={})
        for v in variants:
            for s in ("start1", "start2"):
                reps = args.repeats
                out["problems"][name]["runs"][f"{v}/{s}"] = run_one(name, p, s, VARIANTS[v], reps)

    # ---------------- tables ----------------
    for v in variants:
        print()
        print(f"=== variant {v}: {VARIANTS[v]}")
        print(f"{'problem':<9} {'diff':<7} {'n':>4} {'p':>2} | "
              f"{'S1 lre':>6} {'lreS':>5} {'nfev':>5} {'njev':>5} {'st':>2} {'ms':>8} | "
              f"{'S2 lre':>6} {'lreS':>5} {'nfev':>5} {'njev':>5} {'st':>2} {'ms':>8}")
        for name in PROBLEMS:
            P = out["problems"][name]
            row = f"{name:<9} {P['difficulty']:<7} {P['n_obs']:>4} {P['n_par']:>2} |"
            for s in ("start1", "start2"):
                r = P["runs"][f"{v}/{s}"]
                if r.get("error"):
                    row += f" {'ERR':>6} {'':>5} {'':>5} {'':>5} {'':>2} {'':>8} |"
                    continue
                nj = r["njev"] if r["njev"] is not None else -1
                row += (f" {r['lre_min']:6.2f} {r['lre_rss']:5.1f} {r['nfev']:5d} {nj:5d}"
                        f" {r['status']:2d} {r['time_ms']:8.3f} |")
            print(row.rstrip("|"))
    print()
    print("=== summary: problems (of 19) with min-parameter LRE >= 4 "
          "[and >= 6]; total nfev; total median ms")
    summ = {}
    for v in variants:
        line = f"{v:<14}"
        summ[v] = {}
        for s in ("start1", "start2"):
            rs = [out["problems"][n]["runs"][f"{v}/{s}"] for n in PROBLEMS]
            ok4 = [n for n, r in zip(PROBLEMS, rs) if r["lre_min"] >= 4]
            ok6 = sum(r["lre_min"] >= 6 for r in rs)
            fails = [n for n in PROBLEMS if n not in ok4]
            nfev = sum(r["nfev"] or 0 for r in rs)
            ms = sum(r["time_ms"] or 0 for r in rs)
            summ[v][s] = dict(solved_lre4=len(ok4), solved_lre6=int(ok6), failed_lre4=fails,
                              total_nfev=nfev, total_ms=round(ms, 3))
            line += f" {s}: {len(ok4):2d} [{ok6:2d}] nfev {nfev:6d} {ms:8.2f} ms |"
        print(line.rstrip("|"))
    for v in variants:
        for s in ("start1", "start2"):
            print(f"  {v}/{s} LRE<4: {', '.join(summ[v][s]['failed_lre4']) or '-'}")
    out["summary"] = summ
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1)
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
