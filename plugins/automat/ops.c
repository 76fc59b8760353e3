/*
 * ops.c -- the automat plugin as the engine sees it: every op's name,
 * version, documentation, parameters, inputs and outputs, in one
 * declarative table (the run functions are in op_*.c). A change to an
 * op's behaviour bumps its version here, which enters its cache key.
 */
#include "ops.h"

/* The CPU slots the ops that filter or transform a whole image ask for by
 * default: their per-pixel loops split across them (par.h; the result is
 * the same for any number). A node's `cpus` overrides it, and the engine
 * scales it down to the pool. */
#define AM_PIXEL_CPUS 2

/* ------------------------------------------------------------ op_image.c */

static int run_simulate(weft_op_ctx *ctx, const weft_host_api *api)
{
	return am_with_structure(ctx, api, am_simulate_op);
}

static const weft_param_spec sim_params[] = {
	{"size", WEFT_T_INT, "1024", "image width and height, pixels"},
	{"pixel_size", WEFT_T_FLOAT, "0.1", "Angstrom per pixel"},
	{"rotation", WEFT_T_FLOAT, "17", "angle of a to the image x axis, degrees"},
	{"sigma", WEFT_T_FLOAT, "0.45", "probe width (Gaussian sigma), Angstrom"},
	{"dose", WEFT_T_FLOAT, "2000", "electrons per square Angstrom (0: no shot noise)"},
	{"read_noise", WEFT_T_FLOAT, "0.02", "detector noise, as a share of the brightest column"},
	{"drift", WEFT_T_FLOAT, "0", "sideways drift per scan row, pixels"},
	{"jitter", WEFT_T_FLOAT, "0", "scan-row jitter amplitude, pixels"},
	{"seed", WEFT_T_INT, "1", "noise and origin seed"},
};
static const weft_op_desc am_op_simulate = {
	WEFT_OP_DESC("simulate", "1", run_simulate, WEFT_OP_DETERMINISTIC,
		     "A simulated HAADF-STEM image of a structure (Z^1.7 Gaussian columns, shot and detector noise, scan "
		     "drift): a 16-bit PNG with its pixel size, and the structure as the ground-truth CIF."),
	WEFT_OP_PARAMS(sim_params), WEFT_OP_INPUTS(WEFT_NAMES("structure")), WEFT_OP_OUTPUTS(WEFT_NAMES("image", "truth")),
};
static const weft_param_spec load_params[] = {
	{"pixel_size", WEFT_T_FLOAT, "0", "Angstrom per pixel (0: the one stored in the file)"},
	{"width", WEFT_T_INT, "0", "for raw float32 files: pixels per row"},
	{"height", WEFT_T_INT, "0", "for raw float32 files: rows"},
};
static const weft_op_desc am_op_load_image = {
	WEFT_OP_DESC("load_image", "1", am_run_load, WEFT_OP_DETERMINISTIC,
		     "Reads a PNG (8/16-bit), a TIFF (8/16/32-bit or float) or a raw float32 array, with its pixel size."),
	WEFT_OP_PARAMS(load_params), WEFT_OP_INPUTS(WEFT_NAMES("file")), WEFT_OP_OUTPUTS(WEFT_NAMES("out", "info")),
};
static const char *const img_in[] = {"image"};
static const weft_param_spec denoise_params[] = {
	{"level", WEFT_T_INT, "0",
	 "0: chosen from the measured SNR; 1 Gaussian, 2 median + Gaussian, 3 Bragg mask, 4 narrow Bragg mask"},
};
static int run_denoise(weft_op_ctx *ctx, const weft_host_api *api)
{
	return am_with_image(ctx, api, am_denoise_op);
}

static const weft_op_desc am_op_denoise = {
	WEFT_OP_DESC_CPUS("denoise", "1", run_denoise, WEFT_OP_DETERMINISTIC,
		     "Pattern-adaptive denoising: Gaussian, median or Bragg-mask Fourier filtering, by level.", AM_PIXEL_CPUS),
	WEFT_OP_PARAMS(denoise_params), WEFT_OP_INPUTS(img_in), WEFT_OP_OUTPUTS(WEFT_NAMES("out", "method", "level")),
};
static int run_quality(weft_op_ctx *ctx, const weft_host_api *api)
{
	return am_with_image(ctx, api, am_quality_op);
}

static const weft_param_spec quality_params[] = {
	{"min_periodicity", WEFT_T_FLOAT, "0.35", "share of the spectrum's power on Bragg peaks, at least"},
	{"min_snr", WEFT_T_FLOAT, "1.5", "low-pass std over the noise sigma, at least"},
	{"min_cnr", WEFT_T_FLOAT, "1.0", "Otsu contrast-to-noise, at least"},
	{"level", WEFT_T_INT, "0", "the denoising level the image has had (0: raw), for the `next` output"},
};
static const weft_op_desc am_op_quality = {
	WEFT_OP_DESC_CPUS("quality", "1", run_quality, WEFT_OP_DETERMINISTIC,
		     "The image quality gate: FFT Bragg-peak periodicity, SNR and Otsu CNR, a pass/fail verdict with its "
		     "numbers, the denoising level the noise calls for (`level`) and the agent's next level after a "
		     "failure (`next`, -1: stop).", AM_PIXEL_CPUS),
	WEFT_OP_PARAMS(quality_params), WEFT_OP_INPUTS(img_in), WEFT_OP_OUTPUTS(WEFT_NAMES("report", "pass", "verdict", "level", "next", "periodicity")),
};

/* ------------------------------------------------------------ op_struct.c */

static const weft_param_spec lattice_params[] = {
	{"min_periodicity", WEFT_T_FLOAT, "0.2", "refuse a lattice that explains less of the spectrum"},
};
static const weft_op_desc am_op_lattice_est = {
	WEFT_OP_DESC_CPUS("lattice", "1", am_run_lattice, WEFT_OP_DETERMINISTIC,
		     "Template-free lattice: Hann-windowed FFT, sub-pixel Bragg peaks, the two shortest non-collinear "
		     "reciprocal vectors voted on integer multiples for the minimal cell, least-squares refined.", AM_PIXEL_CPUS),
	WEFT_OP_PARAMS(lattice_params), WEFT_OP_INPUTS(WEFT_NAMES("image")), WEFT_OP_OUTPUTS(WEFT_NAMES("out", "a", "b", "gamma")),
};
static const weft_param_spec columns_params[] = {
	{"elements", WEFT_T_STRING, "\"\"", "when given: an intensity class and an element per column (brightest heaviest)"},
};
static const weft_op_desc am_op_columns_find = {
	WEFT_OP_DESC_CPUS("columns", "3", am_run_columns, WEFT_OP_DETERMINISTIC,
		     "Atom columns: a threshold, connected components, local maxima and a 2-D Gaussian sub-pixel fit; CSV "
		     "of x, y and intensity, and with `elements` each column's species by 1-D k-means on intensity.", AM_PIXEL_CPUS),
	WEFT_OP_PARAMS(columns_params), WEFT_OP_INPUTS(WEFT_NAMES("image", "lattice")), WEFT_OP_OUTPUTS(WEFT_NAMES("out", "count")),
};
static const weft_param_spec match_params[] = {
	{"elements", WEFT_T_STRING, "\"\"", "elements in the sample, e.g. Mo,S (empty: any template)"},
	{"min_score", WEFT_T_FLOAT, "0.5", "a template below this does not match"},
};
static const weft_op_desc am_op_match = {
	WEFT_OP_DESC("match_template", "1", am_run_match, WEFT_OP_DETERMINISTIC,
		     "Template retrieval: the templates ranked by intensity-weighted distance-histogram similarity times "
		     "lattice agreement, among those with the given elements."),
	WEFT_OP_PARAMS(match_params), WEFT_OP_INPUTS(WEFT_NAMES("columns", "lattice", "library")), WEFT_OP_OUTPUTS(WEFT_NAMES("report", "matched", "template", "score")),
};
static const weft_param_spec recon_params[] = {
	{"template", WEFT_T_STRING, "\"\"", "a library template to fit to the lattice (empty: template-free)"},
	{"elements", WEFT_T_STRING, "\"\"", "template-free: the elements, brightest heaviest"},
	{"merge_tol", WEFT_T_FLOAT, "0.4", "template-free: columns closer than this (Angstrom) in the cell are one site"},
	{"min_support", WEFT_T_FLOAT, "0.3", "template-free: a site seen in fewer cells than this share of the best is noise"},
	{"vacuum", WEFT_T_FLOAT, "20", "template-free: c of the written cell, Angstrom"},
};
static const weft_op_desc am_op_reconstruct = {
	WEFT_OP_DESC("reconstruct", "1", am_run_reconstruct, WEFT_OP_DETERMINISTIC,
		     "The crystal structure as a CIF: a template fitted to the measured lattice, or (template-free) the "
		     "minimal cell with sites merged by periodic union-find and species by brightness."),
	WEFT_OP_PARAMS(recon_params), WEFT_OP_INPUTS(WEFT_NAMES("columns", "lattice", "library?")), WEFT_OP_OUTPUTS(WEFT_NAMES("out", "report")),
};

/* ------------------------------------------------------------ op_relax.c */

static int run_relax(weft_op_ctx *ctx, const weft_host_api *api)
{
	return am_with_structure(ctx, api, am_relax_op);
}

static const weft_param_spec relax_params[] = {
	{"fmax", WEFT_T_FLOAT, "0.01", "converged when every force is below this, eV/Angstrom"},
	{"max_steps", WEFT_T_INT, "3000", "FIRE steps at most"},
};
static const weft_op_desc am_op_relax = {
	WEFT_OP_DESC("relax", "1", run_relax, WEFT_OP_DETERMINISTIC,
		     "Classical relaxation of the atom positions (FIRE) with an empirical Morse potential, a stand-in for "
		     "the paper's ML potential; energy per atom."),
	WEFT_OP_PARAMS(relax_params), WEFT_OP_INPUTS(WEFT_NAMES("structure")), WEFT_OP_OUTPUTS(WEFT_NAMES("out", "report", "energy")),
};
static const weft_param_spec cmp_params[] = {
	{"ltol", WEFT_T_FLOAT, "0.05", "relative tolerance on the lattice lengths"},
	{"atol", WEFT_T_FLOAT, "3", "tolerance on the angle, degrees"},
	{"stol", WEFT_T_FLOAT, "0.5", "largest column displacement, Angstrom"},
};
static const weft_op_desc am_op_compare = {
	WEFT_OP_DESC("compare", "1", am_run_compare, WEFT_OP_DETERMINISTIC,
		     "Structure matching of two CIFs in projection: reduced lattices within tolerance, columns mapped under "
		     "periodic shifts and changes of basis, RMSD."),
	WEFT_OP_PARAMS(cmp_params), WEFT_OP_INPUTS(WEFT_NAMES("a", "b")), WEFT_OP_OUTPUTS(WEFT_NAMES("report", "match")),
};
static const weft_op_desc am_op_report = {
	WEFT_OP_DESC("report", "1", am_run_report, WEFT_OP_DETERMINISTIC,
		     "One JSON report from the stages' reports (quality, lattice, match, choice, reconstruct, relax, compare; any "
		     "may be absent)."),
	WEFT_OP_INPUTS(am_report_in), WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};

/* ------------------------------------------------------------ op_summary.c */

static const weft_op_desc am_op_summary = {
	WEFT_OP_DESC("summary", "1", am_run_summary, WEFT_OP_DETERMINISTIC,
		     "The page a person reads: summary.md (the result, each stage's figures, the warnings), overlay.png "
		     "(the image with each column ringed in its class's colour), the warnings that say the result is "
		     "physically implausible (a positive relaxed energy per atom, large relaxation moves, a template "
		     "line on a template under min_score, no template near the image, a weak lattice, a mismatch with "
		     "the reference), and plausible (no warning)."),
	WEFT_OP_INPUTS(WEFT_NAMES("report", "image", "columns")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("md", "png", "warnings", "plausible")),
};

/* ------------------------------------------------------------ op_agent.c */

static const weft_op_desc am_op_choose_line = {
	WEFT_OP_DESC("choose_line", "2", am_run_choose, WEFT_OP_DETERMINISTIC | WEFT_OP_RETRYABLE | WEFT_OP_USES_LLM,
		     "The agent's choice of line: match_template's verdict (the rule), or, when the run has an LLM "
		     "(weft.yaml `llm:` or the node's llm), the model reading the quality and match reports, checked "
		     "against the ranking and falling back on the rule."),
	WEFT_OP_INPUTS(WEFT_NAMES("match", "quality")), WEFT_OP_OUTPUTS(WEFT_NAMES("report", "matched", "template", "decided_by")),
};

static const weft_op_desc *const ops[] = {&am_op_simulate, &am_op_load_image, &am_op_denoise,  &am_op_quality,
					  &am_op_lattice_est, &am_op_columns_find, &am_op_match, &am_op_reconstruct,
					  &am_op_choose_line, &am_op_relax, &am_op_compare, &am_op_report, &am_op_summary};

const weft_plugin_desc am_plugin =
	WEFT_PLUGIN_DESC("automat", "1.0.0", "MIT",
			 "AutoMat (2025): STEM image -> denoising -> quality gate -> template retrieval or "
			 "template-free reconstruction -> CIF -> classical relaxation.",
			 ops);
