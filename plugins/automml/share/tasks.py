"""Losses, targets and metrics of the four tasks, on the zoo's tensors.

classification  cross-entropy; accuracy
detection       CenterNet (Zhou et al. 2019): per-class centre heatmaps
                with the focal loss, box size and centre offset with L1 at
                the centres; mAP@0.5 (all-point AP per class, averaged)
segmentation    per-pixel cross-entropy; mIoU over the classes present
                (background included)
keypoint        Gaussian heatmaps with MSE; PCK@0.2 of the figure's size
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

METRIC = {"classification": "accuracy", "detection": "mAP@0.5", "segmentation": "mIoU", "keypoint": "PCK@0.2"}


def _gaussian(hm, cx, cy, sigma):
    h, w = hm.shape
    ys = torch.arange(h, dtype=torch.float32).view(-1, 1)
    xs = torch.arange(w, dtype=torch.float32).view(1, -1)
    g = torch.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * sigma * sigma))
    torch.maximum(hm, g, out=hm)


def det_targets(boxes, n_img, classes, out_h, out_w, stride):
    """Heatmaps, sizes, offsets and a centre mask for a batch of images;
    boxes are rows (image, x0, y0, x1, y1, class) with image in 0..n_img-1."""
    hm = torch.zeros(n_img, classes, out_h, out_w)
    wh = torch.zeros(n_img, 2, out_h, out_w)
    off = torch.zeros(n_img, 2, out_h, out_w)
    mask = torch.zeros(n_img, out_h, out_w)
    for b in boxes:
        i, x0, y0, x1, y1, c = [float(v) for v in b]
        cx, cy = (x0 + x1) / 2 / stride, (y0 + y1) / 2 / stride
        ix, iy = min(int(cx), out_w - 1), min(int(cy), out_h - 1)
        bw, bh = (x1 - x0) / stride, (y1 - y0) / stride
        sigma = max(0.5, (bw + bh) / 12)
        _gaussian(hm[int(i), int(c)], cx - 0.5, cy - 0.5, sigma)
        hm[int(i), int(c), iy, ix] = 1.0
        wh[int(i), :, iy, ix] = torch.tensor([bw, bh])
        off[int(i), :, iy, ix] = torch.tensor([cx - ix, cy - iy])
        mask[int(i), iy, ix] = 1.0
    return hm, wh, off, mask


def focal(pred_logits, gt):
    p = torch.sigmoid(pred_logits).clamp(1e-4, 1 - 1e-4)
    pos = gt.eq(1).float()
    neg = 1 - pos
    pos_loss = torch.log(p) * (1 - p) ** 2 * pos
    neg_loss = torch.log(1 - p) * p ** 2 * (1 - gt) ** 4 * neg
    n = pos.sum().clamp(min=1)
    return -(pos_loss.sum() + neg_loss.sum()) / n


def kp_targets(kps, n_kp, out_h, out_w, stride, sigma=1.0):
    hm = torch.zeros(len(kps), n_kp, out_h, out_w)
    for i, pts in enumerate(kps):
        for k, (x, y) in enumerate(pts):
            _gaussian(hm[i, k], float(x) / stride - 0.5 + 0.5 / stride, float(y) / stride - 0.5 + 0.5 / stride, sigma)
    return hm


def loss(task, out, y, info, batch_boxes=None):
    if task == "classification":
        return F.cross_entropy(out, y)
    if task == "segmentation":
        return F.cross_entropy(out, y)
    if task == "keypoint":
        stride = info["input"][1] // out.shape[2]
        target = kp_targets(y, info["keypoints"], out.shape[2], out.shape[3], stride)
        return F.mse_loss(out, target) * 10
    classes = info["classes"]
    hm, wh, off, mask = det_targets(batch_boxes, out.shape[0], classes, out.shape[2], out.shape[3], info["stride"])
    l_hm = focal(out[:, :classes], hm)
    m = mask.unsqueeze(1)
    n = mask.sum().clamp(min=1)
    l_wh = (torch.abs(out[:, classes:classes + 2] - wh) * m).sum() / n
    l_off = (torch.abs(out[:, classes + 2:classes + 4] - off) * m).sum() / n
    return l_hm + 0.1 * l_wh + l_off


# ---------------------------------------------------------------- metrics

def det_decode(out, classes, stride, k=20, thresh=0.1):
    """Boxes (image, x0, y0, x1, y1, class, score) from CenterNet outputs."""
    hm = torch.sigmoid(out[:, :classes])
    peaks = (hm == F.max_pool2d(hm, 3, 1, 1)) & (hm > thresh)
    res = []
    for i in range(out.shape[0]):
        c, ys, xs = torch.nonzero(peaks[i], as_tuple=True)
        scores = hm[i, c, ys, xs]
        order = torch.argsort(scores, descending=True)[:k]
        for j in order.tolist():
            cx = (xs[j].item() + out[i, classes + 2, ys[j], xs[j]].item()) * stride
            cy = (ys[j].item() + out[i, classes + 3, ys[j], xs[j]].item()) * stride
            bw = out[i, classes, ys[j], xs[j]].item() * stride
            bh = out[i, classes + 1, ys[j], xs[j]].item() * stride
            res.append((i, cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2, int(c[j]), scores[j].item()))
    return res


def _iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def mean_ap(dets, gts, classes, iou=0.5):
    aps = []
    for c in range(classes):
        g = [b for b in gts if int(b[5]) == c]
        if not g:
            continue
        d = sorted([b for b in dets if b[5] == c], key=lambda b: -b[6])
        used = set()
        tp = []
        for b in d:
            best, bj = 0.0, -1
            for j, gb in enumerate(g):
                if int(gb[0]) != b[0] or j in used:
                    continue
                o = _iou(b[1:5], [float(v) for v in gb[1:5]])
                if o > best:
                    best, bj = o, j
            if best >= iou:
                used.add(bj)
                tp.append(1)
            else:
                tp.append(0)
        if not d:
            aps.append(0.0)
            continue
        tp = np.array(tp)
        ctp = np.cumsum(tp)
        rec = ctp / len(g)
        prec = ctp / np.arange(1, len(tp) + 1)
        # all-point interpolation
        mrec = np.concatenate([[0], rec, [1]])
        mpre = np.concatenate([[0], prec, [0]])
        for k in range(len(mpre) - 2, -1, -1):
            mpre[k] = max(mpre[k], mpre[k + 1])
        idx = np.where(mrec[1:] != mrec[:-1])[0]
        aps.append(float(np.sum((mrec[idx + 1] - mrec[idx]) * mpre[idx + 1])))
    return float(np.mean(aps)) if aps else 0.0


def evaluate(task, net, x, y, info, batch=128):
    """The task's metric of `net` on (x, y)."""
    net.eval()
    outs = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            outs.append(net(torch.from_numpy(x[i:i + batch])))
    out = torch.cat(outs)
    if task == "classification":
        return float((out.argmax(1).numpy() == y).mean())
    if task == "segmentation":
        pred = out.argmax(1).numpy()
        ious = []
        for c in range(info["classes"]):
            inter = np.logical_and(pred == c, y == c).sum()
            union = np.logical_or(pred == c, y == c).sum()
            if union:
                ious.append(inter / union)
        return float(np.mean(ious))
    if task == "keypoint":
        stride = info["input"][1] / out.shape[2]
        n, k, h, w = out.shape
        flat = out.view(n, k, -1).argmax(2).numpy()
        px = (flat % w + 0.5) * stride
        py = (flat // w + 0.5) * stride
        ok = 0
        for i in range(n):
            size = max(np.ptp(y[i][:, 0]), np.ptp(y[i][:, 1]))
            d = np.hypot(px[i] - y[i][:, 0], py[i] - y[i][:, 1])
            ok += int((d <= 0.2 * size).sum())
        return ok / (n * k)
    dets = det_decode(out, info["classes"], info["stride"])
    return mean_ap(dets, y, info["classes"])
