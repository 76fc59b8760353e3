#!/usr/bin/python3
"""automat-sim.py -- HAADF-STEM images for testing AutoMat on an image model
that is not its own.

    /usr/bin/python3 scripts/automat-sim.py OUTDIR [--set dev|held] [--seeds 1-1]
        [--size 1024] [--tiers 1,2,3] [--only NAME]

Writes OUTDIR/<material>-t<tier>-s<seed>.png (16-bit gray), the true
structure as <material>.cif, and OUTDIR/manifest.tsv with one row per image:
file, material, tier, seed, elements, the pixel size an operator would give
(the true one with a calibration error), the true pixel size, whether the
material is in AutoMat's template library, and the artefacts drawn.

This shares no code and no assumptions with plugins/automat/sim.c. Its image
model differs on purpose from the one the analysis assumes:
  - the probe is a Gaussian core plus a Lorentzian (2-D Cauchy) tail;
  - a column's intensity is sum(Z^n) over its atoms, n drawn in 1.6..2.0;
  - pixels are 0.08..0.2 A, the image is rendered at twice the resolution
    and binned (pixels integrate, they do not sample);
  - an amorphous support film (correlated noise) lies under every image;
  - tier 2 adds scan drift (a 1-3% shear), a slowly varying background and
    vacancies (atoms missing from columns);
  - tier 3 adds a low dose, row jitter (each scan line displaced), scan-line
    streaks, and two or three of: hydrocarbon contamination, holes in the
    crystal, a crystal edge, a second grain at another rotation.
Noise is Poisson at the dose, then Gaussian read noise. The calibration
error of the pixel size given grows with the tier (1%, 2%, 3% at most).

Structures are written from published lattice constants (rounded) and
textbook positions; materials marked lib=1 have a template in
plugins/automat/templates (some with a lattice a few % off the template's).
Only the standard library and numpy (Debian's python3-numpy).
"""
import argparse
import math
import os
import struct
import sys
import zlib

import numpy as np

Z = {"H": 1, "B": 5, "C": 6, "N": 7, "O": 8, "Na": 11, "Mg": 12, "Al": 13, "Si": 14, "P": 15, "S": 16,
     "Cl": 17, "K": 19, "Ti": 22, "Cr": 24, "Fe": 26, "Cu": 29, "Zn": 30, "Ga": 31, "As": 33, "Se": 34,
     "Br": 35, "Sr": 38, "Zr": 40, "Nb": 41, "Mo": 42, "Ru": 44, "Cd": 48, "In": 49, "Sn": 50, "Te": 52,
     "I": 53, "Cs": 55, "Ba": 56, "La": 57, "Ce": 58, "Hf": 72, "Ta": 73, "W": 74, "Pt": 78, "Au": 79,
     "Pb": 82, "Bi": 83}


class Material:
    """A cell (a, b, c in A, gamma in degrees; the beam runs along c) and
    its atoms as (element, fx, fy, fz)."""

    def __init__(self, name, a, b, c, gamma, atoms, lib):
        self.name, self.a, self.b, self.c, self.gamma = name, a, b, c, gamma
        self.atoms, self.lib = atoms, lib

    def elements(self):
        seen = []
        for el, *_ in sorted(self.atoms, key=lambda t: -Z[t[0]]):
            if el not in seen:
                seen.append(el)
        return seen


def layer(name, a, b, gamma, atoms_z, lib, c=20.0):
    """A 2-D material in a cell with vacuum: atoms given as (el, fx, fy, z in A
    from the layer's middle)."""
    return Material(name, a, b, c, gamma, [(el, x, y, 0.5 + z / c) for el, x, y, z in atoms_z], lib)


def hexlayer(name, a, atoms_z, lib):
    return layer(name, a, a, 120.0, atoms_z, lib)


def supercell(base, m, drop, name, lib):
    """base's cell times the integer matrix m (rows: new vectors in base
    vectors), without the atoms whose index in the enumeration is in drop."""
    m = np.array(m, dtype=float)
    inv = np.linalg.inv(m)
    atoms, seen = [], 0
    for i in range(-3, 4):
        for j in range(-3, 4):
            for el, x, y, z in base.atoms:
                f = np.array([x + i, y + j]) @ inv
                if np.all(f >= -1e-6) and np.all(f < 1 - 1e-6):
                    if seen not in drop:
                        atoms.append((el, float(f[0]) % 1.0, float(f[1]) % 1.0, z))
                    seen += 1
    # the new cell's lengths and angle
    g = math.radians(base.gamma)
    A = np.array([[base.a, 0.0], [base.b * math.cos(g), base.b * math.sin(g)]])
    v = m @ A
    la, lb = np.linalg.norm(v[0]), np.linalg.norm(v[1])
    gam = math.degrees(math.acos(np.dot(v[0], v[1]) / (la * lb)))
    return Material(name, la, lb, base.c, gam, atoms, lib)


def cubic(name, a, atoms, lib):
    return Material(name, a, a, a, 90.0, atoms, lib)


FCC = [(0, 0, 0), (0.5, 0.5, 0), (0.5, 0, 0.5), (0, 0.5, 0.5)]


def fcc_plus(a_el, b_el, shift):
    out = [(a_el, x, y, z) for x, y, z in FCC]
    if b_el:
        out += [(b_el, (x + shift[0]) % 1, (y + shift[1]) % 1, (z + shift[2]) % 1) for x, y, z in FCC]
    return out


def perovskite(name, a, A, B, X, lib):
    return cubic(name, a, [(A, 0, 0, 0), (B, 0.5, 0.5, 0.5), (X, 0.5, 0.5, 0), (X, 0.5, 0, 0.5), (X, 0, 0.5, 0.5)], lib)


def tmd_1h(name, a, M, X, dz, lib):
    return hexlayer(name, a, [(M, 1 / 3, 2 / 3, 0), (X, 2 / 3, 1 / 3, dz), (X, 2 / 3, 1 / 3, -dz)], lib)


def tmd_1t(name, a, M, X, dz, lib):
    return hexlayer(name, a, [(M, 0, 0, 0), (X, 1 / 3, 2 / 3, dz), (X, 2 / 3, 1 / 3, -dz)], lib)


def orthorhombic_puckered(name, a, b, M, X, lib):
    # SnSe-type monolayer seen down its normal: two puckered sublayers
    return layer(name, a, b, 90.0, [(M, 0, 0.10, 1.4), (X, 0, 0.40, 1.3), (M, 0.5, 0.60, -1.4),
                                     (X, 0.5, 0.90, -1.3)], lib)


def dev_materials():
    m = []
    # in the template library (some a few % off the template's lattice)
    m.append(tmd_1h("2H-MoS2", 3.16, "Mo", "S", 1.56, 1))
    m.append(tmd_1h("2H-WSe2", 3.28, "W", "Se", 1.67, 1))
    m.append(hexlayer("graphene", 2.46, [("C", 1 / 3, 2 / 3, 0), ("C", 2 / 3, 1 / 3, 0)], 1))
    m.append(hexlayer("h-BN", 2.50, [("B", 1 / 3, 2 / 3, 0), ("N", 2 / 3, 1 / 3, 0)], 1))
    m.append(tmd_1t("1T-TiS2", 3.41, "Ti", "S", 1.43, 1))
    m.append(perovskite("SrTiO3-001", 3.905, "Sr", "Ti", "O", 1))
    m.append(layer("FeSe", 3.77, 3.77, 90.0, [("Fe", 0.75, 0.25, 0), ("Fe", 0.25, 0.75, 0),
                                               ("Se", 0.25, 0.25, 1.47), ("Se", 0.75, 0.75, -1.47)], 1))
    # black phosphorus' bulk in-plane cell, 4% under the monolayer template's b
    m.append(layer("phosphorene-bulk", 3.314, 4.436, 90.0, [("P", 0, 0.0806, 1.06), ("P", 0.5, 0.4194, 1.06),
                                                             ("P", 0.5, 0.5806, -1.06), ("P", 0, 0.9194, -1.06)], 1))
    # not in the library
    m.append(hexlayer("h-GaN", 3.20, [("Ga", 1 / 3, 2 / 3, 0), ("N", 2 / 3, 1 / 3, 0)], 0))
    # 2H bilayer: each column holds one layer's Mo and the other's S2
    m.append(layer("MoS2-bilayer", 3.16, 3.16, 120.0,
                   [("Mo", 1 / 3, 2 / 3, -3.07), ("S", 2 / 3, 1 / 3, -3.07 + 1.56), ("S", 2 / 3, 1 / 3, -3.07 - 1.56),
                    ("Mo", 2 / 3, 1 / 3, 3.07), ("S", 1 / 3, 2 / 3, 3.07 + 1.56), ("S", 1 / 3, 2 / 3, 3.07 - 1.56)], 0))
    m.append(hexlayer("Ti2C", 3.04, [("Ti", 1 / 3, 2 / 3, 1.15), ("Ti", 2 / 3, 1 / 3, -1.15), ("C", 0, 0, 0)], 0))
    # CrI3: a CdI2-type layer (a0 = 3.97 A) with a third of the metal sites
    # empty in a sqrt3 x sqrt3 order
    base = tmd_1t("CrI2-base", 6.867 / math.sqrt(3), "Cr", "I", 1.56, 0)
    cri3 = supercell(base, [[2, 1], [-1, 1]], set(), "CrI3", 0)
    crs = [i for i, t in enumerate(cri3.atoms) if t[0] == "Cr"]
    cri3.atoms = [t for i, t in enumerate(cri3.atoms) if i != crs[0]]
    m.append(cri3)
    m.append(cubic("CeO2-001", 5.411, fcc_plus("Ce", None, None)
                   + [("O", x, y, z) for x in (0.25, 0.75) for y in (0.25, 0.75) for z in (0.25, 0.75)], 0))
    m.append(perovskite("KTaO3-001", 3.989, "K", "Ta", "O", 0))
    m.append(perovskite("LaAlO3-001", 3.79, "La", "Al", "O", 0))
    m.append(cubic("MgO-001", 4.212, fcc_plus("Mg", "O", (0.5, 0, 0)), 0))
    m.append(cubic("GaAs-001", 5.653, fcc_plus("Ga", "As", (0.25, 0.25, 0.25)), 0))
    u = 0.305
    m.append(Material("TiO2-rutile-001", 4.594, 4.594, 2.959, 90.0,
                      [("Ti", 0, 0, 0), ("Ti", 0.5, 0.5, 0.5), ("O", u, u, 0), ("O", 1 - u, 1 - u, 0),
                       ("O", 0.5 + u, 0.5 - u, 0.5), ("O", 0.5 - u, 0.5 + u, 0.5)], 0))
    m.append(cubic("Cu-001", 3.615, fcc_plus("Cu", None, None), 0))
    m.append(tmd_1t("1T-TaS2", 3.36, "Ta", "S", 1.50, 0))
    m.append(orthorhombic_puckered("SnS", 4.02, 4.28, "Sn", "S", 0))
    # one Bi2Se3 quintuple layer: Se-Bi-Se-Bi-Se on A B C A B
    m.append(hexlayer("Bi2Se3-QL", 4.14, [("Se", 0, 0, -3.5), ("Bi", 1 / 3, 2 / 3, -2.0), ("Se", 2 / 3, 1 / 3, 0),
                                           ("Bi", 0, 0, 2.0), ("Se", 1 / 3, 2 / 3, 3.5)], 0))
    return m


def held_materials():
    m = []
    m.append(tmd_1h("2H-WS2", 3.18, "W", "S", 1.57, 1))
    m.append(tmd_1h("2H-MoSe2", 3.29, "Mo", "Se", 1.67, 1))
    m.append(perovskite("BaTiO3-001", 4.00, "Ba", "Ti", "O", 1))
    m.append(cubic("Au-001", 4.078, fcc_plus("Au", None, None), 1))
    m.append(orthorhombic_puckered("SnSe", 4.30, 4.45, "Sn", "Se", 1))
    m.append(cubic("NaCl-001", 5.640, fcc_plus("Na", "Cl", (0.5, 0, 0)), 0))
    m.append(cubic("PbTe-001", 6.462, fcc_plus("Pb", "Te", (0.5, 0, 0)), 0))
    m.append(cubic("CdTe-001", 6.481, fcc_plus("Cd", "Te", (0.25, 0.25, 0.25)), 0))
    m.append(perovskite("CsPbBr3-001", 5.87, "Cs", "Pb", "Br", 0))
    m.append(tmd_1t("1T-HfS2", 3.63, "Hf", "S", 1.45, 0))
    m.append(cubic("Fe-bcc-001", 2.866, [("Fe", 0, 0, 0), ("Fe", 0.5, 0.5, 0.5)], 0))
    m.append(hexlayer("InSe", 4.00, [("Se", 1 / 3, 2 / 3, -2.6), ("In", 2 / 3, 1 / 3, -1.4), ("In", 2 / 3, 1 / 3, 1.4),
                                      ("Se", 1 / 3, 2 / 3, 2.6)], 0))
    m.append(tmd_1h("2H-NbS2", 3.33, "Nb", "S", 1.57, 0))
    m.append(layer("WTe2-1T'", 3.48, 6.25, 90.0, [("W", 0, 0.60, 0.2), ("W", 0.5, 0.15, -0.2), ("Te", 0, 0.85, 1.7),
                                                   ("Te", 0.5, 0.35, 1.7), ("Te", 0, 0.35, -1.7), ("Te", 0.5, 0.90, -1.7)], 0))
    return m


def write_cif(path, mat):
    lines = ["# written by scripts/automat-sim.py", "data_" + mat.name.replace(" ", "_"),
             "_symmetry_space_group_name_H-M 'P 1'",
             "_cell_length_a %.4f" % mat.a, "_cell_length_b %.4f" % mat.b, "_cell_length_c %.4f" % mat.c,
             "_cell_angle_alpha 90", "_cell_angle_beta 90", "_cell_angle_gamma %.4f" % mat.gamma,
             "loop_", "_atom_site_label", "_atom_site_type_symbol", "_atom_site_fract_x",
             "_atom_site_fract_y", "_atom_site_fract_z"]
    for i, (el, x, y, z) in enumerate(mat.atoms):
        lines.append("%s%d %s %.5f %.5f %.5f" % (el, i + 1, el, x % 1.0, y % 1.0, z % 1.0))
    with open(path + ".tmp", "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(path + ".tmp", path)


def write_png16(path, img):
    """A 16-bit grayscale PNG, written by hand (zlib and struct only)."""
    h, w = img.shape
    raw = b"".join(b"\x00" + img[y].astype(">u2").tobytes() for y in range(h))

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 0, 0, 0, 0)) \
        + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp", path)


def columns(mat, zexp, merge=0.1):
    """The projected columns: in-plane fractional positions, and each
    column's atoms' Z^n (a list, so vacancies can take one out)."""
    g = math.radians(mat.gamma)
    cols = []
    for el, x, y, _ in mat.atoms:
        x, y = x % 1.0, y % 1.0
        for c in cols:
            dx, dy = (x - c[0] + 0.5) % 1.0 - 0.5, (y - c[1] + 0.5) % 1.0 - 0.5
            cx, cy = dx * mat.a + dy * mat.b * math.cos(g), dy * mat.b * math.sin(g)
            if math.hypot(cx, cy) < merge:
                c[2].append(Z[el] ** zexp)
                break
        else:
            cols.append([x, y, [Z[el] ** zexp]])
    return cols


def tile(mat, cols, theta, origin, fov, rng, vac):
    """Every column instance within the field of view (A), rotated by theta,
    as arrays x, y (A) and weight; with vacancies, each instance loses one
    random atom with probability vac."""
    g = math.radians(mat.gamma)
    A = np.array([[mat.a, 0.0], [mat.b * math.cos(g), mat.b * math.sin(g)]])
    R = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    v = A @ R.T  # rotated lattice vectors, rows
    inv = np.linalg.inv(v)
    corners = np.array([[0, 0], [fov, 0], [0, fov], [fov, fov]]) - origin
    f = corners @ inv
    lo, hi = np.floor(f.min(axis=0)) - 2, np.ceil(f.max(axis=0)) + 2
    ii, jj = np.meshgrid(np.arange(lo[0], hi[0] + 1), np.arange(lo[1], hi[1] + 1), indexing="ij")
    ii, jj = ii.ravel(), jj.ravel()
    xs, ys, ws = [], [], []
    for cx, cy, zs in cols:
        fx, fy = ii + cx, jj + cy
        p = np.stack([fx, fy], axis=1) @ v + origin
        w = np.full(len(fx), float(sum(zs)))
        if vac > 0:
            hit = rng.random(len(fx)) < vac
            w[hit] -= np.array(zs)[rng.integers(0, len(zs), hit.sum())]
        xs.append(p[:, 0]), ys.append(p[:, 1]), ws.append(w)
    x, y, w = np.concatenate(xs), np.concatenate(ys), np.concatenate(ws)
    keep = (x > -5) & (y > -5) & (x < fov + 5) & (y < fov + 5)
    return x[keep], y[keep], w[keep]


def smooth_noise(rng, n, sigma_px):
    """White noise low-passed by a Gaussian of sigma_px pixels, unit std."""
    k = np.fft.fftfreq(n)
    k2 = k[:, None] ** 2 + k[None, :] ** 2
    f = np.fft.fft2(rng.standard_normal((n, n))) * np.exp(-2 * math.pi ** 2 * sigma_px ** 2 * k2)
    out = np.real(np.fft.ifft2(f))
    return out / (out.std() + 1e-12)


def render(mat, tier, seed, size, rng):
    info = {}
    px = float(rng.uniform(0.08, 0.2))
    zexp = float(rng.uniform(1.6, 2.0))
    sigma = float(rng.uniform(0.38, 0.52))  # the probe's Gaussian core, A
    tail_f = float(rng.uniform(0.12, 0.28))  # the Lorentzian tail's share
    tail_g = float(rng.uniform(0.5, 1.0))  # its half width, A
    os_ = 2
    n2 = size * os_
    p2 = px / os_
    fov = size * px
    theta = float(rng.uniform(0, math.pi))
    origin = rng.uniform(0, 5, 2)
    cols = columns(mat, zexp)
    wmax = max(sum(zs) for _, _, zs in cols)
    vac = float(rng.uniform(0.02, 0.05)) if tier >= 2 else 0.0
    x, y, w = tile(mat, cols, theta, origin, fov, rng, vac)
    info.update(px=px, z_exp=zexp, probe_sigma=sigma, tail=tail_f, tail_gamma=tail_g, rotation=math.degrees(theta),
                vacancies=vac)
    # crystal regions: tier 3 draws two or three artefacts
    arts = []
    if tier == 3:
        pool = ["contamination", "holes", "edge", "grain"]
        arts = list(rng.choice(pool, size=int(rng.integers(2, 4)), replace=False))
    keep = np.ones(len(x), bool)
    region_holes = []
    if "holes" in arts:
        for _ in range(int(rng.integers(1, 3))):
            c = rng.uniform(0.2, 0.8, 2) * fov
            r = float(rng.uniform(0.06, 0.14)) * fov
            region_holes.append((c, r))
            keep &= np.hypot(x - c[0], y - c[1]) > r
    edge = None
    if "edge" in arts:
        ang = float(rng.uniform(0, 2 * math.pi))
        nrm = np.array([math.cos(ang), math.sin(ang)])
        cut = float(rng.uniform(0.15, 0.35)) * fov  # the share of the field with no crystal
        edge = (nrm, cut)
        d = (x - fov / 2) * nrm[0] + (y - fov / 2) * nrm[1]
        keep &= d < fov / 2 - cut
    grain = None
    if "grain" in arts:
        ang = float(rng.uniform(0, 2 * math.pi))
        nrm = np.array([math.cos(ang), math.sin(ang)])
        cut = float(rng.uniform(0.2, 0.35)) * fov
        grain = (nrm, cut)
        d = (x - fov / 2) * nrm[0] + (y - fov / 2) * nrm[1]
        keep &= d < fov / 2 - cut
        theta2 = theta + math.radians(float(rng.uniform(12, 45)))
        x2, y2, w2 = tile(mat, cols, theta2, rng.uniform(0, 5, 2), fov, rng, vac)
        d2 = (x2 - fov / 2) * nrm[0] + (y2 - fov / 2) * nrm[1]
        k2 = d2 >= fov / 2 - cut
        for c, r in region_holes:
            k2 &= np.hypot(x2 - c[0], y2 - c[1]) > r
        info["grain_rotation"] = math.degrees(theta2)
    x, y, w = x[keep], y[keep], w[keep]
    if grain is not None:
        x, y, w = np.concatenate([x, x2[k2]]), np.concatenate([y, y2[k2]]), np.concatenate([w, w2[k2]])
    # scan drift: the slow scan (y) lags, shearing x
    shear = float(rng.uniform(0.01, 0.03)) * (1 if rng.random() < 0.5 else -1) if tier >= 2 else 0.0
    x = x + shear * (y - fov / 2)
    info["shear"] = shear
    # splat onto the fine grid (bilinear), then convolve with the probe
    gx, gy = x / p2 - 0.5, y / p2 - 0.5
    x0, y0 = np.floor(gx).astype(int), np.floor(gy).astype(int)
    fx, fy = gx - x0, gy - y0
    grid = np.zeros((n2, n2))
    for dx, dy, ww in ((0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)), (0, 1, (1 - fx) * fy), (1, 1, fx * fy)):
        xi, yi = x0 + dx, y0 + dy
        ok = (xi >= 0) & (yi >= 0) & (xi < n2) & (yi < n2)
        np.add.at(grid, (yi[ok], xi[ok]), (w * ww)[ok])
    k = np.fft.fftfreq(n2, d=p2)  # cycles per A
    kr = np.sqrt(k[:, None] ** 2 + k[None, :] ** 2)
    psf_hat = (1 - tail_f) * np.exp(-2 * math.pi ** 2 * sigma ** 2 * kr ** 2) + tail_f * np.exp(-2 * math.pi * tail_g * kr)
    img = np.real(np.fft.ifft2(np.fft.fft2(grid) * psf_hat))
    # a lone brightest column's peak is 1
    peak = wmax * ((1 - tail_f) / (2 * math.pi * sigma ** 2) + tail_f / (2 * math.pi * tail_g ** 2)) * p2 * p2
    img = img / peak
    img = img.reshape(size, os_, size, os_).mean(axis=(1, 3))
    # the support film: correlated thickness noise, everywhere but in holes
    yy, xx = (np.mgrid[0:size, 0:size] + 0.5) * px
    film = 0.06 + float(rng.uniform(0.02, 0.06)) * smooth_noise(rng, size, float(rng.uniform(1.5, 4.0)) / px)
    for c, r in region_holes:
        film = np.where(np.hypot(xx - c[0], yy - c[1]) < r, film * 0.2, film)
    img += np.clip(film, 0, None)
    if tier >= 2:  # a slowly varying background
        amp = float(rng.uniform(0.08, 0.25))
        img += amp * (1 + smooth_noise(rng, size, size / 6.0)) / 2
        gdir = rng.uniform(-1, 1, 2)
        img += 0.1 * (gdir[0] * xx + gdir[1] * yy) / fov
        info["background"] = amp
    if "contamination" in arts:
        for _ in range(int(rng.integers(1, 4))):
            c = rng.uniform(0.1, 0.9, 2) * fov
            s = float(rng.uniform(0.04, 0.12)) * fov
            img += float(rng.uniform(0.5, 2.0)) * np.exp(-((xx - c[0]) ** 2 + (yy - c[1]) ** 2) / (2 * s * s))
    img = np.clip(img, 0, None)
    # counts at a lone brightest column's peak
    counts = {1: (60, 200), 2: (15, 40), 3: (3, 9)}[tier]
    cpp = float(rng.uniform(*counts))
    info["dose"] = cpp / (px * px)
    img = rng.poisson(img * cpp).astype(float)
    read = {1: 0.01, 2: 0.03, 3: 0.06}[tier] * cpp
    img += read * rng.standard_normal(img.shape)
    if tier == 3:
        # row jitter: each scan line displaced sideways (correlated along y)
        amp = float(rng.uniform(0.3, 0.8))
        jit = np.zeros(size)
        for r in range(1, size):
            jit[r] = 0.8 * jit[r - 1] + 0.6 * rng.standard_normal()
        jit = jit / (jit.std() + 1e-12) * amp
        cols_x = np.arange(size, dtype=float)
        for r in range(size):
            img[r] = np.interp(cols_x - jit[r], cols_x, img[r])
        img += 0.05 * cpp * rng.standard_normal(size)[:, None]  # streaks
        info["jitter"] = amp
    info["artefacts"] = ",".join(arts) if arts else "-"
    lo, hi = np.percentile(img, 0.01), np.percentile(img, 99.99)
    gain = float(rng.uniform(20000, 55000)) / max(hi - lo, 1e-9)
    off = float(rng.uniform(500, 4000))
    out = np.clip((img - lo) * gain + off, 0, 65535).round().astype(np.uint16)
    return out, info


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--set", default="dev", choices=["dev", "held"])
    ap.add_argument("--seeds", default="1-1")
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--tiers", default="1,2,3")
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    lo, _, hi = a.seeds.partition("-")
    seeds = range(int(lo), int(hi or lo) + 1)
    tiers = [int(t) for t in a.tiers.split(",")]
    mats = dev_materials() if a.set == "dev" else held_materials()
    if a.only:
        mats = [m for m in mats if m.name in a.only.split(",")]
        if not mats:
            sys.exit("automat-sim: no material named %s" % a.only)
    os.makedirs(a.out, exist_ok=True)
    rows = []
    for mi, mat in enumerate(mats):
        write_cif(os.path.join(a.out, mat.name + ".cif"), mat)
        for tier in tiers:
            for seed in seeds:
                # the seed depends on the material's name, so --only draws the same image
                key = sum(ord(ch) * (i + 1) for i, ch in enumerate(mat.name))
                rng = np.random.default_rng([seed, tier, key, 0 if a.set == "dev" else 1])
                img, info = render(mat, tier, seed, a.size, rng)
                err = float(rng.uniform(-1, 1)) * {1: 0.01, 2: 0.02, 3: 0.03}[tier]
                name = "%s-t%d-s%d.png" % (mat.name, tier, seed)
                write_png16(os.path.join(a.out, name), img)
                rows.append([name, mat.name, tier, seed, ",".join(mat.elements()), "%.5f" % (info["px"] * (1 + err)),
                             "%.5f" % info["px"], mat.lib, info["artefacts"],
                             "z^%.2f sigma %.2f tail %.2f/%.2f rot %.0f shear %.3f dose %.0f" % (
                                 info["z_exp"], info["probe_sigma"], info["tail"], info["tail_gamma"],
                                 info["rotation"], info["shear"], info["dose"])])
                print("%-28s %s" % (name, rows[-1][-1]), flush=True)
    with open(os.path.join(a.out, "manifest.tsv"), "w") as f:
        f.write("file\tmaterial\ttier\tseed\telements\tpixel_size\ttrue_pixel_size\tin_library\tartefacts\tmodel\n")
        for r in rows:
            f.write("\t".join(str(v) for v in r) + "\n")


if __name__ == "__main__":
    main()
