"""sdt.py -- the Python-syntax side of the autosdt plugin: the AST judge,
dependency location, the environment probe and the templated adaptation.

Why Python: these stages read and rewrite Python programs, and the only
parser that agrees with the interpreter that will run them on every corner
of the grammar (decorators, f-strings, walrus, match, PEP 646 ...) is the
interpreter's own `ast`. The plugin's C side (plugins/autosdt/*.c) does the
rest -- git, notebooks, rules, MinHash, the sandbox, the dataset -- and
calls this file as a command:

    python3 sdt.py judge   IN.jsonl OUT.jsonl
    python3 sdt.py locate  IN.jsonl OUT.jsonl TREE_DIR
    python3 sdt.py probe   IN.json  OUT.json  ROOTS        (run by the task interpreter)
    python3 sdt.py adapt   IN.jsonl OUT.jsonl TREE_DIR

Each line in is one file {"path", "code", ...}; each line out is the same
object with the stage's fields added. Nothing here executes the programs it
reads. Only the standard library is imported, so any Python >= 3.9 runs it.
"""
import ast
import json
import os
import re
import sys

# ------------------------------------------------------------------ tables

# Libraries whose use marks code as scientific computing (the judge's first
# criterion). Top-level module names.
SCI_LIBS = {
    "numpy", "scipy", "pandas", "sklearn", "statsmodels", "patsy", "torch", "tensorflow", "keras", "jax",
    "Bio", "nibabel", "nilearn", "matplotlib", "seaborn", "skimage", "networkx", "sympy", "astropy",
    "xarray", "netCDF4", "h5py", "rdkit", "pymatgen", "ase", "mne", "obspy", "geopandas", "shapely",
    "rasterio", "cv2", "PIL", "numba", "lightgbm", "xgboost", "catboost", "pymc", "emcee", "lifelines",
    "scanpy", "anndata", "pysam", "dendropy", "ete3", "MDAnalysis", "mdtraj", "yt", "healpy", "sunpy",
    "librosa", "gensim", "nltk", "spacy", "transformers", "sklearn_crfsuite", "pywt", "plotly", "bokeh",
}

# Calls that read a dataset (criterion 2). A name matches when it equals an
# entry or starts with an entry that ends with "." or "_".
DATA_CALLS = (
    "pandas.read_", "numpy.load", "numpy.loadtxt", "numpy.genfromtxt", "numpy.fromfile", "numpy.memmap",
    "scipy.io.loadmat", "scipy.io.wavfile.read", "scipy.io.mmread", "scipy.io.arff.loadarff",
    "scipy.datasets.", "scipy.misc.face", "scipy.misc.ascent", "scipy.misc.electrocardiogram",
    "sklearn.datasets.load_", "sklearn.datasets.fetch_", "sklearn.datasets.load_svmlight_file",
    "statsmodels.datasets.", "statsmodels.api.datasets.", "statsmodels.formula.api.datasets.",
    "Bio.SeqIO.parse", "Bio.SeqIO.read", "Bio.SeqIO.index", "Bio.SeqIO.to_dict", "Bio.AlignIO.read",
    "Bio.AlignIO.parse", "Bio.Phylo.read", "Bio.Phylo.parse", "Bio.PDB.", "Bio.Medline.parse", "Bio.GenBank.",
    "Bio.SearchIO.", "Bio.motifs.parse", "Bio.motifs.read", "Bio.Nexus.", "Bio.SwissProt.parse",
    "Bio.SwissProt.read", "Bio.UniGene.", "Bio.Affy.", "Bio.Cluster.read", "Bio.KEGG.", "Bio.ExPASy.",
    "Bio.Entrez.", "nibabel.load", "nibabel.freesurfer.", "nilearn.datasets.", "json.load", "csv.reader",
    "csv.DictReader", "pickle.load", "joblib.load", "h5py.File", "xarray.open_", "netCDF4.Dataset",
    "PIL.Image.open", "imageio.imread", "imageio.v2.imread", "imageio.v3.imread", "matplotlib.pyplot.imread",
    "matplotlib.image.imread", "skimage.io.imread", "skimage.data.", "cv2.imread", "torchvision.datasets.",
    "tensorflow.keras.datasets.", "keras.datasets.", "seaborn.load_dataset", "astropy.io.fits.open",
    "astropy.table.Table.read", "networkx.read_", "sympy.parsing.", "librosa.load", "datasets.load_dataset",
    "pysam.", "mne.io.read_", "mne.datasets.", "obspy.read", "rasterio.open", "geopandas.read_file",
)
# Loaders of datasets that ship with an installed library: no file needed.
BUILTIN_DATA = ("sklearn.datasets.load_", "statsmodels.datasets.", "statsmodels.api.datasets.",
                "statsmodels.formula.api.datasets.", "scipy.misc.face", "scipy.misc.ascent",
                "scipy.misc.electrocardiogram", "skimage.data.")
NOT_BUILTIN = ("sklearn.datasets.load_svmlight_file", "sklearn.datasets.load_svmlight_files",
               "sklearn.datasets.load_files")
# Synthetic generators are not datasets (AutoSDT: "receive at least one dataset").
NOT_DATA = ("sklearn.datasets.make_", "numpy.random.", "scipy.stats.")

# Loaders that download: nothing reaches the network in verification, so a
# task that needs one is dropped with the call named.
NETWORK_CALLS = (
    "sklearn.datasets.fetch_", "statsmodels.datasets.get_rdataset", "statsmodels.api.datasets.get_rdataset",
    "statsmodels.datasets.webuse", "statsmodels.api.datasets.webuse", "urllib.request.urlopen",
    "urllib.request.urlretrieve", "requests.", "httpx.", "wget.", "seaborn.load_dataset", "Bio.Entrez.",
    "Bio.ExPASy.", "Bio.Blast.NCBIWWW.", "Bio.TogoWS.", "nilearn.datasets.fetch_", "mne.datasets.",
    "torchvision.datasets.", "tensorflow.keras.datasets.", "keras.datasets.", "datasets.load_dataset",
    "tensorflow.keras.utils.get_file", "keras.utils.get_file", "pooch.", "scipy.datasets.",
)

# Figure output (criterion 3).
FIG_CALLS = ("matplotlib.pyplot.", "seaborn.", "statsmodels.graphics.", "statsmodels.api.graphics.",
             "pandas.plotting.", "plotly.", "bokeh.plotting.")
FIG_METHODS = {"savefig", "plot", "imshow", "scatter", "hist", "bar", "barh", "boxplot", "contour", "contourf",
               "pcolormesh", "plot_surface", "errorbar", "fill_between", "heatmap", "matshow", "show"}
# File output (criterion 3).
WRITE_METHODS = {"to_csv", "to_excel", "to_json", "to_parquet", "to_pickle", "to_hdf", "to_latex", "to_html",
                 "savefig", "write_html", "write_image", "to_netcdf", "to_file"}
WRITE_CALLS = ("numpy.save", "numpy.savetxt", "numpy.savez", "numpy.savez_compressed", "json.dump",
               "pickle.dump", "joblib.dump", "scipy.io.savemat", "Bio.SeqIO.write", "Bio.AlignIO.write",
               "Bio.Phylo.write", "nibabel.save", "torch.save", "imageio.imwrite", "skimage.io.imsave",
               "cv2.imwrite", "matplotlib.pyplot.imsave")

DATA_EXT = {".csv", ".tsv", ".txt", ".dat", ".data", ".json", ".jsonl", ".xls", ".xlsx", ".parquet", ".feather",
            ".npy", ".npz", ".mat", ".h5", ".hdf5", ".nc", ".fasta", ".fa", ".fna", ".faa", ".fastq", ".gb",
            ".gbk", ".genbank", ".embl", ".aln", ".sth", ".stockholm", ".phy", ".nex", ".nexus", ".dnd", ".nwk",
            ".newick", ".xml", ".psl", ".pdb", ".cif", ".mmcif", ".sdf", ".mol", ".mol2", ".xyz", ".nii", ".mgz",
            ".img", ".hdr", ".dcm", ".tif", ".tiff", ".png", ".jpg", ".jpeg", ".bmp", ".wav", ".flac", ".gz",
            ".bz2", ".xz", ".zip", ".pkl", ".pickle", ".arff", ".sav", ".dta", ".sas7bdat", ".rds", ".fits",
            ".vcf", ".bed", ".gff", ".gtf", ".sam", ".bam", ".embl", ".swiss", ".txt.gz", ".csv.gz", ".mtx",
            ".edf", ".fif", ".mseed", ".sac", ".obj", ".ply", ".stl", ".shp", ".geojson", ".tab", ".ssv"}


# ------------------------------------------------------------------ facts

def _dotted(node):
    """`a.b.c` of an attribute chain on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _matches(name, table):
    for t in table:
        if name == t or ((t.endswith(".") or t.endswith("_")) and name.startswith(t)):
            return True
    return False


class Facts(ast.NodeVisitor):
    """What one module imports, calls (with import aliases resolved to full
    names), writes and reads, and whether it has code that runs on import
    (a module of only definitions is a library, not a task)."""

    def __init__(self):
        self.alias = {}         # local name -> full dotted name
        self.imports = []       # {"module", "names", "level", "line"}
        self.calls = []         # (full name, method, node)
        self.strings = []       # ast.Constant str nodes
        self.joins = []         # os.path.join / Path(...) calls with constant tails
        self.body_stmts = 0     # executable top-level statements
        self.print_values = 0   # prints of something other than literals
        self.opens = []         # (mode, node)

    def visit_Module(self, node):
        # definitions, imports, docstrings and constants do not run anything
        quiet = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
        for st in node.body:
            if isinstance(st, quiet) or (isinstance(st, (ast.Expr, ast.Assign))
                                         and isinstance(st.value, ast.Constant)):
                continue
            if isinstance(st, ast.If) and _is_main_guard(st.test):
                self.body_stmts += len(st.body)
            else:
                self.body_stmts += 1
        self.generic_visit(node)

    def visit_Import(self, node):
        for a in node.names:
            self.imports.append({"module": a.name, "names": [], "level": 0, "line": node.lineno})
            if a.asname:
                self.alias[a.asname] = a.name
            else:
                self.alias.setdefault(a.name.split(".")[0], a.name.split(".")[0])
        self.generic_visit(node)

    def visit_ImportFrom(self, node):
        mod = node.module or ""
        self.imports.append({"module": mod, "names": [a.name for a in node.names], "level": node.level or 0,
                             "line": node.lineno})
        if not node.level:
            for a in node.names:
                if a.name != "*":
                    self.alias[a.asname or a.name] = f"{mod}.{a.name}" if mod else a.name
        self.generic_visit(node)

    def full(self, func):
        d = _dotted(func)
        if d is None:
            return None
        head, _, rest = d.partition(".")
        if head in self.alias:
            return self.alias[head] + ("." + rest if rest else "")
        return d

    def visit_Call(self, node):
        name = self.full(node.func)
        method = node.func.attr if isinstance(node.func, ast.Attribute) else None
        self.calls.append((name or "", method, node))
        if name in ("print", "display", "pprint.pprint", "pprint") or (name or "").endswith(".display"):
            if any(not (isinstance(a, ast.Constant) or isinstance(a, ast.JoinedStr) and
                        all(isinstance(v, ast.Constant) for v in a.values)) for a in node.args):
                self.print_values += 1
        if name == "open" and node.args:
            mode = "r"
            if len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                mode = str(node.args[1].value)
            for kw in node.keywords:
                if kw.arg == "mode" and isinstance(kw.value, ast.Constant):
                    mode = str(kw.value.value)
            self.opens.append((mode, node))
        if name in ("os.path.join", "pathlib.Path", "Path", "os.path.abspath", "os.path.realpath"):
            self.joins.append(node)
        self.generic_visit(node)

    def visit_Constant(self, node):
        if isinstance(node.value, str) and 0 < len(node.value) < 512 and "\n" not in node.value:
            self.strings.append(node)


def _is_main_guard(test):
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and len(test.comparators) == 1 and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__")


def parse(code, path="<file>"):
    """(tree, facts) or (None, error message)."""
    try:
        tree = ast.parse(code, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
        line = getattr(e, "lineno", None)
        return None, f"{path}:{line or '?'}: does not parse as Python 3: {getattr(e, 'msg', None) or e}"
    f = Facts()
    try:
        f.visit(tree)
    except RecursionError:
        return None, f"{path}: nested too deeply to read"
    return tree, f


def _looks_like_path(s):
    if any(ch in s for ch in "%{}\n\t<>|*?") or s.count(" ") > 2:
        return False
    if s.startswith(("http://", "https://", "ftp://")):
        return False
    base = s.rsplit("/", 1)[-1].lower()
    if base.endswith(".py"):
        return False
    ext = os.path.splitext(base)[1]
    return ext in DATA_EXT or base.endswith((".csv.gz", ".txt.gz", ".tsv.gz"))


# ------------------------------------------------------------------ judge

def judge(rec):
    """AutoSDT's three criteria read off the AST. Returns the verdict with
    the evidence for each criterion."""
    tree, f = parse(rec.get("code", ""), rec.get("path", "<file>"))
    if tree is None:
        return {"scientific": False, "dataset": False, "output": False, "is_task": False, "by": "ast",
                "reason": f}
    libs = sorted({i["module"].split(".")[0] for i in f.imports if not i["level"]} & SCI_LIBS)
    runs = f.body_stmts > 0
    data = []
    for name, method, node in f.calls:
        if name and _matches(name, DATA_CALLS) and not _matches(name, NOT_DATA):
            data.append(name)
        elif method in ("load", "load_pandas", "load_data") and name and ".datasets." in name:
            data.append(name)
    data_files = sorted({s.value for s in f.strings if _looks_like_path(s.value)})
    for mode, node in f.opens:
        if "r" in mode or mode == "":
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _looks_like_path(arg.value):
                data.append("open")
    figs, files = [], []
    mpl = any(a.split(".")[0] == "matplotlib" for a in f.alias.values())
    for name, method, node in f.calls:
        if name and _matches(name, FIG_CALLS) and (method in FIG_METHODS or name.split(".")[-1] in FIG_METHODS
                                                  or name.startswith("seaborn.")):
            figs.append(name)
        elif method in ("plot", "savefig", "imshow", "scatter", "hist") and mpl:
            figs.append(method)
        if method in WRITE_METHODS or (name and _matches(name, WRITE_CALLS)):
            files.append(name or method)
    for mode, node in f.opens:
        if any(c in mode for c in "wax"):
            files.append("open(w)")
    scientific = bool(libs) and runs
    dataset = bool(data) or bool(data_files)
    output = bool(figs) or bool(files) or f.print_values > 0
    why = []
    why.append(f"scientific: {'imports ' + ', '.join(libs) if libs else 'no scientific library imported'}"
               f"{'' if runs else ', but only definitions run on import (a library module)'}")
    why.append("dataset: " + (", ".join(sorted(set(data))[:4]) or "") +
               (("; " if data else "") + "files " + ", ".join(data_files[:3]) if data_files else "")
               if dataset else "dataset: no data is loaded (synthetic data does not count)")
    outs = []
    if figs:
        outs.append("figures")
    if f.print_values:
        outs.append(f"{f.print_values} prints of values")
    if files:
        outs.append("writes " + ", ".join(sorted(set(files))[:3]))
    why.append("output: " + (", ".join(outs) if outs else "nothing printed, plotted or written"))
    failed = [c for c, ok in (("scientific", scientific), ("dataset", dataset), ("output", output)) if not ok]
    head = "meets all three criteria" if not failed else "fails " + " and ".join(failed)
    return {"scientific": scientific, "dataset": dataset, "output": output,
            "is_task": scientific and dataset and output, "by": "ast", "reason": head + " -- " + "; ".join(why),
            "evidence": {"libs": libs, "data_calls": sorted(set(data)), "data_literals": data_files,
                         "figures": bool(figs), "prints": f.print_values, "writes": sorted(set(files))}}


# ------------------------------------------------------------------ locate

class Tree:
    """The repository's files at the commit (a checkout directory)."""

    def __init__(self, root):
        self.root = os.path.realpath(root)
        self.files = set()
        self.by_base = {}
        for d, dirs, names in os.walk(self.root):
            dirs[:] = [x for x in dirs if x != ".git"]
            for n in names:
                rel = os.path.relpath(os.path.join(d, n), self.root).replace(os.sep, "/")
                self.files.add(rel)
                self.by_base.setdefault(n, []).append(rel)

    def norm(self, rel):
        rel = os.path.normpath(rel).replace(os.sep, "/")
        return None if rel.startswith("../") or rel == ".." or os.path.isabs(rel) else rel


def _module_file(tree, base, dotted):
    """The file of module `dotted` under directory `base` (repo-relative), or None."""
    p = (base + "/" if base else "") + dotted.replace(".", "/")
    p = tree.norm(p) if p else None
    if not p:
        return None
    if p + ".py" in tree.files:
        return p + ".py"
    if p + "/__init__.py" in tree.files:
        return p + "/__init__.py"
    return None


def _bases(path):
    """Directories an absolute import may be relative to: the file's own
    directory (a script run from there), its ancestors, and the root."""
    d = os.path.dirname(path)
    out = []
    while True:
        out.append(d)
        if not d:
            break
        d = os.path.dirname(d)
    return out


def _resolve_imports(tree, path, facts, stdlib):
    """(local module files, third-party top-level names)."""
    local, third = set(), set()
    for imp in facts.imports:
        mod, level = imp["module"], imp["level"]
        found = None
        if level:
            base = os.path.dirname(path)
            for _ in range(level - 1):
                base = os.path.dirname(base)
            cands = [mod] if mod else []
            cands += [(mod + "." if mod else "") + n for n in imp["names"] if n != "*"]
            hits = [_module_file(tree, base, c) for c in cands if c]
            hits = [h for h in hits if h]
            if not hits and not mod:
                hits = [h for h in [_module_file(tree, base, "__init__")] if h]
            local.update(hits)
            continue
        for b in _bases(path):
            for c in [mod + "." + n for n in imp["names"] if n != "*"] + [mod]:
                found = _module_file(tree, b, c)
                if found:
                    break
            if found:
                break
        if found:
            local.add(found)
            # the packages on the way are imported too
            parts = found.split("/")
            for i in range(1, len(parts) - 1):
                init = "/".join(parts[:i + 1]) + "/__init__.py"
                if init in tree.files and init != found:
                    local.add(init)
        else:
            top = mod.split(".")[0]
            if top and top not in stdlib and top != "__future__":
                third.add(top)
    return local, third


PROCESS_CALLS = ("subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
                 "subprocess.Popen", "subprocess.getoutput", "subprocess.getstatusoutput", "os.system", "os.popen",
                 "os.execvp", "os.execlp", "os.spawnlp", "os.spawnvp")


def _programs(facts):
    """External programs the code starts, where the AST names them: the
    literal first word of a subprocess/os.system call, and Biopython's
    application wrappers (ClustalwCommandline runs clustalw)."""
    out = set()
    for name, method, node in facts.calls:
        if not name:
            continue
        last = name.rsplit(".", 1)[-1]
        if last.endswith("Commandline") and ".Applications" in name and len(last) > len("Commandline"):
            out.add(last[:-len("Commandline")].lower())
            continue
        if name not in PROCESS_CALLS or not node.args:
            continue
        arg = node.args[0]
        if name in ("os.execlp", "os.spawnlp", "os.spawnvp", "os.execvp"):
            arg = node.args[1] if name.startswith("os.spawn") and len(node.args) > 1 else arg
        word = None
        if isinstance(arg, (ast.List, ast.Tuple)) and arg.elts and isinstance(arg.elts[0], ast.Constant) \
                and isinstance(arg.elts[0].value, str):
            word = arg.elts[0].value
        elif isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            word = arg.value.strip().split(" ", 1)[0] if arg.value.strip() else None
        if word and "/" not in word and re.match(r"^[A-Za-z0-9_.+-]+$", word) and word not in ("python", "python3"):
            out.add(word)
    return out


def _const_join(node):
    """The constant tail of os.path.join(..., "a", "b.csv") / Path(...):
    the string arguments after the last non-constant one."""
    parts = []
    for a in node.args:
        if isinstance(a, ast.Constant) and isinstance(a.value, str):
            parts.append(a.value)
        else:
            parts = []
    return "/".join(parts) if parts else None


def _resolve_data(tree, path, s):
    """The repo file or directory a string names, tried relative to the
    file's directory and its ancestors, then by base name when unique."""
    s = s.strip()
    if not s or s.startswith(("http://", "https://", "ftp://", "/")) or "\0" in s:
        return None
    for b in _bases(path):
        rel = tree.norm((b + "/" if b else "") + s)
        if rel and rel in tree.files and not rel.endswith(".py"):
            return rel
    base = s.rsplit("/", 1)[-1]
    hits = tree.by_base.get(base, [])
    if len(hits) == 1 and _looks_like_path(base) and not hits[0].endswith(".py"):
        return hits[0]
    return None


def locate(rec, tree, stdlib):
    """Module and data dependencies of one task file, followed through its
    local modules (at most 100 of them)."""
    path = rec["path"]
    todo, seen = [(path, rec.get("code", ""))], set()
    modules, data, third, network, builtin_data = set(), {}, set(), set(), set()
    missing, programs = set(), set()
    while todo and len(seen) < 100:
        p, code = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        t, f = parse(code, p)
        if t is None:
            continue
        loc, th = _resolve_imports(tree, p, f, stdlib)
        third |= th
        programs |= _programs(f)
        for m in sorted(loc - seen):
            modules.add(m)
            try:
                with open(os.path.join(tree.root, m), encoding="utf-8", errors="replace") as fh:
                    todo.append((m, fh.read(2 << 20)))
            except OSError:
                pass
        for s in f.strings:
            if _looks_like_path(s.value) or "/" in s.value:
                hit = _resolve_data(tree, p, s.value)
                if hit:
                    data.setdefault(hit, s.value)
                elif p == path and _looks_like_path(s.value) and "://" not in s.value:
                    missing.add(s.value)
        for j in f.joins:
            tail = _const_join(j)
            if tail:
                hit = _resolve_data(tree, p, tail)
                if hit:
                    data.setdefault(hit, tail)
        for name, method, node in f.calls:
            if name and _matches(name, NETWORK_CALLS):
                network.add(name)
            elif name and _matches(name, BUILTIN_DATA) and not _matches(name, NOT_BUILTIN):
                builtin_data.add(name)
            elif method in ("load", "load_pandas") and name and ".datasets." in name:
                builtin_data.add(name)
            if name and name.startswith("pandas.read_") and node.args and isinstance(node.args[0], ast.Constant) \
                    and str(node.args[0].value).startswith(("http://", "https://")):
                network.add(name + "(url)")
    # a literal that some join resolved is not missing
    missing = {m for m in missing if not any(v.endswith(m) for v in data.values())}
    located = bool(data) or bool(builtin_data)
    if network:
        why = "needs a download, and verification has no network: " + ", ".join(sorted(network)[:3])
    elif not located:
        why = ("its data is not in the repository: " + ", ".join(sorted(missing)[:3]) if missing else
               "no dataset found: no data file of the repository is named and no library dataset is loaded")
    else:
        why = ""
    return {"modules": sorted(modules), "data": sorted(data), "imports": sorted(third),
            "network": sorted(network), "builtin": sorted(builtin_data), "missing": sorted(missing),
            "programs": sorted(programs),
            "located": located and not network, "why": why}


# ------------------------------------------------------------------ probe

def probe_programs(progs):
    """Which of `progs` are on the tasks' PATH (the sandbox's fixed one)."""
    import shutil
    path = "/usr/local/bin:/usr/bin:/bin"
    return {p: ({"ok": True, "origin": shutil.which(p, path=path)} if shutil.which(p, path=path) else
                {"ok": False, "why": "is not installed (not on /usr/local/bin:/usr/bin:/bin)"}) for p in progs}


def probe(mods, roots):
    """Which of `mods` the interpreter running this has, and from where.
    find_spec imports nothing but parent packages, so probing runs no
    third-party code."""
    import importlib.util
    import sysconfig
    std = set(getattr(sys, "stdlib_module_names", ()))
    stdlib_dirs = {os.path.realpath(sysconfig.get_paths()[k]) for k in ("stdlib", "platstdlib")}
    allowed = [os.path.realpath(r) for r in roots if r]
    out = {}
    for m in mods:
        if m in std or m in sys.builtin_module_names:
            out[m] = {"ok": True, "origin": "stdlib"}
            continue
        try:
            spec = importlib.util.find_spec(m)
        except (ImportError, ValueError, AttributeError) as e:
            out[m] = {"ok": False, "why": f"cannot be looked up: {e}"}
            continue
        if spec is None:
            out[m] = {"ok": False, "why": "not installed"}
            continue
        origin = spec.origin if spec.origin not in (None, "namespace") else \
            (list(spec.submodule_search_locations or [""])[0])
        real = os.path.realpath(origin or "")
        ok = any(real.startswith(r + os.sep) for r in allowed + sorted(stdlib_dirs) if r)
        out[m] = {"ok": ok, "origin": origin or "", "why": "" if ok else
                  f"installed at {origin}, outside the allowed roots (not a Debian package)"}
    return out


# ------------------------------------------------------------------ adapt

PRELUDE = '''\
# --- autosdt: the lines below make this program a self-contained task: it
# --- runs from the task's directory, reads its data under benchmark/datasets/
# --- and writes every output under pred_results/.
import os as _sdt_os, sys as _sdt_sys, builtins as _sdt_builtins, atexit as _sdt_atexit
_sdt_os.makedirs("pred_results", exist_ok=True)
_sdt_os.environ.setdefault("MPLBACKEND", "Agg")
{syspath}_sdt_txt = None
_sdt_figs = 0


def _sdt_out(path):
    return _sdt_os.path.join("pred_results", _sdt_os.path.basename(_sdt_os.fspath(path)) or "pred_{stem}.out")


def print(*args, **kwargs):
    global _sdt_txt
    dest = kwargs.get("file")
    _sdt_builtins.print(*args, **kwargs)
    if dest is None or dest is _sdt_sys.stdout:
        if _sdt_txt is None:
            _sdt_txt = open("pred_results/pred_{stem}.txt", "w")
        kwargs["file"] = _sdt_txt
        _sdt_builtins.print(*args, **kwargs)
        _sdt_txt.flush()


def _sdt_figures(*_args, **_kwargs):
    global _sdt_figs
    if "matplotlib.pyplot" not in _sdt_sys.modules:
        return
    _plt = _sdt_sys.modules["matplotlib.pyplot"]
    for _n in _plt.get_fignums():
        _sdt_figs += 1
        _plt.figure(_n).savefig("pred_results/pred_{stem}%s.png" % ("" if _sdt_figs == 1 else "_%d" % _sdt_figs))
    _plt.close("all")


_sdt_atexit.register(_sdt_figures)
{display}# --- autosdt: end of the added lines
'''


def _offsets(code):
    """Line starts in characters, and a converter from (line, utf-8 byte
    column) -- what ast gives -- to a character offset."""
    lines = code.splitlines(keepends=True)
    starts, pos = [], 0
    for ln in lines:
        starts.append(pos)
        pos += len(ln)
    starts.append(pos)

    def at(line, col):
        if line - 1 >= len(lines):
            return len(code)
        text = lines[line - 1]
        return starts[line - 1] + len(text.encode("utf-8")[:col].decode("utf-8", "replace"))
    return at


def _span(at, node):
    return at(node.lineno, node.col_offset), at(node.end_lineno, node.end_col_offset)


def adapt(rec, repo):
    """The templated rewrite: data paths point into benchmark/datasets/REPO/,
    outputs (prints, figures, written files) land in pred_results/. Returns
    {program, expected, rewrites} or {error}."""
    code, path = rec.get("code", ""), rec["path"]
    tree, f = parse(code, path)
    if tree is None:
        return {"error": f}
    stem = re.sub(r"[^A-Za-z0-9_]+", "_", os.path.splitext(os.path.basename(path))[0]) or "task"
    at = _offsets(code)
    data = rec.get("deps", {}).get("data", [])
    edits, notes = [], []

    def new_path(rel):
        return f"benchmark/datasets/{repo}/{rel}"

    # data literals and constant joins that resolved to a repo file
    done = set()
    tree_idx = rec.get("_tree")
    for j in f.joins:
        tail = _const_join(j)
        if tail:
            hit = _resolve_data(tree_idx, path, tail) if tree_idx else None
            if hit and hit in data:
                s, e = _span(at, j)
                edits.append((s, e, repr(new_path(hit))))
                notes.append(f"line {j.lineno}: data path -> {new_path(hit)}")
                for a in ast.walk(j):
                    done.add(id(a))
    for c in f.strings:
        if id(c) in done:
            continue
        hit = _resolve_data(tree_idx, path, c.value) if tree_idx else None
        if hit and hit in data:
            s, e = _span(at, c)
            if code[s:e].lstrip("rRbBuU")[:1] in "'\"":
                edits.append((s, e, repr(new_path(hit))))
                notes.append(f"line {c.lineno}: {c.value!r} -> {new_path(hit)}")
    # outputs
    expected = set()
    write_opens = {id(n) for m, n in f.opens if any(ch in m for ch in "wax")}
    for name, method, node in f.calls:
        if (name == "matplotlib.pyplot.show" or method == "show") and not node.args:
            s, e = _span(at, node)
            edits.append((s, e, "_sdt_figures()"))
            expected.add(f"pred_results/pred_{stem}.png")
        elif method in WRITE_METHODS or (name and _matches(name, WRITE_CALLS)) or id(node) in write_opens:
            # the object comes first for dump(obj, file) and save(obj, f)
            second = name in ("json.dump", "pickle.dump", "joblib.dump", "torch.save")
            target = node.args[1 if second else 0] if len(node.args) > (1 if second else 0) else None
            for kw in node.keywords:
                if kw.arg in ("fname", "path", "path_or_buf", "filename", "file", "excel_writer"):
                    target = kw.value
            if target is None or (second and not isinstance(target, ast.Constant)):
                continue  # a file handle: its open() is rewritten
            s, e = _span(at, target)
            edits.append((s, e, f"_sdt_out({code[s:e]})"))
            if isinstance(target, ast.Constant) and isinstance(target.value, str):
                expected.add("pred_results/" + os.path.basename(target.value))
            if method == "savefig":
                expected.add("pred_results/*.png")
    ev = rec.get("judge", {}).get("evidence", {})
    if ev.get("figures") and not any(x.endswith(".png") for x in expected):
        expected.add(f"pred_results/pred_{stem}.png")  # saved at exit by _sdt_figures
    if ev.get("prints") or f.print_values:
        expected.add(f"pred_results/pred_{stem}.txt")
    # non-overlapping edits, applied from the end
    edits.sort(key=lambda x: (x[0], -x[1]))
    kept, last = [], -1
    for ed in edits:
        if ed[0] >= last:
            kept.append(ed)
            last = ed[1]
    out = code
    for s, e, rep in reversed(kept):
        out = out[:s] + rep + out[e:]
    # the prelude goes after the docstring and the __future__ imports
    insert_line = 0
    for st in tree.body:
        if (isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant) and isinstance(st.value.value, str)
                and insert_line == 0) or (isinstance(st, ast.ImportFrom) and st.module == "__future__"):
            insert_line = st.end_lineno
        else:
            break
    mod_dirs = sorted({os.path.dirname(m) for m in rec.get("deps", {}).get("modules", [])} |
                      {os.path.dirname(path)} if rec.get("deps", {}).get("modules") else set())
    syspath = "".join(f"_sdt_sys.path.insert(0, {new_path(d) if d else f'benchmark/datasets/{repo}'!r})\n"
                      for d in mod_dirs)
    uses_display = any(n == "display" for n, m, _ in f.calls) and "display" not in f.alias
    prelude = PRELUDE.format(stem=stem, syspath=syspath, display="display = print\n" if uses_display else "")
    lines = out.splitlines(keepends=True)
    # edits never change line counts before insert_line (they are on calls)
    head = "".join(lines[:insert_line])
    if head and not head.endswith("\n"):
        head += "\n"
    tail = "".join(lines[insert_line:])
    if tail and not tail.endswith("\n"):
        tail += "\n"
    # Figures still open at the end are saved here: matplotlib's own exit
    # handler, registered after the prelude's, runs first and closes them.
    program = head + prelude + tail + "_sdt_figures()  # autosdt: the figures still open\n"
    try:
        compile(program, stem + ".py", "exec")
    except (SyntaxError, ValueError) as e:
        return {"error": f"the rewritten program does not compile: {e}"}
    return {"program": program, "name": stem + ".py", "expected": sorted(expected), "rewrites": notes,
            "summary": summary(tree)}


def summary(tree):
    """The first sentences of the module's docstring (reStructuredText
    titles and their underlines dropped), for the task's instruction."""
    doc = ast.get_docstring(tree) or ""
    lines = [ln.strip() for ln in doc.splitlines()]
    text, title = [], ""
    for i, ln in enumerate(lines):
        if ln and set(ln) <= set("=-~*#^+"):
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if ln and nxt and set(nxt) <= set("=-~*#^+") and not title:
            title = ln
            continue
        if ln.startswith((".. ", ":")):
            continue
        text.append(ln)
    body = re.sub(r"\s+", " ", " ".join(text)).strip()
    body = re.sub(r":\w+:`~?([^`<]*)(<[^>]*>)?`", r"\1", body).replace("``", "").replace("`", "")
    sentences = re.split(r"(?<=[.!?])\s+", body)
    out = " ".join(sentences[:2]).strip()
    if title and title.lower() not in out.lower():
        out = (title.rstrip(".") + ". " + out).strip()
    return out[:600]


# ------------------------------------------------------------------ driver

def _stdlib():
    return set(getattr(sys, "stdlib_module_names", ())) | set(sys.builtin_module_names)


def _lines(path):
    with open(path, encoding="utf-8") as fh:
        for ln in fh:
            if ln.strip():
                yield json.loads(ln)


def _write(path, recs):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        for r in recs:
            fh.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
    os.replace(tmp, path)


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    cmd, src, dst = argv[1], argv[2], argv[3]
    sys.setrecursionlimit(10000)
    if cmd == "judge":
        out = []
        for r in _lines(src):
            r["judge"] = judge(r)
            out.append(r)
        _write(dst, out)
    elif cmd == "locate":
        tree, std, out = Tree(argv[4]), _stdlib(), []
        for r in _lines(src):
            r["deps"] = locate(r, tree, std)
            out.append(r)
        _write(dst, out)
    elif cmd == "probe":
        with open(src, encoding="utf-8") as fh:
            req = json.load(fh)
        res = probe(req["modules"], req.get("roots", []))
        res = {"modules": res, "programs": probe_programs(req.get("programs", []))}
        with open(dst + ".tmp", "w", encoding="utf-8") as fh:
            json.dump(res, fh, sort_keys=True)
        os.replace(dst + ".tmp", dst)
    elif cmd == "adapt":
        tree, out = Tree(argv[4]), []
        repo = argv[5] if len(argv) > 5 else "repo"
        for r in _lines(src):
            r["_tree"] = tree
            r["adapt"] = adapt(r, repo)
            del r["_tree"]
            out.append(r)
        _write(dst, out)
    else:
        sys.stderr.write(f"sdt.py: unknown command {cmd!r}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
