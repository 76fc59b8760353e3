"""Builds a PyTorch module from a zoo architecture (plugins/automml/arch.h
describes the layer list; arch.c counts the same layers in C)."""
import torch
from torch import nn


def resolve(out, classes, keypoints):
    if isinstance(out, int):
        return out
    return {"classes": classes, "classes+4": classes + 4, "keypoints": keypoints}[out]


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, expand, stride):
        super().__init__()
        mid = cin * expand
        self.body = nn.Sequential(
            nn.Conv2d(cin, mid, 1, bias=False), nn.BatchNorm2d(mid), nn.ReLU6(inplace=True),
            nn.Conv2d(mid, mid, 3, stride, 1, groups=mid, bias=False), nn.BatchNorm2d(mid), nn.ReLU6(inplace=True),
            nn.Conv2d(mid, cout, 1, bias=False), nn.BatchNorm2d(cout))
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


class ZooNet(nn.Module):
    """Runs the layer list in order; `save` keeps a tensor by name and
    `concat` joins it back along the channels (U-Net skips)."""

    def __init__(self, layers, in_ch, classes, keypoints=0):
        super().__init__()
        self.plan = []
        mods = []
        c = in_ch
        saved_c = {}
        for i, l in enumerate(layers):
            op = l["op"]
            if op == "conv":
                out = resolve(l["out"], classes, keypoints)
                k = l.get("k", 3)
                groups = c if l.get("groups") == "in" else l.get("groups", 1)
                m = nn.Conv2d(c, out, k, l.get("stride", 1), l.get("pad", k // 2), groups=groups)
                c = out
            elif op == "bn":
                m = nn.BatchNorm2d(c)
            elif op == "relu":
                m = nn.ReLU(inplace=True)
            elif op == "relu6":
                m = nn.ReLU6(inplace=True)
            elif op == "sigmoid":
                m = nn.Sigmoid()
            elif op in ("maxpool", "avgpool"):
                k = l.get("k", 2)
                cls = nn.MaxPool2d if op == "maxpool" else nn.AvgPool2d
                m = cls(k, l.get("stride", k))
            elif op == "gap":
                m = nn.AdaptiveAvgPool2d(1)
            elif op == "flatten":
                m = nn.Flatten()
            elif op == "linear":
                # in_features after a plain flatten is c*h*w: build() sizes it
                out = resolve(l["out"], classes, keypoints)
                m = nn.Linear(c, out)
                c = out
            elif op == "ir":
                m = InvertedResidual(c, l["out"], l.get("expand", 4), l.get("stride", 1))
                c = l["out"]
            elif op == "up":
                m = nn.Upsample(scale_factor=2, mode="nearest")
            elif op == "save":
                m = None
                saved_c[l["name"]] = c
            elif op == "concat":
                m = None
                c += saved_c[l["with"]]
            else:
                raise ValueError(f"layer {i + 1}: unknown op {op!r}")
            self.plan.append((op, l.get("name") or l.get("with"), len(mods) if m is not None else -1))
            if m is not None:
                mods.append(m)
        self.mods = nn.ModuleList(mods)
        self.in_ch = in_ch

    def build(self, h, w):
        """Fixes flatten -> linear sizes for an h x w input (a dry run)."""
        with torch.no_grad():
            self.eval()
            self.forward(torch.zeros(1, self.in_ch, h, w), flatten_fix=True)
        return self

    def forward(self, x, flatten_fix=False):
        saved = {}
        for op, name, idx in self.plan:
            if op == "save":
                saved[name] = x
            elif op == "concat":
                x = torch.cat([x, saved[name]], 1)
            else:
                m = self.mods[idx]
                if flatten_fix and isinstance(m, nn.Linear) and m.in_features != x.shape[1]:
                    self.mods[idx] = nn.Linear(x.shape[1], m.out_features)
                    m = self.mods[idx]
                x = m(x)
        return x


def build(spec, in_ch, h, w, classes, keypoints=0):
    net = ZooNet(spec["layers"], in_ch, classes, keypoints)
    return net.build(h, w)


def count_params(net):
    return sum(p.numel() for p in net.parameters() if p.requires_grad)


def count_flops(net, in_ch, h, w):
    """Multiply-accumulates of conv and linear layers, as arch.c counts."""
    total = [0]

    def conv_hook(m, inp, out):
        k = m.kernel_size[0] * m.kernel_size[1]
        total[0] += out.numel() // out.shape[0] * (m.in_channels // m.groups) * k

    def lin_hook(m, inp, out):
        total[0] += m.in_features * m.out_features

    hooks = []
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(lin_hook))
    with torch.no_grad():
        net.eval()
        net(torch.zeros(1, in_ch, h, w))
    for hk in hooks:
        hk.remove()
    return total[0]
