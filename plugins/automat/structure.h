/*
 * structure.h -- a periodic crystal structure: a cell (lengths in
 * Angstrom, angles in degrees) and atoms at fractional coordinates.
 *
 * AutoMat looks down c: a and b span the image plane, gamma is the angle
 * between them and alpha = beta = 90. The helpers below work in that
 * projection, where an atom column is the atoms that share (x, y).
 */
#ifndef AUTOMAT_STRUCTURE_H
#define AUTOMAT_STRUCTURE_H

#include <stddef.h>

typedef struct am_atom {
	char el[4];     /* element symbol */
	double x, y, z; /* fractional, in [0, 1) after am_struct_wrap */
} am_atom;

typedef struct am_struct {
	char name[64];
	double a, b, c, alpha, beta, gamma;
	am_atom *at;
	size_t n, cap;
} am_struct;

/* An empty structure with cell (a, b, c, 90, 90, gamma). */
void am_struct_init(am_struct *s, const char *name, double a, double b, double c, double gamma);
/* Appends an atom; -1 on allocation failure. */
int am_struct_add(am_struct *s, const char *el, double x, double y, double z);
void am_struct_free(am_struct *s);
/* Wraps every coordinate into [0, 1). */
void am_struct_wrap(am_struct *s);
/* v modulo 1, in [0, 1): a fractional coordinate. */
double am_wrap1(double v);

/* The in-plane lattice vectors as Cartesian columns: a = (A[0], A[1]),
 * b = (A[2], A[3]), with a along x. */
void am_struct_basis2(const am_struct *s, double A[4]);

/* One atom column of the projection down c. */
typedef struct am_column {
	double x, y;   /* fractional */
	double weight; /* sum of Z^1.7 over its atoms: its STEM brightness */
	int natoms;
	int z_max;     /* the heaviest element in it */
	char label[24]; /* e.g. "Mo" or "S2" */
} am_column;

/* The projected columns (atoms within tol Angstrom in-plane merge), in a
 * malloc'd array of *n. NULL on allocation failure. */
am_column *am_struct_columns(const am_struct *s, double tol, size_t *n);

/* Gauss (Lagrange) reduction of a 2-D basis, in place: |a| <= |b|,
 * |a.b| <= |a|^2 / 2, then a.b <= 0, so the angle is 90..120 degrees:
 * the one reduced cell every lattice is compared by. */
void am_reduce2(double a[2], double b[2]);

/* Minimum-image in-plane distance (Angstrom) between fractional points. */
double am_dist2d(const double A[4], double x1, double y1, double x2, double y2);

#endif
