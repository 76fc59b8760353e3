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
/* The same, and when the table has automat.columns' class and element
 * columns, each column's class and names[class] its element; the classes
 * stay -1 without them. */
int am_op_columns_named(am_colset *c, char (*names)[8], weft_op_ctx *ctx, const weft_host_api *api,
			const char *name);
int am_op_structure(am_struct *s, weft_op_ctx *ctx, const weft_host_api *api, const char *name);
int am_op_set_structure(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *file,
			const am_struct *s);
/* Splits "Mo,S" into symbols (at most 8, into buf); -1 naming a bad one. */
int am_parse_elements(const char *list, char buf[8][4], const char *el[8], size_t *n, char *err, size_t errlen);

/* Ops on the image of input `image` or the structure of input
 * `structure`, which am_with_image / am_with_structure load, check and
 * free around them (plugin.c). */
typedef int am_image_op(am_image *im, weft_op_ctx *ctx, const weft_host_api *api);
typedef int am_struct_op(am_struct *s, weft_op_ctx *ctx, const weft_host_api *api);
int am_with_image(weft_op_ctx *ctx, const weft_host_api *api, am_image_op *body);
int am_with_structure(weft_op_ctx *ctx, const weft_host_api *api, am_struct_op *body);

/* The ops' run functions, by file (ops.c declares the ops). */
weft_op_run_fn am_run_load; /* op_image.c */
am_image_op am_denoise_op, am_quality_op; /* op_image.c */
am_struct_op am_simulate_op; /* op_image.c */
weft_op_run_fn am_run_lattice, am_run_columns, am_run_match, am_run_reconstruct; /* op_struct.c */
weft_op_run_fn am_run_compare, am_run_report; /* op_relax.c */
am_struct_op am_relax_op; /* op_relax.c */
weft_op_run_fn am_run_choose; /* op_agent.c */
weft_op_run_fn am_run_summary; /* op_summary.c */
/* The inputs automat.report reads when given (op_relax.c). */
#define AM_REPORT_N_IN 7
extern const char *const am_report_in[AM_REPORT_N_IN];

extern const weft_plugin_desc am_plugin; /* ops.c */

#endif
