/*
 * notebook.h -- the code of a Jupyter notebook (.ipynb, nbformat 3 and 4)
 * as one Python program: its code cells in order, with IPython's own
 * syntax (line magics, shell escapes, help queries, non-Python cell magics)
 * turned into comments so that the result parses as Python.
 */
#ifndef AUTOSDT_NOTEBOOK_H
#define AUTOSDT_NOTEBOOK_H

#include <stddef.h>

/* Reads the notebook in `json` (`len` bytes). On success returns a
 * malloc'd NUL-terminated program and sets *n_cells to the number of code
 * cells; NULL with err set when it is not a notebook. */
char *sdt_notebook_code(const char *json, size_t len, size_t *n_cells, char *err, size_t errlen);

#endif
