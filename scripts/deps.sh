#!/usr/bin/env bash
# Installs the Debian packages weft builds and tests against (mimalloc, the
# CLI's allocator; clang for the
# fuzz targets, valgrind for bench/run.sh's instruction counts, python3 for the
# tests' stand-in LLM server, python3-sklearn only for the real datasets it
# ships, which the autows tests read, dataset-fashion-mnist for
# bench/autows-unseen.sh, python3-torch for Python training ops
# in tests/e2e/python.sh, onnxruntime's dependencies for
# scripts/pydeps.sh, and Slurm with munge for the one-node cluster that
# tests/e2e/slurm.sh starts with scripts/slurm-local.sh, and headless
# Chromium, which renders `weft report` in tests/e2e/report.sh; and
# the Python modules and Debian's documentation examples that AutoSDT's
# offline corpus and its verification runs use (bench/autosdt/corpus.sh), and
# OpenBLAS: Debian's torch and numpy call the BLAS that libblas.so.3 points
# to, which is the reference BLAS without it -- 12x slower for a
# transformer's training step, measured). Idempotent: when every
# package is already present it does not touch apt at all, so reruns are instant.
set -euo pipefail
pkgs=(build-essential cmake ninja-build pkg-config git
      liblua5.4-dev libuv1-dev libyaml-dev libssl-dev libjansson-dev
      libarchive-dev libgit2-dev zlib1g-dev libcmocka-dev libfftw3-dev libpng-dev libtiff-dev libcurl4-openssl-dev libxml2-dev libssl-dev
      libmimalloc-dev
      jq time valgrind clang python3 python3-sklearn python3-torch python3-venv libopenblas0-pthread
      dataset-fashion-mnist
      python3-coloredlogs python3-flatbuffers python3-sympy python3-protobuf python3-packaging
      python3-matplotlib python3-pandas python3-statsmodels python3-biopython python3-nibabel
      python-sklearn-doc python-statsmodels-doc python-biopython-doc python-nibabel-doc
      python3-pywt python3-skimage python3-nitime python3-tables python3-lmfit
      python-pywt-doc python-tables-doc python-lmfit-doc python-nitime-doc python-skimage-doc
      slurmctld slurmd slurm-client munge chromium lua5.4)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
