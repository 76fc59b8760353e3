#!/usr/bin/env bash
# Writes a dataset for AutoWS's benchmark as a CSV that autows.load reads
# (features f0..f<d-1>, then label), from what Debian ships; no download.
#
#   scripts/autows-data.sh NAME OUT.csv
#
#   breast_cancer | digits | wine | iris   python3-sklearn's files (sklearn-csv.sh)
#   fashion        Fashion-MNIST (Debian's dataset-fashion-mnist): 5,000 rows
#                  drawn from the 60,000 training images (seed 0), pooled 2x2
#                  to 14x14 = 196 features, the 10 class names
#   classification sklearn's make_classification: 3,000 rows, 20 features
#                  (5 informative, 5 redundant), 4 classes, 2 clusters per
#                  class, 5% labels flipped (seed 11)
# Debian's python3 (python3-numpy, python3-sklearn) makes them; $PYTHON overrides.
#   moons          sklearn's make_moons with noise 0.2 and 8 noise features,
#                  3,000 rows (seed 12)
set -euo pipefail
name=${1:?usage: autows-data.sh NAME OUT.csv}
out=${2:?usage: autows-data.sh NAME OUT.csv}
here=$(cd "$(dirname "$0")" && pwd)
case "$name" in
  breast_cancer|digits|wine|iris) exec bash "$here/sklearn-csv.sh" "$name" "$out";;
  fashion|classification|moons) ;;
  *) echo "autows-data.sh: unknown dataset '$name'" >&2; exit 2;;
esac
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
"${PYTHON:-/usr/bin/python3}" - "$name" "$tmp" <<'PY'
import csv, gzip, sys
import numpy as np
name, out = sys.argv[1], sys.argv[2]
if name == "fashion":
    d = "/usr/share/datasets/fashion-mnist"
    try:
        with gzip.open(d + "/train-images-idx3-ubyte.gz") as f:
            X = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28).astype(float)
        with gzip.open(d + "/train-labels-idx1-ubyte.gz") as f:
            y = np.frombuffer(f.read(), np.uint8, offset=8)
    except FileNotFoundError:
        sys.exit("autows-data.sh: install dataset-fashion-mnist (apt-get install dataset-fashion-mnist)")
    pick = np.random.RandomState(0).permutation(len(y))[:5000]
    X = X[pick].reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4)).reshape(len(pick), -1)
    names = ["tshirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"]
    y = [names[v] for v in y[pick]]
else:
    from sklearn.datasets import make_classification, make_moons
    if name == "classification":
        X, y = make_classification(n_samples=3000, n_features=20, n_informative=5, n_redundant=5, n_classes=4,
                                   n_clusters_per_class=2, flip_y=0.05, random_state=11)
    else:
        X, y = make_moons(n_samples=3000, noise=0.2, random_state=12)
        X = np.hstack([X, np.random.RandomState(12).normal(size=(len(y), 8))])
    y = ["c%d" % v for v in y]
with open(out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["f%d" % i for i in range(X.shape[1])] + ["label"])
    for row, label in zip(X, y):
        w.writerow(["%.6g" % v for v in row] + [label])
PY
mv "$tmp" "$out"
trap - EXIT
