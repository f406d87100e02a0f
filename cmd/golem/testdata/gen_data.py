#!/usr/bin/python3
"""Writes the CSV fixtures of cmd/golem's tests (run from this folder:
/usr/bin/python3 gen_data.py). The tests never run it; the CSVs are committed.

sine.csv     x, y: 200 points of 1.5·sin(πx) + N(0, 0.2²), x uniform on [-1, 1]
table.csv    x1, x2, y1, y2: 150 rows, y1 = sin(2·x1) + x2²/2 + noise,
             y2 = x1·x2 + noise (N(0, 0.05²)), x1, x2 uniform on [-2, 2]
misra1a.csv  x, y: NIST StRD's Misra1a (14 points), copied from
             internal/nist/testdata/Misra1a.dat
"""
import numpy as np

rng = np.random.default_rng(17)

x = rng.uniform(-1, 1, 200)
y = 1.5 * np.sin(np.pi * x) + rng.normal(0, 0.2, 200)
with open("sine.csv", "w") as f:
    f.write("x,y\n")
    for a, b in zip(x, y):
        f.write(f"{a:.6f},{b:.6f}\n")

x1 = rng.uniform(-2, 2, 150)
x2 = rng.uniform(-2, 2, 150)
y1 = np.sin(2 * x1) + x2**2 / 2 + rng.normal(0, 0.05, 150)
y2 = x1 * x2 + rng.normal(0, 0.05, 150)
with open("table.csv", "w") as f:
    f.write("x1,x2,y1,y2\n")
    for r in zip(x1, x2, y1, y2):
        f.write(",".join(f"{v:.6f}" for v in r) + "\n")

rows = []
with open("../../../internal/nist/testdata/Misra1a.dat") as f:
    lines = f.read().splitlines()
start = next(i for i, l in enumerate(lines) if l.strip().startswith("Data:   y")) + 1
for l in lines[start:]:
    p = l.split()
    if len(p) == 2:
        rows.append((float(p[1]), float(p[0])))  # NIST lists y then x
with open("misra1a.csv", "w") as f:
    f.write("x,y\n")
    for a, b in rows:
        f.write(f"{a:g},{b:g}\n")
