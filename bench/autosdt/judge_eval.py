#!/usr/bin/env python3
"""Precision and recall of autosdt's deterministic judge against the hand
labels in labels.jsonl (115 files of the corpus, each labelled by reading
it, on AutoSDT's three criteria; docs/plugins/autosdt.md gives the rules).

    judge_eval.py CORPUS_DIR [SHARE_DIR]

The files are read from the corpus at HEAD of each repository (through git,
as the crawl reads them), notebooks as their code cells, and judged by
share/autosdt/sdt.py exactly as the pipeline's judge does. Prints one line
per split and each disagreement.
"""
import json
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))


def code_of(corpus, repo, path):
    raw = subprocess.run(["git", "-C", os.path.join(corpus, repo), "show", f"HEAD:{path}"], check=True,
                         capture_output=True).stdout.decode("utf-8", "replace")
    if not path.endswith(".ipynb"):
        return raw
    nb = json.loads(raw)
    cells = nb.get("cells") or (nb.get("worksheets") or [{}])[0].get("cells", [])
    out = []
    for c in cells:
        if c.get("cell_type") != "code":
            continue
        src = c.get("source", c.get("input", ""))
        src = "".join(src) if isinstance(src, list) else src
        out.append("\n".join("# " + ln if ln.lstrip().startswith(("%", "!")) else ln for ln in src.splitlines()))
    return "\n".join(out)


def main():
    corpus = sys.argv[1]
    share = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "..", "plugins", "autosdt", "share")
    labels = [json.loads(ln) for ln in open(os.path.join(here, "labels.jsonl"))]
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.jsonl"), os.path.join(tmp, "out.jsonl")
        with open(src, "w") as f:
            for lab in labels:
                f.write(json.dumps({"path": lab["path"], "code": code_of(corpus, lab["repo"], lab["path"])}) + "\n")
        subprocess.run([sys.executable, os.path.join(share, "sdt.py"), "judge", src, dst], check=True)
        verdicts = [json.loads(ln)["judge"] for ln in open(dst)]
    for split in ("dev", "heldout", "final", "all"):
        tp = fp = fn = tn = 0
        crit = {"scientific": 0, "dataset": 0, "output": 0}
        n = 0
        for lab, v in zip(labels, verdicts):
            if split != "all" and lab["split"] != split:
                continue
            n += 1
            for c in crit:
                crit[c] += lab[c] == v[c]
            if v["is_task"] and lab["is_task"]:
                tp += 1
            elif v["is_task"]:
                fp += 1
            elif lab["is_task"]:
                fn += 1
            else:
                tn += 1
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        acc = ", ".join(f"{c} {crit[c] / n:.3f}" for c in crit)
        print(f"{split:8s} n={n:3d}  precision {p:.3f}  recall {r:.3f}  (tp {tp} fp {fp} fn {fn} tn {tn}); "
              f"per-criterion agreement: {acc}")
    for lab, v in zip(labels, verdicts):
        if lab["is_task"] != v["is_task"]:
            print(f"  {'FP' if v['is_task'] else 'FN'} [{lab['split']}] {lab['repo']}/{lab['path']}: {v['reason'][:160]}")


if __name__ == "__main__":
    main()
