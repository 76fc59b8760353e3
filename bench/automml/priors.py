"""The zoo's priors: each model's validation metric with the default
hyperparameters (300 iterations, batch 32, SGD, lr 0.05, cosine) on its
task's default zoo data, seed 0. automml.select ranks the models that
meet a request by it. Run: WEFT_PYTHON ... python3 bench/automml/priors.py
(prints the table; zoo.json's "prior" fields are these numbers, rounded)."""
import json
import os
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
sys.path[:0] = [os.path.join(root, "plugins/automml/share"), os.path.join(root, "python")]
os.chdir(tempfile.mkdtemp())

import datazoo  # noqa: E402
import ops  # noqa: E402
import weft  # noqa: E402

DATA = {"classification": ("digits", [str(d) for d in range(10)]),
        "detection": ("shapes-det", datazoo.SHAPES), "segmentation": ("shapes-seg", datazoo.SHAPES),
        "keypoint": ("figures", ["person"])}
zoo = json.load(open(os.path.join(root, "plugins/automml/share/zoo.json")))
cache = {}
only = sys.argv[1:]
for m in zoo["models"]:
    if only and m["task"] not in only:
        continue
    name, classes = DATA[m["task"]]
    if name not in cache:
        cache[name] = datazoo.build(name, classes, seed=0)
    arrays, info = cache[name]
    weft._state.local = {}  # outside weft, checkpoints are per process: one model's must not seed the next
    r = ops._train(m, info, arrays, 300, 32, "SGD", 0.05, 1e-4, "CosineAnnealingLR", 0)
    print(f"{m['name']:12s} {m['task']:15s} {r['out']:.4f}", flush=True)
