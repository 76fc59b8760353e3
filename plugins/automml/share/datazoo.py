"""AutoMMLab's data zoo, offline: sklearn's bundled digits for
classification, and seeded synthetic images for every task -- shapes
(circle, square, triangle, star, cross, ring, hexagon) to classify, detect
(boxes) and segment (masks), and stick figures of people for keypoints.
Nothing is downloaded. Images are float32 in [0, 1], N x 1 x H x W."""
import math

import numpy as np

SHAPES = ["circle", "square", "triangle", "star", "cross", "ring", "hexagon"]
KEYPOINTS = ["head", "neck", "pelvis", "left hand", "right hand", "left foot", "right foot"]
DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]

# Each dataset: its task, its labels, and the words that name all of them.
DATASETS = {
    "digits": {"task": "classification", "labels": [str(d) for d in range(10)],
               "all": ["digit", "number", "numeral", "handwritten digit", "handwritten number"]},
    "shapes": {"task": "classification", "labels": SHAPES, "all": ["shape", "geometric shape"]},
    "shapes-det": {"task": "detection", "labels": SHAPES, "all": ["shape", "geometric shape", "object"]},
    "shapes-seg": {"task": "segmentation", "labels": SHAPES, "all": ["shape", "geometric shape", "object"]},
    "figures": {"task": "keypoint", "labels": ["person"],
                "all": ["person", "human", "people", "stick figure", "figure", "body", "dancer", "athlete",
                        "worker", "player", "pedestrian"]},
}


def _norm(word):
    w = word.lower().strip().replace("-", " ").replace("_", " ")
    for suffix, repl in (("ies", "y"), ("ses", "s"), ("xes", "x"), ("s", "")):
        if w.endswith(suffix) and not w.endswith("ss") and len(w) > 3:
            return w[: len(w) - len(suffix)] + repl
    return w


def match(task, objects):
    """The dataset of `task` whose labels best cover `objects`:
    (name, classes, matched, unmatched). classes are label names; an
    object naming the whole dataset ("digits") selects every label."""
    best = None
    for name, ds in DATASETS.items():
        if ds["task"] != task:
            continue
        labels = ds["labels"]
        alias = {_norm(a) for a in ds["all"]}
        chosen, matched, unmatched = [], [], []
        for obj in objects:
            o = _norm(obj)
            hit = [l for l in labels if _norm(l) == o or (name == "digits" and o in DIGIT_WORDS
                                                         and DIGIT_WORDS.index(o) == int(l))]
            if not hit and (o in alias or any(o.endswith(" " + a) or a.endswith(" " + o) for a in alias)):
                hit = list(labels)
            if not hit:
                hit = [l for l in labels if len(o) > 3 and (o in _norm(l) or _norm(l) in o)]
            if hit:
                matched.append(obj)
                chosen += [h for h in hit if h not in chosen]
            else:
                unmatched.append(obj)
        score = (len(matched), -len(unmatched))
        if best is None or score > best[0]:
            best = (score, name, chosen, matched, unmatched)
    if best is None:
        raise ValueError(f"the data zoo has no dataset for {task}")
    _, name, chosen, matched, unmatched = best
    if not objects:
        chosen = list(DATASETS[name]["labels"])
    return name, [l for l in DATASETS[name]["labels"] if l in chosen], matched, unmatched


def describe(task):
    return "; ".join(f"{n}: {', '.join(d['labels'])} (or {', '.join(d['all'])})"
                     for n, d in DATASETS.items() if d["task"] == task)


# ---------------------------------------------------------------- drawing

def _polygon_mask(h, w, pts):
    yy, xx = np.mgrid[0:h, 0:w]
    inside = np.ones((h, w), bool)
    n = len(pts)
    # convex polygons only: inside every edge's half-plane
    for i in range(n):
        x0, y0 = pts[i]
        x1, y1 = pts[(i + 1) % n]
        inside &= (x1 - x0) * (yy + 0.5 - y0) - (y1 - y0) * (xx + 0.5 - x0) >= 0
    return inside


def _regular(cx, cy, r, k, rot):
    return [(cx + r * math.cos(rot + 2 * math.pi * i / k), cy + r * math.sin(rot + 2 * math.pi * i / k))
            for i in range(k)]


def shape_mask(kind, h, w, cx, cy, r, rot):
    yy, xx = np.mgrid[0:h, 0:w]
    d = np.hypot(xx + 0.5 - cx, yy + 0.5 - cy)
    if kind == "circle":
        return d <= r
    if kind == "ring":
        return (d <= r) & (d >= 0.55 * r)
    if kind == "square":
        return _polygon_mask(h, w, _regular(cx, cy, r * 1.2, 4, rot + math.pi / 4))
    if kind == "triangle":
        return _polygon_mask(h, w, _regular(cx, cy, r * 1.15, 3, rot - math.pi / 2))
    if kind == "hexagon":
        return _polygon_mask(h, w, _regular(cx, cy, r, 6, rot))
    if kind == "cross":
        a = (np.abs(xx + 0.5 - cx) <= r * 0.3) & (np.abs(yy + 0.5 - cy) <= r)
        b = (np.abs(yy + 0.5 - cy) <= r * 0.3) & (np.abs(xx + 0.5 - cx) <= r)
        return a | b
    if kind == "star":
        m = np.zeros((h, w), bool)
        for i in range(5):  # five thin triangles from the centre
            a = rot + 2 * math.pi * i / 5 - math.pi / 2
            tip = (cx + r * 1.1 * math.cos(a), cy + r * 1.1 * math.sin(a))
            l = (cx + r * 0.38 * math.cos(a - 0.6), cy + r * 0.38 * math.sin(a - 0.6))
            rr = (cx + r * 0.38 * math.cos(a + 0.6), cy + r * 0.38 * math.sin(a + 0.6))
            m |= _polygon_mask(h, w, [l, tip, rr]) | _polygon_mask(h, w, [rr, tip, l])
        return m | (d <= r * 0.4)
    raise ValueError(kind)


def _noise(rng, img, level=0.08):
    img = img + rng.normal(0, level, img.shape)
    return np.clip(img, 0, 1).astype(np.float32)


def gen_shapes_cls(rng, n, classes, size=32):
    x = np.zeros((n, 1, size, size), np.float32)
    y = np.zeros(n, np.int64)
    for i in range(n):
        c = i % len(classes)
        r = rng.uniform(size * 0.18, size * 0.32)
        cx, cy = rng.uniform(r + 1, size - r - 1, 2)
        m = shape_mask(classes[c], size, size, cx, cy, r, rng.uniform(0, 2 * math.pi))
        x[i, 0] = _noise(rng, m * rng.uniform(0.6, 1.0))
        y[i] = c
    p = rng.permutation(n)
    return x[p], y[p]


def _place(rng, size, placed, rmin, rmax):
    for _ in range(50):
        r = rng.uniform(rmin, rmax)
        cx, cy = rng.uniform(r + 1, size - r - 1, 2)
        if all(math.hypot(cx - px, cy - py) > r + pr + 1 for px, py, pr in placed):
            return cx, cy, r
    return None


def gen_shapes_det(rng, n, classes, size=48):
    x = np.zeros((n, 1, size, size), np.float32)
    boxes = []
    for i in range(n):
        img = np.zeros((size, size), np.float32)
        placed, bs = [], []
        for _ in range(rng.integers(1, 4)):
            p = _place(rng, size, placed, size * 0.09, size * 0.18)
            if p is None:
                continue
            cx, cy, r = p
            c = int(rng.integers(len(classes)))
            m = shape_mask(classes[c], size, size, cx, cy, r, rng.uniform(0, 2 * math.pi))
            ys, xs = np.nonzero(m)
            if len(xs) == 0:
                continue
            img[m] = rng.uniform(0.6, 1.0)
            placed.append((cx, cy, r))
            bs.append([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1, c])
        x[i, 0] = _noise(rng, img)
        boxes.append(np.array(bs, np.float32).reshape(-1, 5))
    return x, boxes


def gen_shapes_seg(rng, n, classes, size=32):
    x = np.zeros((n, 1, size, size), np.float32)
    y = np.zeros((n, size, size), np.int64)
    for i in range(n):
        img = np.zeros((size, size), np.float32)
        placed = []
        for _ in range(rng.integers(1, 4)):
            p = _place(rng, size, placed, size * 0.12, size * 0.22)
            if p is None:
                continue
            cx, cy, r = p
            c = int(rng.integers(len(classes)))
            m = shape_mask(classes[c], size, size, cx, cy, r, rng.uniform(0, 2 * math.pi))
            img[m] = rng.uniform(0.6, 1.0)
            y[i][m] = c + 1
            placed.append((cx, cy, r))
        x[i, 0] = _noise(rng, img)
    return x, y


def _line(img, p, q, width=1.2):
    h, w = img.shape
    yy, xx = np.mgrid[0:h, 0:w]
    px, py = p
    qx, qy = q
    dx, dy = qx - px, qy - py
    t = np.clip(((xx + 0.5 - px) * dx + (yy + 0.5 - py) * dy) / max(dx * dx + dy * dy, 1e-6), 0, 1)
    d = np.hypot(xx + 0.5 - (px + t * dx), yy + 0.5 - (py + t * dy))
    img[d <= width] = 1.0


def gen_figures(rng, n, size=48):
    """Stick figures in random poses: 7 keypoints, (x, y) in pixels."""
    x = np.zeros((n, 1, size, size), np.float32)
    kps = np.zeros((n, len(KEYPOINTS), 2), np.float32)
    for i in range(n):
        s = rng.uniform(0.7, 1.0) * size / 48
        cx = rng.uniform(size * 0.35, size * 0.65)
        top = rng.uniform(4, 10)
        head = (cx + rng.normal(0, 1), top + 4 * s)
        neck = (cx, top + 9 * s)
        pelvis = (cx + rng.normal(0, 1.5), top + 24 * s)
        arm = 11 * s
        la = rng.uniform(math.pi * 0.55, math.pi * 1.2)
        ra = rng.uniform(-math.pi * 0.2, math.pi * 0.45)
        lh = (neck[0] + arm * math.cos(la), neck[1] + 2 + arm * math.sin(la))
        rh = (neck[0] + arm * math.cos(ra), neck[1] + 2 + arm * math.sin(ra))
        leg = 13 * s
        lf = (pelvis[0] - leg * math.sin(rng.uniform(0.1, 0.6)), pelvis[1] + leg * math.cos(rng.uniform(0.1, 0.5)))
        rf = (pelvis[0] + leg * math.sin(rng.uniform(0.1, 0.6)), pelvis[1] + leg * math.cos(rng.uniform(0.1, 0.5)))
        img = np.zeros((size, size), np.float32)
        yy, xx = np.mgrid[0:size, 0:size]
        img[np.hypot(xx + 0.5 - head[0], yy + 0.5 - head[1]) <= 3.5 * s] = 1.0
        for a, b in ((neck, pelvis), (neck, lh), (neck, rh), (pelvis, lf), (pelvis, rf), (head, neck)):
            _line(img, a, b)
        x[i, 0] = _noise(rng, img * rng.uniform(0.6, 1.0))
        kps[i] = np.clip(np.array([head, neck, pelvis, lh, rh, lf, rf], np.float32), 0, size - 1)
    return x, kps


def _split(n_total, seed):
    rng = np.random.default_rng(seed + 7)
    p = rng.permutation(n_total)
    a, b = int(n_total * 0.6), int(n_total * 0.8)
    return p[:a], p[a:b], p[b:]


def build(name, classes, seed=0, size=0):
    """The dataset as a dict of arrays (x_*, y_* for train/val/test) and
    its info."""
    ds = DATASETS[name]
    rng = np.random.default_rng(seed)
    info = {"dataset": name, "task": ds["task"], "class_names": classes, "keypoints": 0}
    if name == "digits":
        from sklearn.datasets import load_digits
        X, Y = load_digits(return_X_y=True)
        keep = np.isin(Y, [int(c) for c in classes])
        X, Y = X[keep], Y[keep]
        remap = {int(c): i for i, c in enumerate(classes)}
        Y = np.array([remap[v] for v in Y], np.int64)
        X = (X / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
        tr, va, te = _split(len(X), seed)
        out = {"x_train": X[tr], "y_train": Y[tr], "x_val": X[va], "y_val": Y[va], "x_test": X[te], "y_test": Y[te]}
        info.update(input=[1, 8, 8], classes=len(classes))
        return out, info
    n = size or {"classification": 900, "detection": 600, "segmentation": 600, "keypoint": 600}[ds["task"]]
    if name == "shapes":
        X, Y = gen_shapes_cls(rng, n, classes)
        info.update(input=[1, 32, 32], classes=len(classes))
    elif name == "shapes-seg":
        X, Y = gen_shapes_seg(rng, n, classes)
        info.update(input=[1, 32, 32], classes=len(classes) + 1, background=True)
    elif name == "figures":
        X, Y = gen_figures(rng, n)
        info.update(input=[1, 48, 48], classes=1, keypoints=len(KEYPOINTS), keypoint_names=KEYPOINTS)
    elif name == "shapes-det":
        X, B = gen_shapes_det(rng, n, classes)
        info.update(input=[1, 48, 48], classes=len(classes), stride=4)
        tr, va, te = _split(n, seed)
        out = {"x_train": X[tr], "x_val": X[va], "x_test": X[te]}
        for split, idx in (("train", tr), ("val", va), ("test", te)):
            # boxes as one array with the image index in front
            rows = [np.hstack([np.full((len(B[i]), 1), k, np.float32), B[i]]) for k, i in enumerate(idx)]
            out[f"y_{split}"] = np.vstack(rows) if rows else np.zeros((0, 6), np.float32)
        return out, info
    else:
        raise ValueError(name)
    tr, va, te = _split(n, seed)
    out = {"x_train": X[tr], "y_train": Y[tr], "x_val": X[va], "y_val": Y[va], "x_test": X[te], "y_test": Y[te]}
    return out, info
