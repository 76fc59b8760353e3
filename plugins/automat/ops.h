/*
 * ops.h -- what the automat op files share: descriptors and the
 * artifacts that pass between ops.
 *
 * - image: a float32 TIFF with the pixel size in its description
 *   (load_image, denoise, simulate's `image` is a 16-bit PNG for people);
 * - lattice: JSON, format automat-lattice/1, with the image's size;
 * - columns: CSV x_px,y_px,intensity;
 * - structures: CIF.
 */
#ifndef AUTOMAT_OPS_H
#define AUTOMAT_OPS_H

#include <jansson.h>
#include <weft/plugin.h>

#include "columns.h"
#include "image.h"
#include "lattice.h"
#include "jsonio.h"
#include "structure.h"

#define ERRLEN 1024

int am_op_image(am_image *im, weft_op_ctx *ctx, const weft_host_api *api, const char *name);
/* Writes im as WORKDIR/file (TIFF) and sets it as output `name`. */
int am_op_set_image(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *file,
		    const am_image *im);
json_t *am_lattice_to_json(const am_lattice *L, double px, size_t w, size_t h);
int am_op_lattice(am_lattice *L, double *px, size_t *w, size_t *h, weft_op_ctx *ctx, const weft_host_api *api,
		  const char *name);
int am_op_columns(am_colset *c, weft_op_ctx *ctx, const weft_host_api *api, const char *name);
int am_op_structure(am_struct *s, weft_op_ctx *ctx, const weft_host_api *api, const char *name);
int am_op_set_structure(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *file,
			const am_struct *s);
/* Splits "Mo,S" into symbols (at most 8, into buf); -1 naming a bad one. */
int am_parse_elements(const char *list, char buf[8][4], const char *el[8], size_t *n, char *err, size_t errlen);

extern const weft_op_desc am_op_simulate, am_op_load_image, am_op_denoise, am_op_quality;           /* op_image.c */
extern const weft_op_desc am_op_lattice_est, am_op_columns_find, am_op_match, am_op_reconstruct;    /* op_struct.c */
extern const weft_op_desc am_op_relax, am_op_compare, am_op_report;                                 /* op_relax.c */
extern const weft_op_desc am_op_choose_line;                                                        /* op_agent.c */

#endif
