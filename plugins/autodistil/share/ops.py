"""The Python bodies of the autodistil plugin's ops (plugins/autodistil/
plugin.c declares them): the corpus, the teacher's masked-LM pretraining,
the SuperLM of one sub-space, fine-tuning, and the report.

Every training op checkpoints its model and optimizer every `ckpt_every`
steps and resumes from the newest; the randomness of step i (the batch,
the masking, the sampled student) comes from (seed, i) alone, so a
resumed run takes exactly the steps an uninterrupted one would."""
import json
import math
import os
import time

import numpy as np

import weft

import corpus as corpus_mod

TASKS = ("section", "tags")


def _device():
    """The node's GPU when it was given one and torch can use it, else the
    CPU (weft sets CUDA_VISIBLE_DEVICES to the node's devices only)."""
    import torch
    return torch.device("cuda") if weft.devices("gpu") and torch.cuda.is_available() else torch.device("cpu")


def _npz(path):
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def _check_range(name, v, lo, hi):
    if not lo <= v <= hi:
        raise ValueError(f"{name}={v} is out of range [{lo}, {hi}]")


# ---------------------------------------------------------------- corpus

def corpus(seq_len=48, words=8000, buckets=1024, limit=0, eval_n=256, probe_n=4, seed=0, python=""):
    _check_range("seq_len", seq_len, 8, 512)
    _check_range("words", words, 16, 200000)
    _check_range("buckets", buckets, 0, 100000)
    _check_range("eval_n", eval_n, 1, 100000)
    _check_range("probe_n", probe_n, 1, 64)
    arrays, info, tok = corpus_mod.build(int(seq_len), int(words), int(buckets), int(limit))
    # The distillation held-out set and the probe batch: fixed draws from
    # dev, apart from each other.
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(arrays["ids_dev"]))
    if len(perm) < eval_n + probe_n:
        raise ValueError(f"dev has {len(perm)} descriptions, fewer than eval_n + probe_n = {eval_n + probe_n}; "
                         f"lower them or raise limit")
    out = weft.outdir()
    np.savez_compressed(os.path.join(out, "corpus.npz"), **arrays)
    np.save(os.path.join(out, "distill.npy"), arrays["ids_dev"][np.sort(perm[:eval_n])])
    np.save(os.path.join(out, "probe.npy"), arrays["ids_dev"][np.sort(perm[eval_n:eval_n + probe_n])])
    with open(os.path.join(out, "vocab.txt"), "w") as f:
        f.write("\n".join(tok.vocab) + "\n")
    info.update(eval_n=int(eval_n), probe_n=int(probe_n))
    weft.log(f"corpus: {info['sizes']}, vocab {info['vocab']} ({info['bucket_rate']:.1%} of train tokens hashed)")
    return {"out": info, "data": weft.File(os.path.join(out, "corpus.npz")),
            "distill": weft.File(os.path.join(out, "distill.npy")),
            "probe": weft.File(os.path.join(out, "probe.npy")),
            "vocab": weft.File(os.path.join(out, "vocab.txt"))}


# ---------------------------------------------------------------- training loop

def _lr_at(step, steps, lr, warmup=0.06):
    w = max(1, int(steps * warmup))
    return lr * (step + 1) / w if step < w else lr * max(0.0, (steps - step) / max(1, steps - w))


def _loop(tag, steps, net, opt, step_fn, ckpt_every, lr, extra=None):
    """Runs steps [start, steps) of step_fn(step) -> loss, resuming from the
    newest checkpoint named `tag`. Returns the losses of the steps run in
    this attempt (the mean of the last tenth is what the op reports)."""
    import torch
    # With more than one thread, some of torch's CPU kernels (the
    # embedding's backward among them) add in a varying order: the same
    # node would train to other weights on every run. Measured: no slower.
    torch.use_deterministic_algorithms(True)
    start = 0
    ck = weft.checkpoint_latest(tag)
    if ck is not None:
        state = torch.load(ck.path, map_location=next(net.parameters()).device)
        net.load_state_dict(state["net"])
        opt.load_state_dict(state["opt"])
        start = ck.step
        weft.log(f"{tag}: resumed from step {start} of {steps}")
    losses = []
    t0 = time.time()
    for step in range(start, steps):
        for g in opt.param_groups:
            g["lr"] = _lr_at(step, steps, lr)
        loss = step_fn(step)
        if not math.isfinite(loss):
            raise FloatingPointError(f"{tag}: the loss is {loss} at step {step}; lower lr (now {lr})")
        losses.append(loss)
        done = step + 1
        if done % ckpt_every == 0 and done < steps:
            path = os.path.join(weft.workdir(), f"{tag}.pt")
            torch.save({"net": net.state_dict(), "opt": opt.state_dict()}, path)
            weft.checkpoint_save(tag, path, done, layout=dict(extra or {}, format="autodistil-1"))
        if done % 10 == 0 or done == steps:
            weft.progress(done / steps, f"{tag} step {done}/{steps}, loss {loss:.4f}, "
                                        f"{(time.time() - t0) / max(1, done - start):.2f} s/step")
    return start, losses


def _tail_mean(xs):
    if not xs:
        return None
    k = max(1, len(xs) // 10)
    return round(float(np.mean(xs[-k:])), 6)


def _teacher_cfg(info, layers, hidden, heads, head_size, ffn_ratio):
    return {"vocab": int(info["vocab"]), "seq_len": int(info["seq_len"]), "layers": int(layers),
            "hidden": int(hidden), "heads": int(heads), "head_size": int(head_size),
            "ffn": int(hidden * ffn_ratio)}


# ---------------------------------------------------------------- teacher

def pretrain(corpus, data, layers=6, hidden=128, heads=8, head_size=16, ffn_ratio=4, steps=1500, batch=64,
             lr=1e-3, mask_prob=0.15, seed=0, ckpt_every=100, python=""):
    """The teacher: masked language modelling on train's descriptions
    (BERT's 80/10/10 masking of 15% of the words)."""
    import torch
    import model as M
    _check_range("steps", steps, 1, 10_000_000)
    _check_range("batch", batch, 1, 4096)
    torch.manual_seed(seed)
    arrays = _npz(data)
    ids = torch.from_numpy(arrays["ids_train"].astype(np.int64))
    cfg = _teacher_cfg(corpus, layers, hidden, heads, head_size, ffn_ratio)
    dev = _device()
    net = M.LM(cfg, seed=seed).to(dev)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=0.01)
    V = cfg["vocab"]

    def mlm_batch(x, g):
        real = x > corpus_mod.MASK
        pick = (torch.rand(x.shape, generator=g) < mask_prob) & real
        r = torch.rand(x.shape, generator=g)
        inp = x.clone()
        inp[pick & (r < 0.8)] = corpus_mod.MASK
        rnd = pick & (r >= 0.8) & (r < 0.9)
        inp[rnd] = torch.randint(5, V, (int(rnd.sum()),), generator=g)
        return inp, pick

    def step_fn(step):
        g = torch.Generator().manual_seed(seed * 1000003 + step)
        x = ids[torch.randint(0, len(ids), (batch,), generator=g)]
        inp, pick = mlm_batch(x, g)
        x, inp, pick = x.to(dev), inp.to(dev), pick.to(dev)
        h, _, _ = net(inp)
        logits = net.mlm_logits(h[pick])
        loss = torch.nn.functional.cross_entropy(logits, x[pick])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        return loss.item()

    start, losses = _loop("pretrain", int(steps), net, opt, step_fn, int(ckpt_every), lr, {"layers": layers})
    # masked-word accuracy on dev, with a fixed masking
    dev_ids = torch.from_numpy(arrays["ids_dev"][:2048].astype(np.int64))
    g = torch.Generator().manual_seed(12345)
    inp, pick = mlm_batch(dev_ids, g)
    net.eval()
    with torch.no_grad():
        h, _, _ = net(inp.to(dev))
        logits = net.mlm_logits(h[pick.to(dev)]).cpu()
        dev_loss = torch.nn.functional.cross_entropy(logits, dev_ids[pick]).item()
        dev_acc = (logits.argmax(-1) == dev_ids[pick]).float().mean().item()
    path = os.path.join(weft.outdir(), "teacher.safetensors")
    M.save(path, net, {"kind": "teacher"})
    return {"out": {"config": cfg, "steps": int(steps), "resumed_at": start, "train_loss": _tail_mean(losses),
                    "dev_mlm_loss": round(dev_loss, 4), "dev_mlm_accuracy": round(dev_acc, 4)},
            "weights": weft.File(path)}


# ---------------------------------------------------------------- SuperLM

def supernet(teacher, data, students, subspace="sub", steps=600, batch=32, lr=5e-4, seed=0, ckpt_every=50,
             python=""):
    """One SuperLM: initialised from the teacher, trained by sampling one
    student of the sub-space at random every step (DynaBERT's width and
    depth slicing of the shared weights) with the self-attention
    distillation loss against the teacher's last layer."""
    import torch
    import model as M
    if not isinstance(students, list) or not students:
        raise ValueError("students: want the non-empty list of autodistil.space")
    torch.manual_seed(seed)
    arrays = _npz(data)
    ids = torch.from_numpy(arrays["ids_train"].astype(np.int64))
    dev = _device()
    tnet, _ = M.load(teacher)
    tnet = tnet.to(dev).eval()
    for p in tnet.parameters():
        p.requires_grad_(False)
    net, _ = M.load(teacher)
    net = net.to(dev)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=0.01)
    R = tnet.cfg["heads"]
    archs = [s["arch"] for s in students]

    def step_fn(step):
        g = torch.Generator().manual_seed(seed * 1000003 + step)
        x = ids[torch.randint(0, len(ids), (batch,), generator=g)].to(dev)
        arch = archs[int(torch.randint(0, len(archs), (1,), generator=g))]
        with torch.no_grad():
            _, tq, mask = tnet(x)
            trel = M.relations(tq, mask, R)
        _, sq, _ = net(x, arch)
        loss = M.distill_loss(trel, M.relations(sq, mask, R), mask)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        return loss.item()

    start, losses = _loop("supernet", int(steps), net, opt, step_fn, int(ckpt_every), lr, {"subspace": subspace})
    path = os.path.join(weft.outdir(), "supernet.safetensors")
    M.save(path, net, {"kind": "supernet", "subspace": subspace})
    return {"out": {"subspace": subspace, "students": len(students), "steps": int(steps), "resumed_at": start,
                    "train_loss": _tail_mean(losses)},
            "weights": weft.File(path)}


def score(weights, teacher, distill, student, python=""):
    """The held-out distillation loss of one student in torch: what the C
    scorer (autodistil.score) computes, for the cross-check."""
    import torch
    import model as M
    net, _ = M.load(weights)
    tnet, _ = M.load(teacher)
    x = torch.from_numpy(np.load(distill).astype(np.int64))
    with torch.no_grad():
        _, tq, mask = tnet(x)
        _, sq, _ = net(x, student["arch"] if "arch" in student else student)
        R = tnet.cfg["heads"]
        return float(M.distill_loss(M.relations(tq, mask, R), M.relations(sq, mask, R), mask))


# ---------------------------------------------------------------- fine-tuning

def _metrics(task, logits, arrays, split):
    if task == "section":
        y = arrays["section_" + split]
        pred = logits.argmax(1)
        acc = float(np.mean(pred == y))
        f1s = []
        for c in np.unique(y):
            tp = np.sum((pred == c) & (y == c))
            fp = np.sum((pred == c) & (y != c))
            fn = np.sum((pred != c) & (y == c))
            f1s.append(2 * tp / max(1, 2 * tp + fp + fn))
        # the majority class of train, predicted for every package
        major = np.bincount(arrays["section_train"]).argmax()
        return {"accuracy": round(acc, 4), "macro_f1": round(float(np.mean(f1s)), 4), "n": int(len(y)),
                "majority_baseline": round(float(np.mean(y == major)), 4)}
    keep = arrays["tagged_" + split]
    y = arrays["tags_" + split][keep]
    pred = logits[keep] > 0
    tp = np.sum(pred & (y > 0.5))
    fp = np.sum(pred & (y < 0.5))
    fn = np.sum(~pred & (y > 0.5))
    # predicting train's tags of over half the packages (none, here) or,
    # when none is that frequent, the single most frequent tag everywhere
    prior = arrays["tags_train"][arrays["tagged_train"]].mean(0)
    base = prior > 0.5 if (prior > 0.5).any() else prior == prior.max()
    btp = np.sum(base[None, :] & (y > 0.5))
    bfp = np.sum(base[None, :] & (y < 0.5))
    bfn = np.sum(~base[None, :] & (y > 0.5))
    return {"micro_f1": round(float(2 * tp / max(1, 2 * tp + fp + fn)), 4), "n": int(keep.sum()),
            "majority_baseline": round(float(2 * btp / max(1, 2 * btp + bfp + bfn)), 4)}


def finetune(weights, data, corpus, task="section", student=None, steps=800, batch=32, lr=5e-4, seed=0,
             ckpt_every=100, label="", python=""):
    """Fine-tunes the teacher (student = null) or one student, sliced out of
    its SuperLM, on a downstream task: Section (one of the corpus's
    sections; accuracy and macro-F1) or Debtags (multi-label over the
    corpus's most frequent tags, tagged packages only; micro-F1)."""
    import torch
    import model as M
    if task not in TASKS:
        raise ValueError(f"task={task!r}: want one of {', '.join(TASKS)}")
    torch.manual_seed(seed)
    arrays = _npz(data)
    classes = len(corpus["sections"]) if task == "section" else len(corpus["tags"])
    src, _ = M.load(weights)
    arch = student["arch"] if student else None
    dense = M.extract(src, arch) if arch else src
    net = M.LM(dense.cfg, classes, seed=seed + 17)
    with torch.no_grad():
        for k, p in dense.p.items():
            net.p[k].copy_(p)
    dev = _device()
    net = net.to(dev)
    if task == "section":
        X = torch.from_numpy(arrays["ids_train"].astype(np.int64))
        Y = torch.from_numpy(arrays["section_train"])
    else:
        keep = arrays["tagged_train"]
        X = torch.from_numpy(arrays["ids_train"][keep].astype(np.int64))
        Y = torch.from_numpy(arrays["tags_train"][keep])
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=0.01)

    def step_fn(step):
        g = torch.Generator().manual_seed(seed * 1000003 + step)
        i = torch.randint(0, len(X), (batch,), generator=g)
        h, _, _ = net(X[i].to(dev))
        out = net.cls_logits(h)
        if task == "section":
            loss = torch.nn.functional.cross_entropy(out, Y[i].to(dev))
        else:
            loss = torch.nn.functional.binary_cross_entropy_with_logits(out, Y[i].to(dev))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        return loss.item()

    start, losses = _loop("finetune", int(steps), net, opt, step_fn, int(ckpt_every), lr, {"task": task})
    net.eval()
    res = {}
    with torch.no_grad():
        for split in ("dev", "test", "heldout"):
            x = torch.from_numpy(arrays["ids_" + split].astype(np.int64))
            logits = torch.cat([net.cls_logits(net(x[b:b + 512].to(dev))[0]).cpu()
                                for b in range(0, len(x), 512)]).numpy()
            res[split] = _metrics(task, logits, arrays, split)
    path = os.path.join(weft.outdir(), "model.safetensors")
    M.save(path, net, {"kind": "finetuned", "task": task, "label": label})
    c = dense.cfg
    return {"out": {"label": label or ("teacher" if not student else "student"), "task": task, "steps": int(steps),
                    "resumed_at": start, "train_loss": _tail_mean(losses), "metrics": res,
                    "arch": {"layers": c["layers"], "heads": c["heads"], "hidden": c["hidden"], "ffn": c["ffn"]}},
            "weights": weft.File(path)}


# ---------------------------------------------------------------- report

def _pct(x):
    return "-" if x is None else f"{100 * x:.1f}"


def _search_stats(res):
    hist = res.get("history") or []
    fc = res.get("functional") or {}
    return {"trials": len(hist), "evaluations": fc.get("evaluations", len(hist)), "full_hits": fc.get("full_hits", 0),
            "partial_hits": fc.get("partial_hits", 0), "best": res.get("objective"),
            "seconds": round(sum(float(h.get("seconds") or 0) for h in hist), 3), "stopped": res.get("stopped")}


def _models(teacher_ft, cfg_ft, picks, teacher_flops, teacher_params):
    """Rows of the accuracy-against-FLOPs table: the teacher, then each
    pick, with both tasks' figures on test and heldout."""
    by = {}
    for o in list(teacher_ft) + list(cfg_ft or []):
        by.setdefault(o["label"], {})[o["task"]] = o["metrics"]
    rows = [{"label": "teacher", "params": teacher_params, "flops": teacher_flops, "metrics": by.get("teacher", {})}]
    for p in picks or []:
        lab = next((k for k in by if k.endswith("_" + p["budget"])), None)
        rows.append({"label": lab or p["budget"], "student": p["name"], "params": p["params"], "flops": p["flops"],
                     "objective": p["objective"], "metrics": by.get(lab, {})})
    return rows


def _acc(row, split="test"):
    return row["metrics"].get("section", {}).get(split, {}).get("accuracy")


def _f1(row, split="test"):
    return row["metrics"].get("tags", {}).get(split, {}).get("micro_f1")


def report(corpus, teacher, finetuned_teacher, spaces, k3, k1=None, python=""):
    sp = {s["name"]: s for s in spaces}
    tflops = spaces[0]["teacher_flops"]
    tparams = spaces[0]["teacher_params"]
    configs = [("k3", "K = 3 (a SuperLM per sub-space)", k3)] + ([("k1", "K = 1 (one SuperLM)", k1)] if k1 else [])
    summary = {"teacher": {"params": tparams, "flops": tflops}, "configs": {}}
    L = ["# AutoDistil on Debian package descriptions", ""]
    s = corpus["snapshot"]
    L += [f"Corpus: {s['packages']} packages of {s['suite']} ({s['date']}), SHA-256 `{s['sha256'][:16]}…`; "
          f"splits by source package: " + ", ".join(f"{k} {v}" for k, v in corpus["sizes"].items()) +
          f"; {len(corpus['sections'])} Section classes, {len(corpus['tags'])} Debtags; vocabulary {corpus['vocab']} "
          f"({corpus['bucket_rate']:.1%} of train tokens in hash buckets).", ""]
    c = teacher["config"]
    L += [f"Teacher: {c['layers']} layers, {c['heads']} heads of {c['head_size']}, hidden {c['hidden']}, FFN "
          f"{c['ffn']}, {c['seq_len']} tokens; {tparams:,} parameters, {tflops / 1e6:.1f} MFLOPs per sequence; "
          f"{teacher['steps']} MLM steps, dev masked-word accuracy {_pct(teacher['dev_mlm_accuracy'])}%.", ""]
    L += ["## Sub-spaces", "", "| sub-space | students | distinct | params | MFLOPs |", "|---|---|---|---|---|"]
    for s_ in spaces:
        L.append(f"| {s_['name']} | {s_['students']} | {s_['distinct']} | {s_['params'][0]:,}-{s_['params'][1]:,} | "
                 f"{s_['flops'][0] / 1e6:.2f}-{s_['flops'][1] / 1e6:.2f} |")
    L.append("")
    for tag, title, cfg in configs:
        stats = [_search_stats(r) for r in cfg["searches"]]
        tot = {k: sum(st[k] for st in stats) for k in ("trials", "evaluations", "full_hits", "partial_hits")}
        tot["seconds"] = round(sum(st["seconds"] for st in stats), 3)
        rows = _models(finetuned_teacher, cfg.get("finetuned"), cfg["picks"], tflops, tparams)
        summary["configs"][tag] = {"search": tot, "supernets": cfg["supernets"], "models": rows}
        L += [f"## {title}", "", "Search (every student, held-out distillation loss; functional cache):", "",
              "| sub-space | trials | scored | functional hits | best loss | trial seconds |", "|---|---|---|---|---|---|"]
        for name, st in zip([x["name"] for x in spaces], stats):
            L.append(f"| {name} | {st['trials']} | {st['evaluations']} | {st['full_hits']} | "
                     f"{st['best'] if st['best'] is None else round(st['best'], 5)} | {st['seconds']} |")
        L.append(f"| all | {tot['trials']} | {tot['evaluations']} | {tot['full_hits']} | | {tot['seconds']} |")
        L += ["", "| model | student | params | MFLOPs | FLOPs vs teacher | distill loss | Section acc test / heldout "
              "| Debtags F1 test / heldout |", "|---|---|---|---|---|---|---|---|"]
        for r in rows:
            L.append(f"| {r['label']} | {r.get('student', '')} | {r['params']:,} | {r['flops'] / 1e6:.2f} | "
                     f"{r['flops'] / tflops:.2f}x | {'' if 'objective' not in r else round(r['objective'], 5)} | "
                     f"{_pct(_acc(r))} / {_pct(_acc(r, 'heldout'))} | {_pct(_f1(r))} / {_pct(_f1(r, 'heldout'))} |")
        t = rows[0]
        within = [r for r in rows[1:] if _acc(r) is not None and _acc(t) is not None and _acc(t) - _acc(r) <= 0.01]
        best = min(within, key=lambda r: r["flops"]) if within else None
        head = {"student": best["label"], "flops_reduction": round(tflops / best["flops"], 2),
                "section_test_delta": round(_acc(best) - _acc(t), 4),
                "section_heldout_delta": round(_acc(best, "heldout") - _acc(t, "heldout"), 4)} if best else None
        summary["configs"][tag]["headline"] = head
        L += ["", "Headline (the paper's form): " + (
            f"{head['flops_reduction']}x fewer FLOPs than the teacher ({head['student']}) at "
            f"{100 * head['section_test_delta']:+.1f} points of Section accuracy on test, "
            f"{100 * head['section_heldout_delta']:+.1f} on heldout." if head else
            "no student is within 1 point of the teacher's Section accuracy on test."), ""]
    if k1:
        L += ["## Ablation: K = 3 against K = 1, same training steps", "",
              "| budget | K=3 student | loss | Section acc test | K=1 student | loss | Section acc test |",
              "|---|---|---|---|---|---|---|"]
        a = summary["configs"]["k3"]["models"][1:]
        b = summary["configs"]["k1"]["models"][1:]
        for x, y in zip(a, b):
            L.append(f"| {x['label'].split('_', 1)[1]} | {x.get('student')} | {round(x['objective'], 5)} | "
                     f"{_pct(_acc(x))} | {y.get('student')} | {round(y['objective'], 5)} | {_pct(_acc(y))} |")
        L.append("")
    path = os.path.join(weft.outdir(), "report.md")
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")
    return {"out": weft.File(path), "summary": summary}
