"""The corpus of the autodistil plugin: Debian bookworm's package
descriptions, pinned (corpus.json holds the SHA-256 of the uncompressed
TSV; tools/snapshot.py made it from the archive's Packages and
Translation-en), split, tokenised, and labelled for the two downstream
tasks.

Splits go by source package (crc32 of its name, mod 100): every binary
package of one source lands in the same split, so the -dev, -doc and
library packages of one source, whose descriptions share most words,
never sit on both sides. 0-69 train, 70-79 dev (distillation held-out
set, model selection), 80-89 test, 90-99 held apart (never looked at
while the plugin was developed; reported beside test). A description that
also occurs in train is dropped from the other splits.

The tokeniser is a word vocabulary with hashed buckets for the rest:
lower-case words, numbers and single punctuation marks; the `words` most
frequent in train get an id each, every other word one of `buckets` ids
by its crc32 (the hashing trick of fastText's subword buckets), so no
word collapses into one [UNK]."""
import hashlib
import json
import lzma
import os
import re
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SNAPSHOT = os.path.join(HERE, "debian-bookworm.tsv.xz")
MANIFEST = os.path.join(HERE, "corpus.json")
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PAD, UNK, CLS, SEP, MASK = range(5)
SPLITS = ("train", "dev", "test", "heldout")
MAX_BYTES = 64 << 20  # the snapshot is 23 MB; a larger one is not ours
TOKEN = re.compile(r"[a-z]+|[0-9]+|[^\sa-z0-9]")


def split_of(source):
    b = zlib.crc32(source.encode("utf-8")) % 100
    return "train" if b < 70 else "dev" if b < 80 else "test" if b < 90 else "heldout"


def read_snapshot(path=SNAPSHOT, manifest=MANIFEST):
    """The rows of the snapshot, after checking its hash against the
    manifest: a corpus that is not the pinned one would give numbers that
    cannot be compared with anyone else's."""
    with open(manifest) as f:
        want = json.load(f)
    with lzma.open(path) as f:
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValueError(f"{path}: over {MAX_BYTES} bytes uncompressed; not the pinned snapshot")
    got = hashlib.sha256(data).hexdigest()
    if got != want["sha256"]:
        raise ValueError(f"{path}: SHA-256 {got}, but {manifest} pins {want['sha256']}; restore the file from "
                         f"git (or remake it with tools/snapshot.py and update the manifest)")
    lines = data.decode("utf-8").split("\n")
    head = lines[0].split("\t")
    if head != ["package", "source", "section", "tags", "short", "long"]:
        raise ValueError(f"{path}: unexpected header {head}")
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        if not line:
            continue
        f = line.split("\t")
        if len(f) != 6:
            raise ValueError(f"{path}:{n}: {len(f)} fields, want 6")
        rows.append({"package": f[0], "source": f[1], "section": f[2],
                     "tags": [t for t in f[3].split(",") if t], "short": f[4], "long": f[5]})
    return rows, want


def words(text):
    return TOKEN.findall(text.lower())


class Tokenizer:
    def __init__(self, vocab, buckets):
        self.vocab = list(vocab)
        self.buckets = int(buckets)
        self.index = {w: i for i, w in enumerate(self.vocab)}
        self.size = len(self.vocab) + self.buckets

    def word_id(self, w):
        i = self.index.get(w)
        if i is not None:
            return i
        if self.buckets == 0:
            return UNK
        return len(self.vocab) + zlib.crc32(w.encode("utf-8")) % self.buckets

    def encode(self, short, long, seq_len):
        ids = [CLS] + [self.word_id(w) for w in words(short)][: seq_len - 2] + [SEP]
        rest = seq_len - len(ids) - 1
        if rest > 0 and long:
            ids += [self.word_id(w) for w in words(long)][:rest] + [SEP]
        ids = ids[:seq_len]
        return ids + [PAD] * (seq_len - len(ids))


def build_vocab(texts, n_words):
    counts = {}
    for t in texts:
        for w in words(t):
            counts[w] = counts.get(w, 0) + 1
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n_words]
    return SPECIALS + [w for w, _ in top]


def build(seq_len=48, words_n=8000, buckets=1024, limit=0, min_section=150, n_tags=24):
    """Everything the ops need, as numpy arrays and a JSON-able info dict.
    `limit` keeps that many packages (0: all), chosen by crc32 of the
    package name so that a smaller corpus is a fixed subset."""
    rows, manifest = read_snapshot()
    if limit and limit < len(rows):
        rows = sorted(rows, key=lambda r: (zlib.crc32(r["package"].encode("utf-8")), r["package"]))[:limit]
        rows.sort(key=lambda r: r["package"])
    by = {s: [] for s in SPLITS}
    for r in rows:
        by[split_of(r["source"])].append(r)
    text = lambda r: r["short"] + " " + r["long"]
    seen = {text(r) for r in by["train"]}
    dropped = {}
    for s in SPLITS[1:]:
        keep = [r for r in by[s] if text(r) not in seen]
        dropped[s] = len(by[s]) - len(keep)
        by[s] = keep
    tok = Tokenizer(build_vocab((text(r) for r in by["train"]), words_n), buckets)
    # Section: the sections with at least min_section packages in the whole
    # snapshot (fixed by the snapshot, not by the split), the rest "other".
    sec_count = {}
    for r in rows:
        sec_count[r["section"]] = sec_count.get(r["section"], 0) + 1
    sections = sorted(s for s, c in sec_count.items() if c >= min_section)
    if len(sections) < len(sec_count):
        sections.append("other")
    sec_id = {s: i for i, s in enumerate(sections)}
    # Debtags: the n_tags tags most frequent among train's tagged packages;
    # the task is multi-label over tagged packages only.
    tag_count = {}
    for r in by["train"]:
        for t in r["tags"]:
            tag_count[t] = tag_count.get(t, 0) + 1
    tags = [t for t, _ in sorted(tag_count.items(), key=lambda kv: (-kv[1], kv[0]))[:n_tags]]
    tag_id = {t: i for i, t in enumerate(tags)}
    arrays = {}
    sizes = {}
    for s in SPLITS:
        rs = by[s]
        arrays["ids_" + s] = np.array([tok.encode(r["short"], r["long"], seq_len) for r in rs],
                                      dtype=np.int32).reshape(len(rs), seq_len)
        arrays["section_" + s] = np.array([sec_id.get(r["section"], sec_id.get("other", 0)) for r in rs],
                                          dtype=np.int64)
        y = np.zeros((len(rs), len(tags)), dtype=np.float32)
        has = np.zeros(len(rs), dtype=bool)
        for i, r in enumerate(rs):
            has[i] = bool(r["tags"])
            for t in r["tags"]:
                if t in tag_id:
                    y[i, tag_id[t]] = 1.0
        arrays["tags_" + s] = y
        arrays["tagged_" + s] = has
        sizes[s] = len(rs)
    ids = arrays["ids_train"]
    nonpad = ids[ids != PAD]
    unk_rate = float(np.mean(nonpad >= len(tok.vocab))) if nonpad.size else 0.0
    info = {
        "snapshot": {"sha256": manifest["sha256"], "suite": manifest.get("suite"), "date": manifest.get("date"),
                     "packages": len(rows)},
        "seq_len": seq_len, "vocab": tok.size, "words": len(tok.vocab), "buckets": buckets,
        "bucket_rate": round(unk_rate, 4), "sizes": sizes, "dropped_duplicates": dropped,
        "sections": sections, "tags": tags,
        "tagged": {s: int(arrays["tagged_" + s].sum()) for s in SPLITS},
    }
    return arrays, info, tok
