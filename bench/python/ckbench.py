"""bench/pyop.sh's checkpoint benchmark: a training loop whose step is
`compute` seconds of work, saving an `mb`-MiB checkpoint after each step,
either asynchronously (weft hashes and commits it behind the next step) or
with wait=True (the step waits for the commit). Returns the time each save
blocked the loop."""
import os
import time

import weft


def empty(i):
    return i


def main(mb=64, steps=6, wait=False, compute=0.3):
    data = os.urandom(mb << 20)
    path = os.path.join(weft.workdir(), "state.bin")
    blocked = []
    t0 = time.perf_counter()
    for step in range(steps):
        time.sleep(compute)  # the training step
        with open(path, "wb") as f:  # torch.save's part, the same either way
            f.write(data)
            f.write(step.to_bytes(8, "little"))
        t = time.perf_counter()
        weft.checkpoint_save("state", path, step, wait=wait)
        blocked.append(time.perf_counter() - t)
    return {"blocked_ms": [round(b * 1000, 3) for b in blocked], "loop_s": time.perf_counter() - t0}
