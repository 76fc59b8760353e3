"""The Python bodies of the automml plugin's ops (plugins/automml/plugin.c
declares them; weft calls each with the node's params and inputs)."""
import json
import math
import os
import time

import numpy as np

import weft

import datazoo

ZOO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "zoo.json")


def _load_npz(path):
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


# ---------------------------------------------------------------- data

def data(parse, seed=0, size=0, python=""):
    task = parse["model"]["task"]
    objects = list(parse["data"].get("object") or [])
    name, classes, matched, unmatched = datazoo.match(task, objects)
    if objects and not matched:
        raise ValueError(f"no dataset in the zoo shows {', '.join(repr(o) for o in objects)} for {task}; the zoo "
                         f"has {datazoo.describe(task)} -- ask for one of those (nothing is downloaded)")
    note = ""
    if task == "classification" and len(classes) < 2:
        classes = list(datazoo.DATASETS[name]["labels"])
        note = "one class cannot be classified: every label of the dataset is used"
    arrays, info = datazoo.build(name, classes, seed=seed, size=size)
    path = os.path.join(weft.outdir(), "dataset.npz")
    np.savez_compressed(path, **arrays)
    info.update(matched=matched, unmatched=unmatched, note=note,
                sizes={s: int(len(arrays["x_" + s])) for s in ("train", "val", "test")})
    weft.log(f"data: {name} with {classes}; matched {matched}, unmatched {unmatched}")
    return {"out": info, "dataset": weft.File(path)}


# ---------------------------------------------------------------- profile

def profile(data, python=""):
    import torch
    import arch
    torch.set_num_threads(1)  # latency on one core, as deployment counts it
    c, h, w = data["input"]
    zoo = json.load(open(ZOO))
    out = []
    for m in zoo["models"]:
        if m["task"] != data["task"]:
            continue
        net = arch.build(m, c, h, w, data["classes"], data.get("keypoints", 0)).eval()
        x = torch.zeros(1, c, h, w)
        times = []
        with torch.no_grad():
            for _ in range(5):
                net(x)
            for _ in range(30):
                t = time.perf_counter()
                net(x)
                times.append((time.perf_counter() - t) * 1000)
        row = dict(m)
        row["recipe"] = dict(zoo["recipe"], **m.get("recipe", {}))
        row["latency_ms"] = round(float(np.median(times)), 4)
        row["torch_params"] = arch.count_params(net)
        row["torch_flops"] = arch.count_flops(net, c, h, w)
        out.append(row)
    return out


# ---------------------------------------------------------------- train

def _schedule(opt, kind, iters):
    import torch
    if kind == "MultiStepLR":
        return torch.optim.lr_scheduler.MultiStepLR(opt, [int(iters * 0.6), int(iters * 0.85)], 0.1)
    if kind == "StepLR":
        return torch.optim.lr_scheduler.StepLR(opt, max(1, iters // 3), 0.1)
    if kind == "PolyLR":
        return torch.optim.lr_scheduler.LambdaLR(opt, lambda it: (1 - min(it, iters - 1) / iters) ** 0.9)
    if kind == "CosineAnnealingLR":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, iters)
    raise ValueError(f"lr_schedule {kind!r} is not MultiStepLR, CosineAnnealingLR, StepLR or PolyLR")


def _optimizer(params, kind, lr, wd):
    import torch
    if kind == "SGD":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=wd)
    if kind == "Adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=wd)
    if kind == "AdamW":
        return torch.optim.AdamW(params, lr=lr, weight_decay=wd)
    if kind == "RMSprop":
        return torch.optim.RMSprop(params, lr=lr, weight_decay=wd)
    raise ValueError(f"optimizer {kind!r} is not SGD, Adam, AdamW or RMSprop")


def _batch(task, arrays, idx):
    import torch
    x = torch.from_numpy(arrays["x_train"][idx])
    if task == "detection":
        y = arrays["y_train"]
        rows = []
        for k, i in enumerate(idx):
            b = y[y[:, 0] == i].copy()
            b[:, 0] = k
            rows.append(b)
        return x, None, np.vstack(rows) if rows else np.zeros((0, 6), np.float32)
    y = arrays["y_train"][idx]
    return x, (torch.from_numpy(y) if task in ("classification", "segmentation") else y), None


def train(model, data, dataset, iters=300, batch_size=32, optimizer="SGD", lr=0.05, weight_decay=1e-4,
          lr_schedule="CosineAnnealingLR", seed=0, python=""):
    """A training node: checkpoints every 50 iterations and resumes from the
    newest; the batches of iteration i are drawn from seed and i alone, so
    a resumed run takes the same steps as an uninterrupted one."""
    if not 1 <= iters <= 100000 or not 1 <= batch_size <= 1024 or not lr > 0 or weight_decay < 0:
        raise ValueError(f"hyperparameters out of range: iters={iters}, batch_size={batch_size}, lr={lr}, "
                         f"weight_decay={weight_decay}")
    return _train(model, data, _load_npz(dataset), int(iters), int(batch_size), optimizer, float(lr),
                  float(weight_decay), lr_schedule, int(seed))


def _train(model, info, arrays, iters, batch_size, optimizer, lr, weight_decay, lr_schedule, seed):
    import torch
    import arch
    import tasks
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    task = info["task"]
    c, h, w = info["input"]
    net = arch.build(model, c, h, w, info["classes"], info.get("keypoints", 0))
    opt = _optimizer(net.parameters(), optimizer, lr, weight_decay)
    sched = _schedule(opt, lr_schedule, iters)
    start = 0
    ck = weft.checkpoint_latest("train")
    if ck is not None:
        state = torch.load(ck.path)
        net.load_state_dict(state["net"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        start = ck.step
        weft.log(f"resumed from iteration {start}")
    n = len(arrays["x_train"])
    net.train()
    last = float("nan")
    diverged = None
    for it in range(start, iters):
        g = torch.Generator().manual_seed(seed * 1000003 + it)
        idx = torch.randint(0, n, (min(batch_size, n),), generator=g).numpy()
        x, y, boxes = _batch(task, arrays, idx)
        opt.zero_grad()
        loss = tasks.loss(task, net(x), y, info, boxes)
        if not torch.isfinite(loss):
            # a bad configuration, not a broken node: the search learns
            # from its score of 0 rather than losing the trial
            diverged = it
            weft.log(f"the loss diverged at iteration {it} (lr={lr}, optimizer={optimizer}); scoring 0", "warn")
            break
        loss.backward()
        opt.step()
        sched.step()
        last = loss.item()
        if (it + 1) % 50 == 0 and it + 1 < iters:
            path = os.path.join(weft.workdir(), "train.pt")
            torch.save({"net": net.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict()}, path)
            weft.checkpoint_save("train", path, it + 1, layout={"model": model["name"]})
            weft.progress((it + 1) / iters, f"iteration {it + 1}/{iters}, loss {last:.4f}")
    if diverged is None:
        val = tasks.evaluate(task, net, arrays["x_val"], arrays["y_val"], info)
        test = tasks.evaluate(task, net, arrays["x_test"], arrays["y_test"], info)
    else:
        val = test = 0.0
    path = os.path.join(weft.outdir(), "weights.pt")
    torch.save(net.state_dict(), path)
    return {"out": round(val, 6), "test": round(test, 6), "weights": weft.File(path), "metric": tasks.METRIC[task],
            "final_loss": last if diverged is None else None, "diverged_at": diverged}


# ---------------------------------------------------------------- export

def _latency_ms(fn, x, runs=30):
    times = []
    for _ in range(5):
        fn(x)
    for _ in range(runs):
        t = time.perf_counter()
        fn(x)
        times.append((time.perf_counter() - t) * 1000)
    return float(np.median(times))


def _check(value, limit):
    if not limit:
        return {"value": value, "limit": None, "ok": True}
    return {"value": value, "limit": limit, "ok": bool(value <= limit)}


def export(model, data, dataset, weights, parse, selection, python=""):
    """TorchScript and ONNX, each reloaded and run beside the trained model
    on validation images: max abs diff must be under 1e-4. Then latency
    (one thread, batch of one), parameters and FLOPs against the limits."""
    import torch
    import arch
    torch.set_num_threads(1)
    c, h, w = data["input"]
    net = arch.build(model, c, h, w, data["classes"], data.get("keypoints", 0))
    net.load_state_dict(torch.load(weights))
    net.eval()
    x = torch.from_numpy(_load_npz(dataset)["x_val"][:16])
    with torch.no_grad():
        ref = net(x)
    out = weft.outdir()
    ts_path = os.path.join(out, "model.torchscript.pt")
    traced = torch.jit.trace(net, x[:1])
    traced.save(ts_path)
    reloaded = torch.jit.load(ts_path)
    with torch.no_grad():
        ts_diff = float((reloaded(x) - ref).abs().max())
    onnx_path = os.path.join(out, "model.onnx")
    torch.onnx.export(net, x[:1], onnx_path, input_names=["input"], output_names=["output"], opset_version=13,
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    try:
        import onnxruntime as ort
    except ImportError as e:
        raise RuntimeError("the ONNX parity check needs onnxruntime: run scripts/pydeps.sh and point WEFT_PYTHON "
                           "at its interpreter") from e
    sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    onnx_out = sess.run(None, {"input": x.numpy()})[0]
    onnx_diff = float(np.abs(onnx_out - ref.numpy()).max())
    with torch.no_grad():
        lat = _latency_ms(reloaded, x[:1])
    onnx_lat = _latency_ms(lambda a: sess.run(None, {"input": a}), x[:1].numpy())
    lim = selection.get("limits", {})
    params = arch.count_params(net)
    flops = arch.count_flops(net, c, h, w)
    engine = parse.get("deploy", {}).get("inference engine", "none")
    checks = {
        "torchscript_parity": {"max_abs_diff": ts_diff, "ok": ts_diff < 1e-4},
        "onnx_parity": {"max_abs_diff": onnx_diff, "ok": onnx_diff < 1e-4},
        "params": _check(params, lim.get("params")),
        "flops": _check(flops, lim.get("flops")),
        "latency_ms": _check(round(onnx_lat if engine == "onnxruntime" else lat, 4), lim.get("latency_ms")),
    }
    return {"out": {"checks": checks, "torchscript_latency_ms": round(lat, 4), "onnx_latency_ms": round(onnx_lat, 4),
                    "params": params, "flops": flops, "engine_asked": engine,
                    "ok": all(v["ok"] for v in checks.values())},
            "torchscript": weft.File(ts_path), "onnx": weft.File(onnx_path)}


# ---------------------------------------------------------------- report

def _fmt(v):
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def report(request, parsed_by, parse, data, selection, hpo, deploy, final, python=""):
    """The one-page Markdown report."""
    m = parse["model"]
    lines = ["# AutoMMLab report", "", f"**Request.** {request}", "",
             f"## 1. Request understanding ({parsed_by})", "", "```json", json.dumps(parse, indent=1), "```", "",
             "## 2. Data", "",
             f"Dataset `{data['dataset']}` ({data['task']}), classes: {', '.join(data['class_names'])}; "
             f"requested objects matched: {data['matched'] or 'none named'}"
             + (f"; not in the zoo: {data['unmatched']}" if data['unmatched'] else "")
             + (f". {data['note']}" if data.get('note') else "") + ".",
             f"Splits: {data['sizes']}.", "", "## 3. Model", "", f"Chosen: **{selection['chosen']['name']}** -- "
             f"{selection['why']}.", "", "| model | family | params | MFLOPs | latency ms | prior | meets |",
             "|---|---|---:|---:|---:|---:|---|"]
    for r in selection["table"]:
        lines.append(f"| {r['name']} | {r['family']} | {r['params']} | {r['flops'] / 1e6:.3f} | "
                     f"{r['latency_ms']:.3f} | {r['prior']:.2f} | {'yes' if r['meets'] else 'no'} |")
    lines += ["", "## 4. Training with hyperparameter search", ""]
    best = hpo.get("best") or {}
    lines.append(f"Stopped: {hpo.get('stopped')}; best trial {hpo.get('trial')} with validation "
                 f"{_fmt(hpo.get('objective'))}: " + ", ".join(f"{k} = {_fmt(v)}" for k, v in sorted(best.items())))
    hist = hpo.get("history") or []
    if hist:
        keys = sorted((hist[0].get("candidate") or {}).keys())
        lines += ["", "| trial | round | " + " | ".join(keys) + " | validation | proposed by |",
                  "|---|---|" + "---|" * len(keys) + "---:|---|"]
        for h in hist:
            cand = h.get("candidate") or {}
            lines.append(f"| {h.get('trial')} | {h.get('round')} | "
                         + " | ".join(_fmt(cand.get(k)) for k in keys)
                         + f" | {_fmt(h.get('objective'))} | {h.get('proposed_by', '')} |")
    lines += ["", "## 5. Deployment", "", "| check | value | limit | ok |", "|---|---:|---:|---|"]
    for k, v in deploy["checks"].items():
        val = v.get("max_abs_diff", v.get("value"))
        lim = "< 1e-4" if "max_abs_diff" in v else (_fmt(v.get("limit")) if v.get("limit") else "none")
        lines.append(f"| {k} | {_fmt(val)} | {lim} | {'yes' if v['ok'] else '**no**'} |")
    targets = m.get("metrics") or []
    final_val, metric_name = final.get("out"), final.get("metric")
    final = final.get("test")
    for t in targets:
        lines.append(f"| target {t['name']} (test) | {_fmt(final)} | {_fmt(t['value'])} | "
                     f"{'yes' if final is not None and final >= t['value'] else '**no**'} |")
    lines += ["", f"Final model: validation {_fmt(final_val)}, test {_fmt(final)} ({metric_name}).",
              "", f"Every deployment check passed: **{'yes' if deploy['ok'] else 'no'}**.", ""]
    # What the request asked and the model does not give: weft prints these,
    # and `weft run --strict` fails on them (they are cached with the report).
    warnings = []
    if selection.get("relaxed"):
        warnings.append(f"no model met the request's limits; {selection['chosen']['name']} was chosen with every "
                        "limit relaxed by 1.2x")
    for k, v in deploy["checks"].items():
        if not v["ok"]:
            warnings.append(f"{k}: max |diff| {_fmt(v['max_abs_diff'])}, not under 1e-4" if "max_abs_diff" in v
                            else f"{k} {_fmt(v.get('value'))} is over the requested {_fmt(v.get('limit'))}")
    for t in targets:
        if final is None or final < t["value"]:
            warnings.append(f"test {metric_name} {_fmt(final)} is under the requested {t['name']} {_fmt(t['value'])}")
    if warnings:
        lines += ["## Not met", ""] + [f"- {w}" for w in warnings] + [""]
    path = os.path.join(weft.outdir(), "report.md")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return {"out": weft.File(path), "warnings": warnings}
