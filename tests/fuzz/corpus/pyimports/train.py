"""A small, deterministic PyTorch training op for weft's e2e tests: an MLP
on scikit-learn's digits (1,797 8x8 images, shipped with sklearn), with a
checkpoint after every epoch. Killed and resumed, it must end with the
same weights as a run that was never interrupted, so everything that
decides the result is seeded or saved: the initial weights, the shuffle
of each epoch (seeded by seed + epoch), and the optimizer's momentum."""
import hashlib
import os
import time

import numpy as np
import torch
from sklearn.datasets import load_digits

import weft
from mlp import make_model


def digest(model):
    h = hashlib.sha256()
    for name, p in sorted(model.state_dict().items()):
        h.update(name.encode())
        h.update(p.detach().cpu().numpy().tobytes())
    return h.hexdigest()


def main(epochs=10, seed=0, epoch_sleep=0.0, hidden=64, lr=0.05):
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(seed)
    x, y = load_digits(return_X_y=True)
    x = torch.tensor(x / 16.0, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.long)
    n_train = 1500
    model = make_model(hidden)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    start = 0
    devices = weft.devices("gpu")
    ck = weft.checkpoint_latest("state")
    if ck is not None:
        made_on = ck.layout.get("n_devices", 0)
        if made_on != len(devices):
            # Universal Checkpointing's case: the state was saved on
            # another device count. This model's state is one unsharded
            # copy, so converting is loading it whole on any count.
            print(f"checkpoint made on {made_on} device(s), resuming on {len(devices)}: converting", flush=True)
        state = torch.load(ck.path)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        start = ck.step + 1
        print(f"resumed from checkpoint step {ck.step}", flush=True)
    else:
        print("no checkpoint: starting from scratch", flush=True)
    loss_fn = torch.nn.CrossEntropyLoss()
    for epoch in range(start, epochs):
        g = torch.Generator().manual_seed(seed * 1000 + epoch)
        order = torch.randperm(n_train, generator=g)
        model.train()
        for i in range(0, n_train, 50):
            idx = order[i:i + 50]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        path = os.path.join(weft.workdir(), "state.pt")
        torch.save({"model": model.state_dict(), "opt": opt.state_dict()}, path)
        weft.checkpoint_save("state", path, step=epoch, layout={"format": "mlp-1", "hidden": hidden})
        print(f"epoch {epoch} loss {loss.item():.4f}", flush=True)
        weft.progress((epoch + 1) / epochs, f"epoch {epoch + 1}/{epochs}")
        if epoch_sleep:
            time.sleep(epoch_sleep)
    model.eval()
    with torch.no_grad():
        acc = (model(x[n_train:]).argmax(1) == y[n_train:]).float().mean().item()
    out = os.path.join(weft.outdir(), "model.pt")
    torch.save(model.state_dict(), out)
    return {"model": weft.File(out), "accuracy": acc, "digest": digest(model), "start_epoch": start,
            "threads": torch.get_num_threads(), "cuda_visible": os.environ.get("CUDA_VISIBLE_DEVICES"),
            "numpy": np.__version__}
