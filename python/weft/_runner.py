"""Runs one Python op for weft: `python -m weft._runner JOB.json`.

The engine's side is engine/pyrun.c. The job file names the script, the
function, its keyword arguments and the directories; messages go both ways
as JSON lines over the socket whose descriptor is in WEFT_PY_FD. The last
message is {"t": "done", "outputs": ...} or {"t": "error", ...}; anything
else the process does (exit, crash, kill) is judged by the engine.
"""
import importlib.util
import inspect
import json
import math
import os
import signal
import sys
import traceback

import weft

RESERVED_EXIT = 0


def _on_signal(signum, frame):
    weft._state.cancelled = True
    if not weft._state.polled:
        raise weft.Cancelled(f"cancelled by weft (signal {signum})")


def _where(tb_frames, src_root, display):
    """The innermost frame in the op's own files, as 'train.py:42'."""
    for fs in reversed(tb_frames):
        fn = os.path.abspath(fs.filename)
        if src_root and fn.startswith(src_root + os.sep):
            return f"{display}{os.path.relpath(fn, src_root)}:{fs.lineno}"
    if tb_frames:
        fs = tb_frames[-1]
        return f"{fs.filename}:{fs.lineno}"
    return "?"


def _shorten(trace, src_root, display):
    if src_root:
        trace = trace.replace(src_root + os.sep, display)
    return trace


def _jsonable(value, name):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"output '{name}' is {value}, which JSON cannot hold")
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, name) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v, name) for k, v in value.items()}
    item = getattr(value, "item", None)  # numpy and torch scalars
    if callable(item):
        try:
            return _jsonable(item(), name)
        except (TypeError, ValueError):
            pass
    tolist = getattr(value, "tolist", None)  # arrays and tensors
    if callable(tolist):
        return _jsonable(tolist(), name)
    raise TypeError(f"output '{name}' is a {type(value).__name__}, which is neither JSON nor a path; "
                    f"write it to a file under weft.outdir() and return weft.File(path)")


def _output(value, name, outdir):
    if isinstance(value, weft.File) or isinstance(value, os.PathLike):
        path = os.path.abspath(os.fspath(value))
        if not os.path.exists(path):
            raise FileNotFoundError(f"output '{name}' names {path}, which does not exist")
        return {"path": path}
    if isinstance(value, str) and outdir and os.path.isabs(value):
        path = os.path.abspath(value)
        if path.startswith(outdir + os.sep) and os.path.exists(path):
            return {"path": path}
    return {"value": _jsonable(value, name)}


def _outputs(result, outdir):
    if result is None:
        if outdir and os.path.isdir(outdir) and os.listdir(outdir):
            return {"out": {"path": outdir}}
        return {}
    if isinstance(result, dict):
        return {str(k): _output(v, str(k), outdir) for k, v in result.items()}
    return {"out": _output(result, "out", outdir)}


def _check_args(fn, args, where):
    sig = inspect.signature(fn)
    params = sig.parameters
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return
    unknown = [k for k in args if k not in params]
    if unknown:
        raise TypeError(f"{where}: {fn.__name__}() has no parameter {', '.join(repr(u) for u in unknown)}; "
                        f"add it to the function or drop it from the node")
    missing = [n for n, p in params.items()
               if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and n not in args]
    if missing:
        raise TypeError(f"{where}: {fn.__name__}() needs {', '.join(repr(m) for m in missing)}, which the node "
                        f"does not give; set it on the node or give it a default")


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        job = json.load(f)
    fd = int(os.environ["WEFT_PY_FD"])
    weft._attach(fd, job)
    for sig in (signal.SIGTERM, signal.SIGUSR2):
        signal.signal(sig, _on_signal)
    script = os.path.abspath(job["script"])
    src_root = os.path.dirname(script)
    display = job.get("display_prefix", "")
    try:
        sys.path.insert(0, src_root)
        name = os.path.splitext(os.path.basename(script))[0]
        spec = importlib.util.spec_from_file_location(name, script)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {script} as a Python module")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        fn = getattr(module, job["fn"], None)
        if not callable(fn):
            raise AttributeError(f"{display}{os.path.basename(script)} has no function '{job['fn']}'")
        # The node's CPU share: torch reads OMP_NUM_THREADS only at import,
        # and some builds not even then.
        if "torch" in sys.modules:
            try:
                sys.modules["torch"].set_num_threads(weft.cpus())
            except Exception:  # noqa: BLE001 - a thread count is advice
                pass
        args = job.get("args") or {}
        _check_args(fn, args, f"{display}{os.path.basename(script)}")
        result = fn(**args)
        outputs = _outputs(result, job.get("outdir"))
        weft._send({"t": "done", "outputs": outputs})
    except BaseException as e:  # noqa: BLE001 - everything is reported
        tb = e.__traceback__
        # The runner's own frame is weft's, not the op's: leave it out.
        while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) == os.path.abspath(__file__):
            tb = tb.tb_next
        frames = traceback.extract_tb(tb)
        trace = "".join(traceback.format_exception(type(e), e, tb, limit=-6))
        weft._send({"t": "error", "type": type(e).__name__, "message": str(e),
                    "where": _where(frames, src_root, display),
                    "cancelled": isinstance(e, weft.Cancelled),
                    "trace": _shorten(trace, src_root, display)})
        sys.stderr.write(_shorten(trace, src_root, display))
        sys.stderr.flush()
        os._exit(1)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(RESERVED_EXIT)


if __name__ == "__main__":
    main()
