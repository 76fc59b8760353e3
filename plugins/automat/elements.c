/*
 * elements.c -- see elements.h. Radii: B. Cordero et al., "Covalent radii
 * revisited", Dalton Trans. 2008, 2832 (single-bond values, sp3 for C).
 */
#include "elements.h"

#include <string.h>

static const char *const symbols[] = {
	"",   "H",  "He", "Li", "Be", "B",  "C",  "N",  "O",  "F",  "Ne", "Na", "Mg", "Al", "Si", "P",  "S",  "Cl",
	"Ar", "K",  "Ca", "Sc", "Ti", "V",  "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge", "As", "Se", "Br",
	"Kr", "Rb", "Sr", "Y",  "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I",
	"Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu",
	"Hf", "Ta", "W",  "Re", "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po", "At", "Rn"};
enum { NZ = sizeof symbols / sizeof *symbols };

static const double radii[NZ] = {
	0,    0.31, 0.28, 1.28, 0.96, 0.84, 0.76, 0.71, 0.66, 0.57, 0.58, 1.66, 1.41, 1.21, 1.11, 1.07, 1.05, 1.02,
	1.06, 2.03, 1.76, 1.70, 1.60, 1.53, 1.39, 1.39, 1.32, 1.26, 1.24, 1.32, 1.22, 1.22, 1.20, 1.19, 1.20, 1.20,
	1.16, 2.20, 1.95, 1.90, 1.75, 1.64, 1.54, 1.47, 1.46, 1.42, 1.39, 1.45, 1.44, 1.42, 1.39, 1.39, 1.38, 1.39,
	1.40, 2.44, 2.15, 2.07, 2.04, 2.03, 2.01, 1.99, 1.98, 1.98, 1.96, 1.94, 1.92, 1.92, 1.89, 1.90, 1.87, 1.87,
	1.75, 1.70, 1.62, 1.51, 1.44, 1.41, 1.36, 1.36, 1.32, 1.45, 1.46, 1.48, 1.40, 1.50, 1.50};

int am_element_z(const char *symbol)
{
	for (int z = 1; z < NZ; z++)
		if (!strcmp(symbols[z], symbol))
			return z;
	return 0;
}

const char *am_element_symbol(int z)
{
	return z >= 1 && z < NZ ? symbols[z] : NULL;
}

double am_element_radius(int z)
{
	return z >= 1 && z < NZ && radii[z] > 0 ? radii[z] : 1.5;
}

void am_element_sort(const char **sym, size_t n)
{
	for (size_t i = 1; i < n; i++) /* insertion sort: n <= 8 */
		for (size_t j = i; j > 0 && am_element_z(sym[j - 1]) > am_element_z(sym[j]); j--) {
			const char *t = sym[j];
			sym[j] = sym[j - 1], sym[j - 1] = t;
		}
}
