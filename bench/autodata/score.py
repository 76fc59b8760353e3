#!/usr/bin/env python3
"""Scores a collected dataset against Instruct2DS-local's ground truth.

  score.py PRED.jsonl TRUTH.jsonl FIELD,FIELD,... [--json]

Values are compared after normalisation: text with whitespace collapsed and
case folded; numbers as floats (to 1e-6 relative); dates as YYYY-MM-DD;
URLs by path and query (the server's port is not part of the truth); lists
as sets of their normalised items.

Record level: a predicted record is right when it equals a truth record on
every field; precision, recall and F1 count records (each truth record is
matched once). Field level: predicted records are aligned one to one with
truth records (greedily, most agreeing fields first); a field is right when
the aligned pair agrees on it; precision divides by the predicted records
that have the field, recall by the truth records.
"""
import json
import re
import sys
from datetime import datetime
from urllib.parse import urlsplit


def norm(v):
    if v is None:
        return None
    if isinstance(v, list):
        items = sorted(n for n in (norm(x) for x in v) if n is not None)
        return tuple(items) if items else None
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, (int, float)):
        return round(float(v), 6)
    s = re.sub(r"\s+", " ", str(v)).strip()
    if not s:
        return None
    if s.startswith(("http://", "https://", "/")):
        u = urlsplit(s)
        return u.path + ("?" + u.query if u.query else "")
    num = re.fullmatch(r"[-+$]?[\d,]*\.?\d+", s)
    if num:
        try:
            return round(float(s.replace(",", "").replace("$", "")), 6)
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d", "%b %d, %Y", "%d %B %Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(s, fmt).strftime("%Y-%m-%d")
        except ValueError:
            pass
    return s.casefold()


def load(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                out.append(json.loads(line))
    return out


def prf(tp, npred, ntrue):
    p = tp / npred if npred else 0.0
    r = tp / ntrue if ntrue else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(pred, truth, fields):
    P = [tuple(norm(r.get(f)) for f in fields) for r in pred]
    T = [tuple(norm(r.get(f)) for f in fields) for r in truth]
    # record level: multiset intersection
    pool = {}
    for t in T:
        pool[t] = pool.get(t, 0) + 1
    tp = 0
    for p in P:
        if pool.get(p, 0) > 0:
            pool[p] -= 1
            tp += 1
    rec = prf(tp, len(P), len(T))
    # field level: greedy alignment by agreeing fields
    pairs = []
    by_field = [{} for _ in fields]
    for j, t in enumerate(T):
        for k, v in enumerate(t):
            if v is not None:
                by_field[k].setdefault(v, []).append(j)
    for i, p in enumerate(P):
        counts = {}
        for k, v in enumerate(p):
            for j in by_field[k].get(v, ()) if v is not None else ():
                counts[j] = counts.get(j, 0) + 1
        for j, c in counts.items():
            pairs.append((-c, i, j))
    pairs.sort()
    used_p, used_t, align = set(), set(), {}
    for c, i, j in pairs:
        if i in used_p or j in used_t:
            continue
        used_p.add(i)
        used_t.add(j)
        align[i] = j
    per = {}
    for k, f in enumerate(fields):
        right = sum(1 for i, j in align.items() if P[i][k] is not None and P[i][k] == T[j][k])
        have = sum(1 for p in P if p[k] is not None)
        per[f] = dict(zip(("precision", "recall", "f1"), prf(right, have, len(T))))
    return {"records_pred": len(P), "records_true": len(T), "record": dict(zip(("precision", "recall", "f1"), rec)),
            "fields": per}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    fields = args[2].split(",")
    s = score(load(args[0]), load(args[1]), fields)
    if "--json" in sys.argv:
        print(json.dumps(s, sort_keys=True))
    else:
        r = s["record"]
        print(f"records {s['records_pred']}/{s['records_true']}  P {r['precision']:.3f} R {r['recall']:.3f} "
              f"F1 {r['f1']:.3f}  " + " ".join(f"{f}:{v['f1']:.2f}" for f, v in s["fields"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
