#!/usr/bin/env bash
# scripts/pydeps.sh [DIR]: the Python environment of weft's training ops.
# Debian's interpreter with Debian's torch, numpy and sklearn
# (scripts/deps.sh installs them), plus what Debian does not package:
# onnxruntime, for the ONNX parity check of automml.export, pinned. It goes
# into a venv that sees the system's packages (DIR, default .venv at the
# top of the checkout); point WEFT_PYTHON at DIR/bin/python. Idempotent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/.venv}
ORT_VERSION=1.20.1
if [ -x "$dir/bin/python" ] && "$dir/bin/python" -c "import onnxruntime, torch, sklearn; assert onnxruntime.__version__ == '$ORT_VERSION'" 2>/dev/null; then
  exit 0
fi
/usr/bin/python3 -m venv --system-site-packages "$dir"
# onnxruntime's own dependencies come from Debian (deps.sh), so nothing
# else is fetched: --no-deps.
"$dir/bin/pip" install --quiet --disable-pip-version-check --no-deps "onnxruntime==$ORT_VERSION"
"$dir/bin/python" -c "import onnxruntime, torch, sklearn" || {
  echo "pydeps: $dir cannot import onnxruntime, torch and sklearn; run scripts/deps.sh first" >&2; exit 1; }
