"""weft -- what a Python op can ask of the weft run that called it.

A Python op is a plain function. weft calls it with the node's parameters
and inputs as keyword arguments (inputs arrive as paths) and turns what it
returns into the node's outputs. From inside it, these functions talk to
weft: progress, logging, checkpoints and cancellation.

    import weft

    def main(data, epochs=3):
        ck = weft.checkpoint_latest("model")
        start = ck.step + 1 if ck else 0
        for epoch in range(start, epochs):
            ...
            weft.progress((epoch + 1) / epochs, f"epoch {epoch + 1}")
            weft.checkpoint_save("model", state_path, step=epoch)
        return {"model": weft.File(path), "accuracy": acc}

Outside a weft run (a plain `python train.py`) every call still works:
progress and logs go to stderr, checkpoints are kept in memory only and
cancelled() is always False, so the same script can be tested by hand.
"""
import json
import os
import sys
import tempfile
import threading

__all__ = ["progress", "log", "checkpoint_save", "checkpoint_latest", "Checkpoint", "cancelled",
           "outdir", "workdir", "node", "devices", "cpus", "File", "Cancelled", "WeftError"]


class WeftError(RuntimeError):
    """weft refused a request (a bad checkpoint name, a failed commit)."""


class Cancelled(BaseException):
    """Raised in the op when weft cancels it (timeout, Ctrl-C, a Slurm
    signal ahead of the time limit) and the op never polls cancelled().
    An op that polls cancelled() gets no exception: it decides itself
    when to stop, typically right after saving a checkpoint."""


class File(str):
    """Marks a returned path as a file or directory output, wherever it is.
    A returned string naming an existing path under outdir() is one too."""


class Checkpoint:
    """The newest committed checkpoint: `path` is read-only, `step` the step
    it was saved at, `layout` what it was made on (devices, and whatever
    the op recorded) -- compare it before loading onto another layout."""

    def __init__(self, path, step, layout):
        self.path = path
        self.step = step
        self.layout = layout or {}

    def __repr__(self):
        return f"Checkpoint(path={self.path!r}, step={self.step}, layout={self.layout!r})"


class _State:
    def __init__(self):
        self.lock = threading.Lock()
        self.rfile = None
        self.wfile = None
        self.cancelled = False
        self.polled = False
        self.outdir = None
        self.workdir = None
        self.node = None
        self.local = {}  # checkpoints outside a run: name -> Checkpoint


_state = _State()


def _attach(fd, job):
    """Connects to the engine (called by weft._runner, not by ops)."""
    _state.rfile = os.fdopen(fd, "r", encoding="utf-8", closefd=False)
    _state.wfile = os.fdopen(os.dup(fd), "w", encoding="utf-8")
    _state.outdir = job.get("outdir")
    _state.workdir = job.get("workdir")
    _state.node = job.get("node")


def _send(msg, reply=False):
    if _state.wfile is None:
        return None
    with _state.lock:
        _state.wfile.write(json.dumps(msg, separators=(",", ":")) + "\n")
        _state.wfile.flush()
        if not reply:
            return None
        line = _state.rfile.readline()
    if not line:
        raise WeftError("weft closed the connection (the node is being stopped)")
    answer = json.loads(line)
    if not answer.get("ok"):
        raise WeftError(answer.get("error") or "weft refused the request")
    return answer


def progress(fraction, message=""):
    """Reports how far the op is (0..1); shown on weft's progress line and
    by `weft status`."""
    fraction = max(0.0, min(1.0, float(fraction)))
    if _state.wfile is None:
        print(f"[progress {fraction:.0%}] {message}", file=sys.stderr)
        return
    _send({"t": "progress", "f": fraction, "msg": str(message)[:200]})


def log(message, level="info"):
    """A line in the node's log (stdout and stderr go there too)."""
    if _state.wfile is None:
        print(f"[{level}] {message}", file=sys.stderr)
        return
    _send({"t": "log", "level": level, "msg": str(message)})


def _write_temp(data):
    d = _state.workdir or tempfile.gettempdir()
    fd, path = tempfile.mkstemp(prefix="ckpt.", dir=d)
    with os.fdopen(fd, "wb") as f:
        if isinstance(data, (bytes, bytearray, memoryview)):
            f.write(data)
        else:
            try:
                import torch
                torch.save(data, f)
            except ImportError:
                import pickle
                pickle.dump(data, f)
    return path


def checkpoint_save(name, data, step, layout=None, wait=False):
    """Saves checkpoint `name` at `step` and returns at once; weft hashes
    and commits it in the background. `data` is a path (a file or a
    directory, which weft takes: it is moved away, so write the next
    checkpoint to the same path freely), bytes, or any object torch.save
    (else pickle) can write. `layout` (a dict) is recorded in the manifest
    beside the devices the node holds. A second save waits for the first
    to be committed; wait=True waits for this one."""
    if isinstance(data, (str, os.PathLike)):
        path = os.fspath(data)
    else:
        path = _write_temp(data)
    if _state.wfile is None:
        keep = _write_temp(open(path, "rb").read()) if os.path.isfile(path) else path
        _state.local[name] = Checkpoint(keep, int(step), dict(layout or {}))
        return
    _send({"t": "ckpt_save", "name": name, "path": os.path.abspath(path), "step": int(step),
           "layout": dict(layout or {}), "wait": bool(wait)}, reply=True)


def checkpoint_latest(name):
    """The newest committed checkpoint `name` of this node (from an earlier
    attempt, a killed run, or this attempt), or None."""
    if _state.wfile is None:
        return _state.local.get(name)
    answer = _send({"t": "ckpt_latest", "name": name}, reply=True)
    if answer.get("path") is None:
        return None
    return Checkpoint(answer["path"], answer["step"], answer.get("layout"))


def cancelled():
    """True once weft wants the op to stop. An op that polls this is not
    interrupted by an exception: it should save and return (or raise)."""
    _state.polled = True
    return _state.cancelled


def outdir():
    """A directory for the op's output files (created, empty)."""
    return _state.outdir or os.getcwd()


def workdir():
    """A scratch directory of this attempt, removed afterwards."""
    return _state.workdir or tempfile.gettempdir()


def node():
    """The name of the node being run."""
    return _state.node or ""


def devices(kind="gpu"):
    """The device ids this node holds: gpu (CUDA_VISIBLE_DEVICES), npu
    (ASCEND_RT_VISIBLE_DEVICES) or another pool (WEFT_<NAME>_IDS)."""
    var = {"gpu": "CUDA_VISIBLE_DEVICES", "npu": "ASCEND_RT_VISIBLE_DEVICES"}.get(
        kind, f"WEFT_{kind.upper()}_IDS")
    value = os.environ.get(var, "")
    return [d for d in value.split(",") if d]


def cpus():
    """The CPU slots this node holds."""
    try:
        return max(1, int(os.environ.get("WEFT_CPUS", "1")))
    except ValueError:
        return 1
