#!/usr/bin/python3
"""Reference values for package plots' tests, from scikit-learn and numpy.

Run from this folder:  /usr/bin/python3 roc_ref.py > roc_ref.json

- roc: binary cases, sklearn.metrics.roc_curve (drop_intermediate=True, its
  default) and roc_auc_score. Thresholds leave out the first, which
  scikit-learn < 1.3 writes as max(score) + 1 and later versions as +inf.
- multiclass: one against the rest per class of a 3-class problem, labels
  binarized with label_binarize, each column through roc_curve and
  roc_auc_score; macro_auc is roc_auc_score(labels, scores,
  multi_class="ovr"), the mean of the three.
- hist: numpy.histogram counts and edges of error vectors, as ErrorBins.
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.preprocessing import label_binarize

rng = np.random.default_rng(17)


def roc_case(name, positive, scores):
    positive = np.asarray(positive, dtype=bool)
    scores = np.asarray(scores, dtype=float)
    fpr, tpr, thr = roc_curve(positive, scores)
    return {
        "name": name,
        "positive": positive.tolist(),
        "scores": scores.tolist(),
        "fpr": fpr.tolist(),
        "tpr": tpr.tolist(),
        "thresholds": thr[1:].tolist(),
        "auc": float(roc_auc_score(positive, scores)),
    }


roc = []
n = 60
pos = rng.random(n) < 0.4
scores = np.round(0.6 * pos + rng.normal(0, 0.35, n), 1)  # rounded: many ties
roc.append(roc_case("noisy, tied", pos, scores))
pos = rng.random(200) < 0.3
roc.append(roc_case("continuous", pos, pos * 0.8 + rng.normal(0, 0.5, 200)))
roc.append(roc_case("separated", [0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.8, 0.9]))
roc.append(roc_case("reversed", [1, 1, 0, 0], [0.1, 0.2, 0.3, 0.8]))
roc.append(roc_case("all tied", [0, 1, 0, 1, 1], [0.5] * 5))
roc.append(roc_case("collinear", [1, 1, 1, 0, 0, 0], [6, 5, 4, 3, 2, 1]))

k, n = 3, 90
labels = rng.integers(0, k, n)
logits = rng.normal(0, 1, (n, k))
logits[np.arange(n), labels] += 1.2
probs = np.exp(logits)
probs /= probs.sum(axis=1, keepdims=True)
onehot = label_binarize(labels, classes=list(range(k)))
per_class = []
for c in range(k):
    fpr, tpr, thr = roc_curve(onehot[:, c], probs[:, c])
    per_class.append({"fpr": fpr.tolist(), "tpr": tpr.tolist(), "thresholds": thr[1:].tolist(),
                      "auc": float(roc_auc_score(onehot[:, c], probs[:, c]))})
multiclass = {
    "labels": labels.tolist(),
    "scores": probs.tolist(),
    "per_class": per_class,
    "macro_auc": float(roc_auc_score(labels, probs, multi_class="ovr")),
}

hist = []
for errors, bins in [
    (rng.normal(0, 1, 500), 20),
    (np.array([-2.0, -1, -1, 0, 0, 0, 1, 2, 2, 2]), 4),  # errors on the edges
    (np.linspace(-0.3, 0.7, 101), 20),
    (np.array([0.25, 0.25, 0.25]), 20),  # one value: numpy's ±0.5 range
]:
    counts, edges = np.histogram(errors, bins=bins)
    hist.append({"errors": errors.tolist(), "bins": bins, "counts": counts.tolist(), "edges": edges.tolist()})

json.dump({"generator": "roc_ref.py", "sklearn": sklearn.__version__, "numpy": np.__version__,
           "roc": roc, "multiclass": multiclass, "hist": hist}, sys.stdout, indent=1)
sys.stdout.write("\n")
