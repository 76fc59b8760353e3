#!/usr/bin/env python3
"""Makes the pinned corpus of the autodistil plugin from a Debian archive's
indices: a Packages file (the Section, Source and Debtags of each binary
package) and the Translation-en file that holds the long descriptions
(Debian images built with Acquire::Languages "none" do not keep it, which
is one reason the snapshot is shipped instead of read from /var/lib/apt).

    python3 snapshot.py Packages.xz Translation-en.xz OUT.tsv.xz

Each row: package, source, section, tags, short description, long
description (paragraphs joined by spaces, cut at a word boundary after
LONG_MAX characters: the models read at most 64 tokens). Tabs and newlines
never occur inside a field. Prints the SHA-256 of the uncompressed TSV,
which share/autodistil/corpus.json pins."""
import hashlib
import io
import lzma
import subprocess
import sys

LONG_MAX = 320


def _open(path):
    if path.endswith(".xz"):
        return io.TextIOWrapper(lzma.open(path), encoding="utf-8", errors="replace")
    if path.endswith(".lz4"):
        out = subprocess.run(["lz4cat", path], check=True, capture_output=True).stdout
        return io.StringIO(out.decode("utf-8", "replace"))
    return open(path, encoding="utf-8", errors="replace")


def stanzas(f):
    """Yields each deb822 stanza as {field: value}; continuation lines are
    kept with their newline so the long description keeps its lines."""
    cur, last = {}, None
    for line in f:
        line = line.rstrip("\n")
        if not line:
            if cur:
                yield cur
            cur, last = {}, None
        elif line[0] in " \t" and last:
            cur[last] += "\n" + line[1:]
        elif ":" in line:
            k, v = line.split(":", 1)
            last = k.strip()
            cur[last] = v.strip()
    if cur:
        yield cur


def clean(s):
    return " ".join(s.replace("\t", " ").split())


def long_text(desc):
    lines = desc.split("\n")[1:]
    paras, cur = [], []
    for ln in lines:
        if ln.strip() == ".":
            if cur:
                paras.append(" ".join(cur))
            cur = []
        else:
            cur.append(ln.strip())
    if cur:
        paras.append(" ".join(cur))
    text = clean(" ".join(paras))
    if len(text) > LONG_MAX:
        cut = text.rfind(" ", 0, LONG_MAX)
        text = text[:cut if cut > 0 else LONG_MAX]
    return text


def main(packages, translation, out):
    longs = {}
    for st in stanzas(_open(translation)):
        d = st.get("Description-en")
        if d and "Package" in st:
            longs[(st["Package"], st.get("Description-md5", ""))] = d
    rows = {}
    for st in stanzas(_open(packages)):
        name = st.get("Package")
        if not name or name in rows:
            continue
        src = st.get("Source", name).split(" ")[0]
        sec = st.get("Section", "unknown").split("/")[-1]
        tags = ",".join(t.strip() for t in st.get("Tag", "").replace("\n", " ").split(",") if t.strip())
        full = longs.get((name, st.get("Description-md5", "")), "")
        short = clean(st.get("Description", "").split("\n")[0])
        rows[name] = (name, src, sec, tags, short, long_text(full) if full else "")
    buf = io.StringIO()
    buf.write("package\tsource\tsection\ttags\tshort\tlong\n")
    for name in sorted(rows):
        buf.write("\t".join(rows[name]) + "\n")
    data = buf.getvalue().encode("utf-8")
    with lzma.open(out, "wb", preset=9 | lzma.PRESET_EXTREME) as f:
        f.write(data)
    print(f"{len(rows)} packages, {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: snapshot.py Packages[.xz|.lz4] Translation-en[.xz] OUT.tsv.xz")
    main(*sys.argv[1:])
