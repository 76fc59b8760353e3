/*
 * elements.h -- the periodic-table facts AutoMat needs: atomic number,
 * covalent radius and mass, by symbol. Read-only tables, so any thread
 * may call these.
 */
#ifndef AUTOMAT_ELEMENTS_H
#define AUTOMAT_ELEMENTS_H

#include <stddef.h>

/* Atomic number of a symbol ("Mo", case as written), or 0 if unknown. */
int am_element_z(const char *symbol);
/* The symbol of atomic number z (1..86), or NULL. */
const char *am_element_symbol(int z);
/* Covalent radius in Angstrom (Cordero et al. 2008), 1.5 for gaps. */
double am_element_radius(int z);

/* Sorts n symbols by atomic number, lightest first (unknown ones first). */
void am_element_sort(const char **sym, size_t n);

#endif
