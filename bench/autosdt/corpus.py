#!/usr/bin/env python3
"""Builds AutoSDT's offline corpus: git repositories made from the example
trees that Debian's documentation packages install (python-sklearn-doc,
python-statsmodels-doc, python-biopython-doc, python-nibabel-doc; for the
final split python-pywt-doc, python-tables-doc, python-lmfit-doc,
python-nitime-doc, python-skimage-doc), each committed with its data files,
as a research repository would be.

    corpus.py OUT_DIR            # builds OUT_DIR/<repo>/ and OUT_DIR/splits.json

Debian gzips documentation files; they are unpacked back to what upstream
ships (foo.py.gz -> foo.py, ls_orchid.fasta.gz -> ls_orchid.fasta), because
that is what the programs open. Commits are made with a fixed author and
date, so the corpus -- and every commit id in the dataset -- is the same on
every machine. The split (splits.json) is fixed: "dev" repositories were
used while the judge and the adapter were written; "heldout" ones were not
looked at until their first figures in docs/plugins/autosdt.md were taken
(one adapter bug was then found on them); "final" ones were added after
that, from other packages, and measured once with the judge and the
adapter as they stood (docs/plugins/autosdt.md).
"""
import gzip
import json
import os
import shutil
import subprocess
import sys

DOC = "/usr/share/doc"
SK = f"{DOC}/python-sklearn-doc/examples"

ENV = dict(os.environ, GIT_AUTHOR_NAME="weft corpus", GIT_AUTHOR_EMAIL="corpus@weft.invalid",
           GIT_COMMITTER_NAME="weft corpus", GIT_COMMITTER_EMAIL="corpus@weft.invalid",
           GIT_AUTHOR_DATE="2025-01-01T00:00:00Z", GIT_COMMITTER_DATE="2025-01-01T00:00:00Z",
           GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")


def copy_tree(src, dst, skip=()):
    for d, dirs, files in os.walk(src):
        dirs[:] = sorted(x for x in dirs if x not in skip)
        rel = os.path.relpath(d, src)
        for f in sorted(files):
            s = os.path.join(d, f)
            if os.path.islink(s):
                continue
            name = f[:-3] if f.endswith(".gz") else f
            copy_tree_file(s, os.path.normpath(os.path.join(dst, rel, name)))


def copy_downloads(src, dst):
    """A Sphinx-Gallery _downloads tree (one hashed directory per file) as
    one flat directory; the first of two equal names is kept."""
    for d in sorted(os.listdir(src)):
        full = os.path.join(src, d)
        if not os.path.isdir(full):
            continue
        for f in sorted(os.listdir(full)):
            name = f[:-3] if f.endswith(".gz") else f
            if not name.endswith((".py", ".ipynb")) or os.path.exists(os.path.join(dst, name)):
                continue
            copy_tree_file(os.path.join(full, f), os.path.join(dst, name))


def copy_tree_file(s, t):
    os.makedirs(os.path.dirname(t), exist_ok=True)
    if s.endswith(".gz"):
        with gzip.open(s, "rb") as i, open(t, "wb") as o:
            shutil.copyfileobj(i, o)
    else:
        shutil.copyfile(s, t)


def commit(repo, message):
    def git(*a):
        subprocess.run(["git", "-C", repo, *a], check=True, env=ENV, stdout=subprocess.DEVNULL)
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", message)


def main(out):
    if not os.path.isdir(SK):
        sys.exit(f"{SK} is missing: install python-sklearn-doc and the other -doc packages (scripts/deps.sh)")
    os.makedirs(out, exist_ok=True)
    repos = {}
    subs = sorted(d for d in os.listdir(SK) if os.path.isdir(os.path.join(SK, d)))
    for i, sub in enumerate(subs):
        name = f"sklearn-{sub}"
        repos[name] = ("dev" if i % 2 == 0 else "heldout", lambda d, sub=sub: copy_tree(os.path.join(SK, sub), d),
                       f"scikit-learn examples: {sub}")
    sm = f"{DOC}/python-statsmodels-doc/examples"
    repos["statsmodels-examples"] = ("heldout", lambda d: copy_tree(os.path.join(sm, "python"), d),
                                     "statsmodels examples (scripts)")
    repos["statsmodels-notebooks"] = ("heldout", lambda d: copy_tree(os.path.join(sm, "notebooks"), d),
                                      "statsmodels examples (notebooks)")
    bio = f"{DOC}/python-biopython-doc"
    repos["biopython-examples"] = ("dev", lambda d: copy_tree(os.path.join(bio, "Doc", "examples"), d),
                                   "Biopython tutorial examples with their sequence files")
    repos["biopython-tests"] = ("heldout", lambda d: copy_tree(os.path.join(bio, "Tests"), os.path.join(d, "Tests")),
                                "Biopython's test suite and its data")
    nib = f"{DOC}/python-nibabel-doc/html/_downloads"
    repos["nibabel-examples"] = ("dev", lambda d: copy_tree(nib, d), "nibabel example scripts")
    final = {
        "pywt-examples": (f"{DOC}/python-pywt-doc/examples", copy_tree, "PyWavelets examples"),
        "tables-examples": (f"{DOC}/python-tables-doc/examples", copy_tree, "PyTables examples"),
        "lmfit-examples": (f"{DOC}/python3-lmfit/html/_downloads", copy_downloads, "lmfit curve-fitting examples"),
        "nitime-examples": (f"{DOC}/python-nitime-doc/html/_downloads", copy_downloads,
                            "nitime time-series analysis examples"),
        "skimage-examples": (f"{DOC}/python-skimage-doc/html/_downloads", copy_downloads,
                             "scikit-image gallery examples"),
    }
    for name, (path, fn, title) in final.items():
        if os.path.isdir(path):  # the final split's packages are optional
            repos[name] = ("final", lambda d, path=path, fn=fn: fn(path, d), title)
    splits = {"dev": [], "heldout": [], "final": []}
    for name, (split, fill, title) in sorted(repos.items()):
        d = os.path.join(out, name)
        if os.path.isdir(os.path.join(d, ".git")):
            splits[split].append(name)
            continue
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        fill(d)
        readme = os.path.join(d, "README.txt")
        body = open(readme, encoding="utf-8", errors="replace").read() if os.path.exists(readme) else ""
        with open(os.path.join(d, "README.md"), "w", encoding="utf-8") as f:
            f.write(f"# {name}\n\n{title}, from Debian's documentation packages, as a research repository: "
                    f"example analyses with their data.\n\n{body}")
        commit(d, f"{name}: import")
        splits[split].append(name)
    with open(os.path.join(out, "splits.json"), "w") as f:
        json.dump(splits, f, indent=1, sort_keys=True)
    print(f"{len(repos)} repositories in {out}: {len(splits['dev'])} dev, {len(splits['heldout'])} held out, "
          f"{len(splits['final'])} final")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "corpus")
