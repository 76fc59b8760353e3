/*
 * summary.c -- see summary.h.
 */
#define _GNU_SOURCE
#include "summary.h"
#include "textout.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double num(const json_t *o, const char *k, double dflt)
{
	const json_t *v = json_object_get(o, k);
	return json_is_number(v) ? json_number_value(v) : dflt;
}

static const char *str(const json_t *o, const char *k, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : dflt;
}

static void warn(json_t *arr, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	json_array_append_new(arr, json_string(buf));
}

json_t *am_summary_warnings(const json_t *report)
{
	json_t *w = json_array();
	if (!w)
		return NULL;
	const json_t *relax = json_object_get(report, "relax"), *choice = json_object_get(report, "choice");
	const json_t *match = json_object_get(report, "match"), *lat = json_object_get(report, "lattice");
	const json_t *cmp = json_object_get(report, "compare"), *recon = json_object_get(report, "reconstruct");
	const char *line = str(choice, "line", str(recon, "line", ""));
	/* the template-free structure is a flat projection (every site at one
	 * z): relaxing it squeezes atoms of different depths into a plane,
	 * so its energy and moves say nothing about it; the checks of that
	 * line are the ones on its cell below */
	int flat = !strcmp(line, "template-free");
	if (relax && !flat) {
		double e = num(relax, "energy_per_atom", NAN), move = num(relax, "max_displacement", 0);
		if (e > 0)
			warn(w, "the relaxed energy per atom is %+.3f eV: positive, so the structure is not bound under the "
				"relaxation's potential; the reconstruction is probably wrong", e);
		if (!json_is_true(json_object_get(relax, "converged")))
			warn(w, "the relaxation did not converge in %.0f steps (largest force %.3g eV/A): the relaxed "
				"structure is not at a minimum", num(relax, "steps", 0), num(relax, "max_force", NAN));
		if (move > AM_SUMMARY_MAX_MOVE)
			warn(w, "atoms moved up to %.2f A during the relaxation (more than %.1f A, about a quarter of a bond): the "
				"reconstruction was far from a stable structure", move, AM_SUMMARY_MAX_MOVE);
	}
	double best = num(choice, "best_score", num(match, "score", NAN));
	double min_score = num(choice, "min_score", num(match, "min_score", 0.5));
	/* is there a template of the sample's elements at all? Out of the
	 * library, no template resembling the image is what is expected */
	int any_of_elements = 0;
	const json_t *ranked = json_object_get(match, "ranked");
	for (size_t i = 0; i < json_array_size(ranked); i++)
		any_of_elements |= json_is_true(json_object_get(json_array_get(ranked, i), "elements_ok"));
	if (!ranked)
		any_of_elements = 1; /* an older report: judge as before */
	if (!strcmp(line, "template") && best < min_score)
		warn(w, "the template line ran on template %s although its score %.2f is under min_score %.2f",
		     str(choice, "template", "?"), best, min_score);
	else if (isfinite(best) && best < min_score / 2 && any_of_elements)
		warn(w, "no template resembles the image (best score %.2f, under half of min_score %.2f): the "
			"template-free structure has no reference to check it against; check the elements and the pixel "
			"size", best, min_score);
	if (lat) {
		double ix = num(lat, "indexed", 1), per = num(lat, "periodicity", 1);
		if (ix < AM_SUMMARY_MIN_INDEXED || per < AM_SUMMARY_MIN_PERIODICITY)
			warn(w, "the lattice is weak (periodicity %.2f, %.0f%% of its peaks indexed; below %.2f or %.0f%%): "
				"the cell it gives may be wrong", per, 100 * ix, AM_SUMMARY_MIN_PERIODICITY,
			     100 * AM_SUMMARY_MIN_INDEXED);
	}
	if (recon && num(recon, "atoms", 1) < 1)
		warn(w, "the reconstructed structure has no atoms");
	const json_t *missing = json_object_get(recon, "elements_without_column");
	if (flat && json_array_size(missing) > 0) {
		char list[64] = "";
		for (size_t i = 0; i < json_array_size(missing) && i < 8; i++)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? "," : "",
				 json_string_value(json_array_get(missing, i)));
		warn(w, "no column was given %s, one of the sample's elements: a light column beside heavy ones may have "
			"been lost, or columns of two elements look alike, or it shares columns with a heavier element "
			"(rock salt along [001], a 2H bilayer); the cell may lack sites", list);
	}
	if (flat && num(recon, "reduces_by", 1) > 1.5)
		warn(w, "the cell reduces to one %.0f times smaller that maps every site onto its kind: the lattice "
			"was taken too large", num(recon, "reduces_by", 1));
	if (cmp && !json_is_true(json_object_get(cmp, "match")))
		warn(w, "the structure does not match the reference CIF: %s", str(cmp, "why", "(no reason given)"));
	return w;
}

/* ------------------------------------------------------------ Markdown */


/* A colour per intensity class, dimmest first: distinct on gray. */
static const unsigned char palette[8][3] = {{0, 200, 255}, {255, 60, 60}, {80, 230, 80}, {255, 200, 0},
					   {220, 80, 255}, {255, 140, 0}, {0, 120, 255}, {255, 255, 255}};
static const char *const palette_names[8] = {"cyan", "red", "green", "yellow", "violet", "orange", "blue", "white"};

const char *am_summary_colour(int cls)
{
	return palette_names[cls >= 0 && cls < 8 ? cls : 7];
}

char *am_summary_markdown(const json_t *report, const json_t *warnings, const am_colset *cols,
			  const char (*names)[8], const char *overlay)
{
	wtext b = {0};
	const json_t *relax = json_object_get(report, "relax"), *choice = json_object_get(report, "choice");
	const json_t *match = json_object_get(report, "match"), *lat = json_object_get(report, "lattice");
	const json_t *cmp = json_object_get(report, "compare"), *recon = json_object_get(report, "reconstruct");
	const json_t *q = json_object_get(report, "quality");
	const char *line = str(choice, "line", str(recon, "line", "?"));
	size_t nw = json_array_size(warnings);
	wtext_printf(&b, "# AutoMat: %s structure%s%s\n\n", line, !strcmp(line, "template") ? " from " : "",
	    !strcmp(line, "template") ? str(choice, "template", "?") : "");
	if (nw)
		wtext_printf(&b, "**Status: %zu warning%s** -- the result may be physically implausible; see below.\n\n", nw,
		    nw == 1 ? "" : "s");
	else
		wtext_printf(&b, "**Status: plausible** -- no check below found a problem.\n\n");
	wtext_printf(&b, "| stage | result |\n|---|---|\n");
	if (q)
		wtext_printf(&b, "| image | %s; SNR %.1f, CNR %.2f; denoised at level %.0f |\n", str(q, "verdict", "?"),
		    num(q, "snr", NAN), num(q, "cnr", NAN), num(q, "denoise_level", NAN));
	if (lat)
		wtext_printf(&b, "| lattice | a = %.3f A, b = %.3f A, gamma = %.2f deg; periodicity %.2f, %.0f%% of %.0f peaks "
			"indexed; %.0f x %.0f pixels of %.4g A |\n",
		    num(lat, "a", NAN), num(lat, "b", NAN), num(lat, "gamma", NAN), num(lat, "periodicity", NAN),
		    100 * num(lat, "indexed", NAN), num(lat, "peaks", NAN), num(lat, "width", NAN), num(lat, "height", NAN),
		    num(lat, "pixel_size", NAN));
	if (cols) {
		size_t per[8] = {0};
		int top = -1;
		for (size_t i = 0; i < cols->n; i++)
			if (cols->v[i].cls >= 0 && cols->v[i].cls < 8) {
				per[cols->v[i].cls]++;
				top = cols->v[i].cls > top ? cols->v[i].cls : top;
			}
		wtext_printf(&b, "| columns | %zu found", cols->n);
		for (int c = 0; c <= top; c++)
			wtext_printf(&b, "%s %zu %s (%s)", c ? "," : ";", per[c], names && names[c][0] ? names[c] : "unassigned",
			    am_summary_colour(c));
		wtext_printf(&b, " |\n");
	}
	if (match) {
		const char *t = str(match, "template", "");
		wtext_printf(&b, "| templates | best %s, score %.3f (min_score %.2f) |\n", t[0] ? t : "none", num(match, "score", NAN),
		    num(match, "min_score", NAN));
	}
	if (choice)
		wtext_printf(&b, "| line | %s, decided by %s |\n", line, str(choice, "decided_by", "?"));
	if (recon) {
		const json_t *cell = json_object_get(recon, "cell");
		wtext_printf(&b, "| structure | %.0f atoms; cell a = %.3f A, b = %.3f A, c = %.1f A, gamma = %.1f deg |\n",
		    num(recon, "atoms", NAN), num(cell, "a", NAN), num(cell, "b", NAN), num(cell, "c", NAN),
		    num(cell, "gamma", NAN));
	}
	if (relax)
		wtext_printf(&b, "| relaxation | %s, %s in %.0f steps; energy per atom %.3f -> %.3f eV; largest move %.2f A |\n",
		    str(relax, "method", "?"), json_is_true(json_object_get(relax, "converged")) ? "converged" : "not converged",
		    num(relax, "steps", NAN), num(relax, "energy_per_atom_initial", NAN), num(relax, "energy_per_atom", NAN),
		    num(relax, "max_displacement", NAN));
	if (cmp) {
		wtext_printf(&b, "| against the reference | %s; lattice errors a %.2g, b %.2g, gamma %.2g",
		    json_is_true(json_object_get(cmp, "match")) ? "matches" : "differs", num(cmp, "error_a", NAN),
		    num(cmp, "error_b", NAN), num(cmp, "error_gamma", NAN));
		if (num(cmp, "rmsd", -1) >= 0) /* -1: not computed, the lattices differ */
			wtext_printf(&b, "; RMSD %.3g A", num(cmp, "rmsd", NAN));
		wtext_printf(&b, " |\n");
	}
	if (nw) {
		wtext_printf(&b, "\n## Warnings\n\n");
		for (size_t i = 0; i < nw; i++)
			wtext_printf(&b, "- %s\n", json_string_value(json_array_get(warnings, i)));
	}
	if (overlay)
		wtext_printf(&b, "\n## The columns on the image\n\nEach detected column is ringed in the colour of its intensity "
			"class (brighter: heavier).\n\n![columns](%s)\n", overlay);
	wtext_printf(&b, "\nThe full record is report.json; the structure is structure.cif, relaxed in relaxed.cif.\n");
	return wtext_take(&b);
}

/* ------------------------------------------------------------ overlay */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

unsigned char *am_summary_overlay(const am_image *im, const am_colset *cols, size_t max_side, size_t *w, size_t *h)
{
	size_t side = im->w > im->h ? im->w : im->h;
	size_t step = max_side && side > max_side ? (side + max_side - 1) / max_side : 1;
	*w = (im->w + step - 1) / step, *h = (im->h + step - 1) / step;
	size_t n = im->w * im->h, ns = n < 65536 ? n : 65536;
	double *sample = malloc(ns * sizeof *sample);
	unsigned char *rgb = calloc(*w * *h, 3);
	if (!sample || !rgb) {
		free(sample);
		free(rgb);
		return NULL;
	}
	/* percentiles from an even sample of the pixels: a few hot pixels
	 * must not turn the picture black */
	for (size_t i = 0; i < ns; i++)
		sample[i] = im->v[i * (n / ns)];
	qsort(sample, ns, sizeof *sample, cmp_double);
	double lo = sample[ns / 100], hi = sample[ns - 1 - ns / 100];
	free(sample);
	if (!(hi > lo))
		hi = lo + 1;
	for (size_t y = 0; y < *h; y++)
		for (size_t x = 0; x < *w; x++) {
			double v = (im->v[(y * step) * im->w + x * step] - lo) / (hi - lo);
			unsigned char g = (unsigned char)(v < 0 ? 0 : v > 1 ? 255 : lround(v * 255));
			memset(rgb + (y * *w + x) * 3, g, 3);
		}
	/* a ring a little inside half the nearest-neighbour spacing */
	double r = 3;
	if (cols && cols->n > 1) {
		double area = (double)n / (double)cols->n;
		r = fmax(2.0, 0.3 * sqrt(area));
	}
	r /= (double)step;
	for (size_t i = 0; cols && i < cols->n; i++) {
		const unsigned char *c = palette[cols->v[i].cls >= 0 && cols->v[i].cls < 8 ? cols->v[i].cls : 7];
		double cx = cols->v[i].x / (double)step, cy = cols->v[i].y / (double)step;
		for (int k = 0; k < 128; k++) { /* two pixels thick */
			double t = 6.283185307179586 * k / 64.0, rr = r + (k & 1);
			long px = lround(cx + rr * cos(t)), py = lround(cy + rr * sin(t));
			if (px >= 0 && py >= 0 && (size_t)px < *w && (size_t)py < *h)
				memcpy(rgb + ((size_t)py * *w + (size_t)px) * 3, c, 3);
		}
	}
	return rgb;
}
