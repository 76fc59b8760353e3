/*
 * cif.c -- see cif.h. The tokenizer follows CIF 1.1's grammar closely
 * enough for the files crystallographic software writes: comments, quoted
 * strings (a quote closes only before whitespace), semicolon text fields,
 * data_ blocks, loop_ tables and tag-value pairs.
 */
#define _GNU_SOURCE
#include "cif.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "elements.h"
#include "fileio.h"

typedef struct tok {
	char *s;
	int line;
	int quoted;
} tok;

typedef struct toks {
	tok *v;
	size_t n, cap;
} toks;

static void toks_free(toks *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].s);
	free(t->v);
}

static int push(toks *t, const char *s, size_t len, int line, int quoted)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256;
		tok *p = realloc(t->v, cap * sizeof *p);
		if (!p)
			return -1;
		t->v = p, t->cap = cap;
	}
	char *c = strndup(s, len);
	if (!c)
		return -1;
	t->v[t->n++] = (tok){c, line, quoted};
	return 0;
}

static int tokenize(toks *t, const char *p, const char *name, char *err, size_t errlen)
{
	int line = 1, bol = 1;
	while (*p) {
		if (*p == '\n') {
			line++, p++, bol = 1;
			continue;
		}
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (*p == '#') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (bol && *p == ';') { /* text field up to a line starting with ';' */
			int start = line;
			const char *q = ++p;
			for (;;) {
				const char *nl = strchr(q, '\n');
				if (!nl) {
					snprintf(err, errlen, "%s:%d: text field opened with ';' is never closed", name, start);
					return -1;
				}
				line++;
				if (nl[1] == ';') {
					if (push(t, p, (size_t)(nl - p), start, 1) != 0)
						goto oom;
					p = nl + 2;
					break;
				}
				q = nl + 1;
			}
			bol = 0;
			continue;
		}
		bol = 0;
		if (*p == '\'' || *p == '"') {
			char qc = *p;
			const char *q = p + 1;
			while (*q && *q != '\n' && !(*q == qc && (q[1] == '\0' || isspace((unsigned char)q[1]))))
				q++;
			if (*q != qc) {
				snprintf(err, errlen, "%s:%d: quoted value is not closed on its line", name, line);
				return -1;
			}
			if (push(t, p + 1, (size_t)(q - p - 1), line, 1) != 0)
				goto oom;
			p = q + 1;
			continue;
		}
		const char *q = p;
		while (*q && !isspace((unsigned char)*q))
			q++;
		if (push(t, p, (size_t)(q - p), line, 0) != 0)
			goto oom;
		p = q;
	}
	return 0;
oom:
	snprintf(err, errlen, "%s: out of memory", name);
	return -1;
}

static int is_tag(const tok *t)
{
	return !t->quoted && t->s[0] == '_';
}

static int is_keyword(const tok *t, const char *kw)
{
	return !t->quoted && strncasecmp(t->s, kw, strlen(kw)) == 0;
}

/* A CIF number: "5.431(2)" is 5.431. NAN for '?', '.' or text. */
static double number(const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno)
		return NAN;
	if (*end == '(') {
		end = strchr(end, ')');
		if (!end)
			return NAN;
		end++;
	}
	return *end ? NAN : v;
}

/* "Mo4+" or "Mo1" -> "Mo"; empty when no element starts s. */
static void element_of(char out[4], const char *s)
{
	size_t n = 0;
	if (isalpha((unsigned char)s[0])) {
		out[n++] = (char)toupper((unsigned char)s[0]);
		if (isalpha((unsigned char)s[1]) && islower((unsigned char)s[1]))
			out[n++] = s[1];
	}
	out[n] = '\0';
	if (n == 2 && !am_element_z(out)) /* "Sc" is scandium, but "SA1" is not "Sa" */
		out[1] = '\0';
}

/* One symmetry operation: r (3 x 3) and t (3), from "-x+1/2,y,z". */
static int parse_symop(const char *s, double r[9], double t[3])
{
	memset(r, 0, 9 * sizeof *r), memset(t, 0, 3 * sizeof *t);
	int comp = 0;
	const char *p = s;
	while (comp < 3) {
		double sign = 1;
		while (*p == ' ')
			p++;
		if (*p == '+' || *p == '-')
			sign = *p++ == '-' ? -1 : 1;
		while (*p == ' ')
			p++;
		char c = (char)tolower((unsigned char)*p);
		if (c == 'x' || c == 'y' || c == 'z') {
			r[comp * 3 + (c - 'x')] += sign;
			p++;
		} else if (isdigit((unsigned char)*p) || *p == '.') {
			char *end;
			double v = strtod(p, &end);
			if (*end == '/') {
				double d = strtod(end + 1, &end);
				if (d == 0)
					return -1;
				v /= d;
			}
			t[comp] += sign * v;
			p = end;
		} else {
			return -1;
		}
		while (*p == ' ')
			p++;
		if (*p == ',') {
			comp++, p++;
		} else if (*p == '\0') {
			comp++;
			break;
		} else if (*p != '+' && *p != '-') {
			return -1;
		}
	}
	return comp == 3 && *p == '\0' ? 0 : -1;
}

typedef struct loop {
	size_t tag0, ntags, val0, nvals; /* token ranges */
} loop;

static long col_of(const toks *t, const loop *l, const char *tag)
{
	for (size_t i = 0; i < l->ntags; i++)
		if (!strcasecmp(t->v[l->tag0 + i].s, tag))
			return (long)i;
	return -1;
}

static int near_site(const am_struct *s, size_t upto, const char *el, double x, double y, double z)
{
	for (size_t i = 0; i < upto; i++) {
		double dx = s->at[i].x - x, dy = s->at[i].y - y, dz = s->at[i].z - z;
		dx -= round(dx), dy -= round(dy), dz -= round(dz);
		if (!strcmp(s->at[i].el, el) && fabs(dx) < 1e-3 && fabs(dy) < 1e-3 && fabs(dz) < 1e-3)
			return 1;
	}
	return 0;
}

int am_cif_parse(am_struct *s, const char *text, const char *name, char *err, size_t errlen)
{
	toks t = {0};
	memset(s, 0, sizeof *s);
	if (tokenize(&t, text, name, err, errlen) != 0) {
		toks_free(&t);
		return -1;
	}
	double cell[6] = {NAN, NAN, NAN, 90, 90, 90};
	static const char *const cell_tags[6] = {"_cell_length_a", "_cell_length_b", "_cell_length_c",
						 "_cell_angle_alpha", "_cell_angle_beta", "_cell_angle_gamma"};
	int cell_line[6] = {0};
	loop atoms = {0}, sym = {0};
	int have_block = 0, rc = -1;
	char block[64] = "";
	for (size_t i = 0; i < t.n;) {
		tok *k = &t.v[i];
		if (is_keyword(k, "data_")) {
			if (have_block)
				break; /* only the first block */
			have_block = 1;
			snprintf(block, sizeof block, "%s", k->s + 5);
			i++;
		} else if (is_keyword(k, "loop_")) {
			loop l = {++i, 0, 0, 0};
			while (i < t.n && is_tag(&t.v[i]))
				i++, l.ntags++;
			l.val0 = i;
			while (i < t.n && !is_tag(&t.v[i]) && !is_keyword(&t.v[i], "loop_") &&
			       !is_keyword(&t.v[i], "data_"))
				i++, l.nvals++;
			if (l.ntags == 0 || l.nvals % l.ntags != 0) {
				snprintf(err, errlen, "%s:%d: loop_ has %zu values for %zu columns; every row needs one value per column",
					 name, k->line, l.nvals, l.ntags);
				goto done;
			}
			if (col_of(&t, &l, "_atom_site_fract_x") >= 0)
				atoms = l;
			if (col_of(&t, &l, "_symmetry_equiv_pos_as_xyz") >= 0 ||
			    col_of(&t, &l, "_space_group_symop_operation_xyz") >= 0)
				sym = l;
		} else if (is_tag(k)) {
			if (i + 1 >= t.n) {
				snprintf(err, errlen, "%s:%d: tag %s has no value", name, k->line, k->s);
				goto done;
			}
			for (int c = 0; c < 6; c++)
				if (!strcasecmp(k->s, cell_tags[c])) {
					cell[c] = number(t.v[i + 1].s);
					cell_line[c] = k->line;
				}
			i += 2;
		} else {
			i++; /* a value outside any tag: tolerated, as most readers do */
		}
	}
	if (!have_block) {
		snprintf(err, errlen, "%s: no data_ block; is this a CIF file?", name);
		goto done;
	}
	for (int c = 0; c < 6; c++)
		if (!(cell[c] > 0) || (c >= 3 && !(cell[c] < 180))) {
			if (cell_line[c])
				snprintf(err, errlen, "%s:%d: %s is not a valid number", name, cell_line[c], cell_tags[c]);
			else
				snprintf(err, errlen, "%s: %s is missing", name, cell_tags[c]);
			goto done;
		}
	if (fabs(cell[3] - 90) > 1e-3 || fabs(cell[4] - 90) > 1e-3) {
		snprintf(err, errlen, "%s: alpha and beta must be 90 (c normal to the image plane); got %g and %g", name,
			 cell[3], cell[4]);
		goto done;
	}
	am_struct_init(s, block, cell[0], cell[1], cell[2], cell[5]);
	if (!atoms.ntags) {
		snprintf(err, errlen, "%s: no atom-site loop with _atom_site_fract_x/y/z", name);
		goto done;
	}
	long cx = col_of(&t, &atoms, "_atom_site_fract_x"), cy = col_of(&t, &atoms, "_atom_site_fract_y");
	long cz = col_of(&t, &atoms, "_atom_site_fract_z"), ct = col_of(&t, &atoms, "_atom_site_type_symbol");
	long cl = col_of(&t, &atoms, "_atom_site_label");
	if (cy < 0 || cz < 0 || (ct < 0 && cl < 0)) {
		snprintf(err, errlen, "%s:%d: the atom-site loop needs fract_y, fract_z and a type symbol or label", name,
			 t.v[atoms.tag0].line);
		goto done;
	}
	size_t nops = sym.ntags ? sym.nvals / sym.ntags : 0;
	long cs = sym.ntags ? col_of(&t, &sym, "_symmetry_equiv_pos_as_xyz") : -1;
	if (sym.ntags && cs < 0)
		cs = col_of(&t, &sym, "_space_group_symop_operation_xyz");
	double *ops = malloc((nops + 1) * 12 * sizeof *ops);
	if (!ops)
		goto done;
	for (size_t o = 0; o < nops; o++) {
		const tok *op = &t.v[sym.val0 + o * sym.ntags + (size_t)cs];
		if (parse_symop(op->s, ops + o * 12, ops + o * 12 + 9) != 0) {
			snprintf(err, errlen, "%s:%d: cannot read the symmetry operation '%s'", name, op->line, op->s);
			free(ops);
			goto done;
		}
	}
	if (nops == 0) { /* identity */
		memset(ops, 0, 12 * sizeof *ops);
		ops[0] = ops[4] = ops[8] = 1;
		nops = 1;
	}
	for (size_t r = 0; r < atoms.nvals / atoms.ntags; r++) {
		const tok *row = &t.v[atoms.val0 + r * atoms.ntags];
		double f[3] = {number(row[cx].s), number(row[cy].s), number(row[cz].s)};
		char el[4];
		element_of(el, row[ct >= 0 ? ct : cl].s);
		if (isnan(f[0]) || isnan(f[1]) || isnan(f[2]) || !am_element_z(el)) {
			snprintf(err, errlen, "%s:%d: atom '%s' needs a known element and numeric fractional coordinates",
				 name, row[0].line, row[0].s);
			free(ops);
			goto done;
		}
		for (size_t o = 0; o < nops; o++) {
			const double *R = ops + o * 12, *T = R + 9;
			double g[3];
			for (int c = 0; c < 3; c++)
				g[c] = R[c * 3] * f[0] + R[c * 3 + 1] * f[1] + R[c * 3 + 2] * f[2] + T[c];
			for (int c = 0; c < 3; c++)
				g[c] -= floor(g[c]);
			if (near_site(s, s->n, el, g[0], g[1], g[2]))
				continue; /* a special position: ops map it onto itself */
			if (am_struct_add(s, el, g[0], g[1], g[2]) != 0) {
				free(ops);
				snprintf(err, errlen, "%s: out of memory", name);
				goto done;
			}
		}
	}
	free(ops);
	am_struct_wrap(s);
	rc = 0;
done:
	if (rc != 0)
		am_struct_free(s);
	toks_free(&t);
	return rc;
}

int am_cif_read(am_struct *s, const char *path, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	char *buf;
	size_t len;
	if (wio_read_all(&buf, &len, path, path, AM_CIF_MAX_BYTES, err, errlen) != 0)
		return -1;
	if (memchr(buf, '\0', len)) {
		free(buf);
		snprintf(err, errlen, "%s is binary, not a CIF text file", path);
		return -1;
	}
	int rc = am_cif_parse(s, buf, path, err, errlen);
	free(buf);
	return rc;
}

int am_cif_write(const char *path, const am_struct *s, char *err, size_t errlen)
{
	am_afile af;
	if (am_afile_open(&af, path, err, errlen) != 0)
		return -1;
	FILE *f = af.f;
	char name[64];
	size_t q = 0;
	for (const char *p = s->name; *p && q + 1 < sizeof name; p++) /* a data_ name has no spaces */
		name[q++] = isspace((unsigned char)*p) ? '_' : *p;
	name[q] = '\0';
	fprintf(f, "# written by weft automat\ndata_%s\n", q ? name : "structure");
	fprintf(f, "_symmetry_space_group_name_H-M   'P 1'\n_symmetry_Int_Tables_number   1\n");
	fprintf(f, "_cell_length_a   %.6f\n_cell_length_b   %.6f\n_cell_length_c   %.6f\n", s->a, s->b, s->c);
	fprintf(f, "_cell_angle_alpha   %.4f\n_cell_angle_beta   %.4f\n_cell_angle_gamma   %.4f\n", s->alpha, s->beta,
		s->gamma);
	fprintf(f, "loop_\n_symmetry_equiv_pos_as_xyz\n  'x, y, z'\n");
	fprintf(f, "loop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n"
		   "_atom_site_fract_z\n_atom_site_occupancy\n");
	for (size_t i = 0; i < s->n; i++)
		fprintf(f, "  %s%zu %s %.6f %.6f %.6f 1.0\n", s->at[i].el, i + 1, s->at[i].el, s->at[i].x, s->at[i].y,
			s->at[i].z);
	return am_afile_commit(&af, err, errlen);
}
