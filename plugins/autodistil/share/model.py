"""The transformer of the autodistil plugin: a BERT-style encoder (post-LN,
GELU, learned positions) whose every dimension can be sliced, so that one
set of weights holds a whole sub-space of students (DynaBERT's width and
depth slicing, as AutoDistil's SuperLM does), and the self-attention
distillation loss that trains and ranks them.

A student is given resolved, as the C side computes it (autodistil.space,
arch.c): {"kept": [teacher layer indices], "heads": a, "hidden": h,
"ffn": f}. Python never resolves multipliers itself, so the student that
trains is the student that is counted and scored.

The weights are saved as safetensors (written and read here without the
safetensors package, which Debian lacks): float32 tensors named as below,
the config in the metadata. plugins/autodistil/model_io.c reads them for
the C scorer; the names and the forward pass must stay in step with
forward.c, which tests/e2e/autodistil.sh checks by comparing losses."""
import json
import math
import struct

import numpy as np
import torch
import torch.nn.functional as F

EPS = 1e-5
NEG = -1e4  # the additive mask of padded keys


def layer_names(i):
    return [f"l{i}_{n}" for n in ("q_w", "q_b", "k_w", "k_b", "v_w", "v_b", "o_w", "o_b", "ln1_w", "ln1_b",
                                   "f1_w", "f1_b", "f2_w", "f2_b", "ln2_w", "ln2_b")]


def shapes(cfg, classes=0):
    V, T, H, A, dh, Fh = cfg["vocab"], cfg["seq_len"], cfg["hidden"], cfg["heads"], cfg["head_size"], cfg["ffn"]
    D = A * dh
    s = {"emb_tok": (V, H), "emb_pos": (T, H), "emb_ln_w": (H,), "emb_ln_b": (H,)}
    for i in range(cfg["layers"]):
        s.update({f"l{i}_q_w": (D, H), f"l{i}_q_b": (D,), f"l{i}_k_w": (D, H), f"l{i}_k_b": (D,),
                  f"l{i}_v_w": (D, H), f"l{i}_v_b": (D,), f"l{i}_o_w": (H, D), f"l{i}_o_b": (H,),
                  f"l{i}_ln1_w": (H,), f"l{i}_ln1_b": (H,), f"l{i}_f1_w": (Fh, H), f"l{i}_f1_b": (Fh,),
                  f"l{i}_f2_w": (H, Fh), f"l{i}_f2_b": (H,), f"l{i}_ln2_w": (H,), f"l{i}_ln2_b": (H,)})
    s.update({"mlm_w": (H, H), "mlm_b": (H,), "mlm_ln_w": (H,), "mlm_ln_b": (H,), "mlm_bias": (V,)})
    if classes:
        s.update({"cls_w": (classes, H), "cls_b": (classes,)})
    return s


class LM(torch.nn.Module):
    def __init__(self, cfg, classes=0, seed=0):
        super().__init__()
        self.cfg = dict(cfg)
        self.classes = classes
        g = torch.Generator().manual_seed(seed)
        p = {}
        for name, shp in shapes(cfg, classes).items():
            if name.endswith("ln_w") or name.endswith("ln1_w") or name.endswith("ln2_w"):
                t = torch.ones(shp)
            elif len(shp) == 2:
                t = torch.randn(shp, generator=g) * 0.02
            else:
                t = torch.zeros(shp)
            p[name] = torch.nn.Parameter(t)
        self.p = torch.nn.ParameterDict(p)

    def full_arch(self):
        c = self.cfg
        return {"kept": list(range(c["layers"])), "heads": c["heads"], "hidden": c["hidden"], "ffn": c["ffn"]}

    def forward(self, ids, arch=None):
        """ids [B, T] -> (final hidden states [B, T, h], last layer's (q, k,
        v) [B, T, a*dh] each, the mask of real tokens [B, T])."""
        p, c = self.p, self.cfg
        arch = arch or self.full_arch()
        h, a, f, dh = arch["hidden"], arch["heads"], arch["ffn"], c["head_size"]
        D = a * dh
        B, T = ids.shape
        mask = ids != 0
        kbias = (~mask).to(torch.float32)[:, None, None, :] * NEG
        x = p["emb_tok"][ids.long()][:, :, :h] + p["emb_pos"][:T, :h]
        x = F.layer_norm(x, (h,), p["emb_ln_w"][:h], p["emb_ln_b"][:h], EPS)
        qkv = None
        for li in arch["kept"]:
            w = lambda n: p[f"l{li}_{n}"]
            q = F.linear(x, w("q_w")[:D, :h], w("q_b")[:D])
            k = F.linear(x, w("k_w")[:D, :h], w("k_b")[:D])
            v = F.linear(x, w("v_w")[:D, :h], w("v_b")[:D])
            qkv = (q, k, v)
            sp = lambda t: t.view(B, T, a, dh).transpose(1, 2)
            s = sp(q) @ sp(k).transpose(-1, -2) / math.sqrt(dh) + kbias
            ctx = (torch.softmax(s, -1) @ sp(v)).transpose(1, 2).reshape(B, T, D)
            x = F.layer_norm(x + F.linear(ctx, w("o_w")[:h, :D], w("o_b")[:h]), (h,), w("ln1_w")[:h],
                             w("ln1_b")[:h], EPS)
            y = F.gelu(F.linear(x, w("f1_w")[:f, :h], w("f1_b")[:f]))
            x = F.layer_norm(x + F.linear(y, w("f2_w")[:h, :f], w("f2_b")[:h]), (h,), w("ln2_w")[:h],
                             w("ln2_b")[:h], EPS)
        return x, qkv, mask

    def mlm_logits(self, x):
        p = self.p
        H = x.shape[-1]
        t = F.gelu(F.linear(x, p["mlm_w"][:H, :H], p["mlm_b"][:H]))
        t = F.layer_norm(t, (H,), p["mlm_ln_w"][:H], p["mlm_ln_b"][:H], EPS)
        return t @ p["emb_tok"][:, :H].t() + p["mlm_bias"]

    def cls_logits(self, x):
        return F.linear(x[:, 0], self.p["cls_w"], self.p["cls_b"])


def relations(qkv, mask, rel_heads):
    """MiniLM's self-attention relations of the last layer, with MiniLMv2's
    relation heads so that a student with fewer attention heads than its
    teacher still compares head for head: the concatenated queries, keys
    and values are split into `rel_heads` heads. Returns the log of the
    attention distribution (softmax(QK'/sqrt(d))) and of the value
    relation (softmax(VV'/sqrt(d))), [B, R, T, T] each."""
    q, k, v = qkv
    B, T, D = q.shape
    d = D // rel_heads
    sp = lambda t: t.reshape(B, T, rel_heads, d).transpose(1, 2)
    kbias = (~mask).to(torch.float32)[:, None, None, :] * NEG
    at = sp(q) @ sp(k).transpose(-1, -2) / math.sqrt(d) + kbias
    vr = sp(v) @ sp(v).transpose(-1, -2) / math.sqrt(d) + kbias
    return torch.log_softmax(at, -1), torch.log_softmax(vr, -1)


def distill_loss(t_rel, s_rel, mask):
    """KL(teacher || student) of the attention distributions plus that of
    the value relations, each averaged over relation heads and real query
    positions."""
    qm = mask.to(torch.float32)[:, None, :]
    n = qm.sum() * t_rel[0].shape[1]
    tot = 0.0
    for lt, ls in zip(t_rel, s_rel):
        kl = (lt.exp() * (lt - ls)).sum(-1)
        tot = tot + (kl * qm).sum() / n
    return tot


def extract(model, arch):
    """The dense model of one student: its slices of the supernet's
    weights, so that it runs (and is counted) at its own size."""
    c = dict(model.cfg)
    h, a, f, kept = arch["hidden"], arch["heads"], arch["ffn"], arch["kept"]
    D = a * c["head_size"]
    c.update(layers=len(kept), heads=a, hidden=h, ffn=f)
    out = LM(c)
    src = model.p
    with torch.no_grad():
        for name, par in out.p.items():
            if name.startswith("l"):
                i, rest = name[1:].split("_", 1)
                s = src[f"l{kept[int(i)]}_{rest}"]
            else:
                s = src[name]
            par.copy_(s[tuple(slice(0, n) for n in par.shape)])
    return out


# ---------------------------------------------------------------- safetensors

def save(path, model, meta=None):
    tensors = {k: v.detach().to(torch.float32).contiguous().cpu().numpy() for k, v in model.p.items()}
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        b = tensors[name].tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    md = {"config": json.dumps(model.cfg, sort_keys=True), "classes": str(model.classes)}
    md.update({k: str(v) for k, v in (meta or {}).items()})
    header["__metadata__"] = md
    h = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as fp:
        fp.write(struct.pack("<Q", len(h)))
        fp.write(h)
        for b in blobs:
            fp.write(b)


def load(path, classes=None):
    with open(path, "rb") as fp:
        (n,) = struct.unpack("<Q", fp.read(8))
        if n > 16 << 20:
            raise ValueError(f"{path}: safetensors header of {n} bytes; not a weights file of this plugin")
        header = json.loads(fp.read(n))
        data = fp.read()
    md = header.pop("__metadata__", {})
    cfg = json.loads(md["config"])
    ncls = int(md.get("classes", "0")) if classes is None else classes
    m = LM(cfg, ncls)
    with torch.no_grad():
        for name, par in m.p.items():
            e = header.get(name)
            if e is None and name.startswith("cls_"):
                continue  # a new task head: keeps its initialisation
            if e is None:
                raise ValueError(f"{path}: no tensor {name}")
            b, t = e["data_offsets"]
            arr = np.frombuffer(data[b:t], dtype=np.float32).reshape(e["shape"])
            if tuple(arr.shape) != tuple(par.shape):
                raise ValueError(f"{path}: {name} is {tuple(arr.shape)}, want {tuple(par.shape)}")
            par.copy_(torch.from_numpy(arr.copy()))
    return m, md
