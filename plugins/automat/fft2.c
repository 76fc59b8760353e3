/*
 * fft2.c -- see fft2.h.
 *
 * FFTW's own threaded plans split the work as the planner sees fit for the
 * number of threads, so their bits need not match a one-thread plan's.
 * On a 4096 x 4096 image the one-thread 2-D plan took 0.24 s of each of
 * the three spectra a run makes. Split here instead: the rows in batches
 * of ROWS by one 1-D r2c plan, then the columns in batches of COLS by one
 * in-place 1-D complex plan, each batch on whichever thread takes it.
 * Every row and column goes through the same plan whichever thread runs
 * it, so the result is the same bits on any number of threads (not the
 * 2-D plan's bits: below AM_FFT2_SPLIT_PIXELS, where the time is small,
 * that plan is kept so smaller images' results stay as they were). The
 * batch plans are made FFTW_UNALIGNED, since a batch's rows and columns
 * start wherever they fall (a row of w / 2 + 1 complex values is not a
 * multiple of a vector), and new-array execution needs the alignment the
 * plan was made for.
 */
#include "fft2.h"

#include "par.h"

enum { ROWS = 16, COLS = 8 };

typedef struct fftjob {
	double *in;
	fftw_complex *out;
	size_t w, h, hw, nb;
	fftw_plan full, rest; /* a batch, and the last one when shorter */
	size_t per;           /* rows or columns per batch */
	int cols;
} fftjob;

static void batches(void *arg, size_t lo, size_t hi)
{
	const fftjob *j = arg;
	for (size_t b = lo; b < hi; b++) {
		size_t at = b * j->per, n = at + j->per <= (j->cols ? j->hw : j->h) ? j->per : 0;
		fftw_plan p = n ? j->full : j->rest;
		if (j->cols)
			fftw_execute_dft(p, j->out + at, j->out + at);
		else
			fftw_execute_dft_r2c(p, j->in + at * j->w, j->out + at * j->hw);
	}
}

static int split_r2c(double *in, fftw_complex *out, size_t w, size_t h, unsigned threads)
{
	size_t hw = w / 2 + 1;
	int n = (int)w, m = (int)h, rc = 0;
	unsigned flags = FFTW_ESTIMATE | FFTW_UNALIGNED;
	fftjob r = {in, out, w, h, hw, (h + ROWS - 1) / ROWS, NULL, NULL, ROWS, 0};
	fftjob c = {in, out, w, h, hw, (hw + COLS - 1) / COLS, NULL, NULL, COLS, 1};
	int rrest = (int)(h % ROWS), crest = (int)(hw % COLS);
	/* rows: in-row stride 1, rows w apart in and hw apart out */
	r.full = fftw_plan_many_dft_r2c(1, &n, ROWS, in, NULL, 1, n, out, NULL, 1, (int)hw, flags);
	r.rest = rrest ? fftw_plan_many_dft_r2c(1, &n, rrest, in, NULL, 1, n, out, NULL, 1, (int)hw, flags) : NULL;
	/* columns, in place: down a column hw apart, neighbours 1 apart */
	c.full = fftw_plan_many_dft(1, &m, COLS, out, NULL, (int)hw, 1, out, NULL, (int)hw, 1, FFTW_FORWARD, flags);
	c.rest = crest ? fftw_plan_many_dft(1, &m, crest, out, NULL, (int)hw, 1, out, NULL, (int)hw, 1, FFTW_FORWARD,
					    flags)
		       : NULL;
	if (!r.full || (rrest && !r.rest) || !c.full || (crest && !c.rest))
		rc = -1;
	else {
		/* a batch is a "row" of the split: the rows' batches, then
		 * (all rows done) the columns' */
		am_par_rows(threads, r.nb, batches, &r);
		am_par_rows(threads, c.nb, batches, &c);
	}
	fftw_plan all[4] = {r.full, r.rest, c.full, c.rest};
	for (int i = 0; i < 4; i++)
		if (all[i])
			fftw_destroy_plan(all[i]);
	return rc;
}

int am_fft2_r2c(double *in, fftw_complex *out, size_t w, size_t h, unsigned threads, int split)
{
	if (split < 0)
		split = w * h >= AM_FFT2_SPLIT_PIXELS;
	if (split)
		return split_r2c(in, out, w, h, threads);
	fftw_plan plan = fftw_plan_dft_r2c_2d((int)h, (int)w, in, out, FFTW_ESTIMATE);
	if (!plan)
		return -1;
	fftw_execute(plan);
	fftw_destroy_plan(plan);
	return 0;
}
