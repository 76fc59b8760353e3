/* Unit tests of the image readers and writers and of the simulator. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tiffio.h>

#include "cif.h"
#include "fft2.h"
#include "filter.h"
#include "image.h"
#include "par.h"
#include "quality.h"
#include "rng.h"
#include "spectrum.h"
#include "sim.h"
#include "sortd.h"

static char *tmpfile_path(void)
{
	char *p = strdup("/tmp/automat-img-XXXXXX");
	int fd = mkstemp(p);
	assert_true(fd >= 0);
	close(fd);
	return p;
}

static void ramp(am_image *im, size_t w, size_t h)
{
	assert_int_equal(am_image_new(im, w, h, 0.125), 0);
	for (size_t y = 0; y < h; y++)
		for (size_t x = 0; x < w; x++)
			im->v[y * w + x] = sin(0.3 * (double)x) * cos(0.2 * (double)y) * 100 + 50;
}

static void test_formats(void **state)
{
	(void)state;
	am_image im, r;
	char err[256], *p = tmpfile_path();
	ramp(&im, 37, 23);
	/* float TIFF: exact to float precision, pixel size kept */
	assert_int_equal(am_image_write_tiff(p, &im, err, sizeof err), 0);
	assert_int_equal(am_image_read(&r, p, "t.tiff", 0, 0, 0, err, sizeof err), 0);
	assert_int_equal(r.w, 37);
	assert_int_equal(r.h, 23);
	assert_true(fabs(r.px - 0.125) < 1e-12);
	for (size_t i = 0; i < 37 * 23; i++)
		assert_true(fabs(r.v[i] - im.v[i]) < 1e-4);
	am_image_free(&r);
	/* 16-bit PNG: the same up to one grey level of 65535 across the range */
	assert_int_equal(am_image_write_png(p, &im, -50, 150, err, sizeof err), 0);
	assert_int_equal(am_image_read(&r, p, "t.png", 0, 0, 0, err, sizeof err), 0);
	assert_true(fabs(r.px - 0.125) < 1e-9);
	for (size_t i = 0; i < 37 * 23; i++)
		assert_true(fabs(r.v[i] / 65535.0 * 200 - 50 - im.v[i]) < 200.0 / 65535);
	am_image_free(&r);
	/* a caller's pixel size wins over the file's */
	assert_int_equal(am_image_read(&r, p, "t.png", 0, 0, 0.5, err, sizeof err), 0);
	assert_true(fabs(r.px - 0.5) < 1e-12);
	am_image_free(&r);
	/* raw float32 needs its size, and the size must fit the bytes */
	assert_int_equal(am_image_write_raw(p, &im, err, sizeof err), 0);
	assert_int_equal(am_image_read(&r, p, "t.raw", 37, 23, 0.1, err, sizeof err), 0);
	assert_true(fabs(r.v[100] - im.v[100]) < 1e-4);
	am_image_free(&r);
	assert_int_equal(am_image_read(&r, p, "t.raw", 0, 0, 0.1, err, sizeof err), -1);
	assert_non_null(strstr(err, "t.raw is neither PNG nor TIFF; for a raw float32 array give its width and height"));
	assert_int_equal(am_image_read(&r, p, "t.raw", 36, 23, 0.1, err, sizeof err), -1);
	if (!strstr(err, "t.raw has 3404 bytes, but a 36 x 23 float32 array needs 3312"))
		fail_msg("%s", err);
	remove(p);
	free(p);
	am_image_free(&im);
}

/* A 16-bit grayscale TIFF as a microscope writes it: read as its counts. */
static void test_tiff16(void **state)
{
	(void)state;
	char *p = tmpfile_path(), err[256];
	TIFF *t = TIFFOpen(p, "w");
	assert_non_null(t);
	TIFFSetField(t, TIFFTAG_IMAGEWIDTH, 40);
	TIFFSetField(t, TIFFTAG_IMAGELENGTH, 10);
	TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 16);
	TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
	TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
	TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
	TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_LZW);
	uint16_t row[40];
	for (uint32_t y = 0; y < 10; y++) {
		for (int x = 0; x < 40; x++)
			row[x] = (uint16_t)(1000 * y + 1500 * x);
		assert_true(TIFFWriteScanline(t, row, y, 0) >= 0);
	}
	TIFFClose(t);
	am_image im;
	assert_int_equal(am_image_read(&im, p, "t16.tiff", 0, 0, 0.2, err, sizeof err), 0);
	assert_int_equal(im.w, 40);
	assert_true(fabs(im.v[3 * 40 + 39] - (3000 + 1500 * 39)) < 1e-9);
	assert_true(fabs(im.px - 0.2) < 1e-12);
	am_image_free(&im);
	remove(p);
	free(p);
}

static void test_bad_files(void **state)
{
	(void)state;
	am_image im, r;
	char err[256], *p = tmpfile_path(), *q = tmpfile_path();
	ramp(&im, 300, 200);
	assert_int_equal(am_image_write_png(p, &im, 0, 0, err, sizeof err), 0);
	/* cut the PNG in half */
	FILE *f = fopen(p, "rb");
	char buf[200000];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	f = fopen(q, "wb");
	fwrite(buf, 1, n / 2, f);
	fclose(f);
	assert_int_equal(am_image_read(&r, q, "half.png", 0, 0, 0, err, sizeof err), -1);
	assert_non_null(strstr(err, "half.png is truncated or corrupt"));
	/* a chunk header with nothing after it, claiming ~2 GB: refused before
	 * libpng allocates it (the fuzzer's out-of-memory reproducer) */
	static const unsigned char tail[] = {0x7b, 0x00, 0x00, 0x0e, 't', 'E', 'X', 't'};
	f = fopen(q, "wb");
	assert_int_equal(fwrite(buf, 1, 33, f), 33); /* signature + IHDR */
	assert_int_equal(fwrite(tail, 1, sizeof tail, f), sizeof tail);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(am_image_read(&r, q, "tail.png", 0, 0, 0, err, sizeof err), -1);
	assert_non_null(strstr(err, "tail.png is truncated or corrupt (chunk tEXt at byte 33"));
	/* the same for a TIFF */
	assert_int_equal(am_image_write_tiff(p, &im, err, sizeof err), 0);
	f = fopen(p, "rb");
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	f = fopen(q, "wb");
	fwrite(buf, 1, n / 3, f);
	fclose(f);
	assert_int_equal(am_image_read(&r, q, "third.tiff", 0, 0, 0, err, sizeof err), -1);
	assert_non_null(strstr(err, "third.tiff"));
	/* empty */
	f = fopen(q, "wb");
	fclose(f);
	assert_int_equal(am_image_read(&r, q, "empty.png", 0, 0, 0, err, sizeof err), -1);
	assert_non_null(strstr(err, "empty.png is empty"));
	remove(p), remove(q);
	free(p), free(q);
	am_image_free(&im);
}

/* Files whose headers claim more than they hold (found by fuzz_png and
 * fuzz_tiff): refused before anything that size is allocated. */
static void test_claims_beyond_the_file(void **state)
{
	(void)state;
	am_image r;
	char err[256], *q = tmpfile_path();
	/* a valid 8x8 header, then a chunk claiming 0x7e000000 bytes */
	static const unsigned char png[] = {
		0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 8, 0, 0, 0, 8, 8,
		0, 0, 0, 0, 0xe1, 0x64, 0xe1, 0x57, 0x7e, 0, 0, 0, 't', 'E', 'X', 't', 'a', 'b', 'c', 'd'};
	FILE *f = fopen(q, "wb");
	fwrite(png, 1, sizeof png, f);
	fclose(f);
	assert_int_equal(am_png_read(&r, q, "claims.png", err, sizeof err), -1);
	assert_non_null(strstr(err, "claims 2113929216 bytes"));
	/* a header of 65536 x 65536: more pixels than are ever read */
	am_image big;
	assert_int_equal(am_image_new(&big, 65536, 65536, 0), -1);
	assert_int_equal(am_image_new(&big, 8192, 8192, 0), 0);
	am_image_free(&big);
	remove(q);
	free(q);
}

/* The brightest pixel of a lone column sits where the simulator put it,
 * and heavier columns are brighter by Z^1.7. */
static void test_simulator(void **state)
{
	(void)state;
	am_struct s;
	char err[256];
	am_struct_init(&s, "square", 10, 10, 5, 90);
	am_struct_add(&s, "Mo", 0, 0, 0.5);
	am_struct_add(&s, "S", 0.5, 0.5, 0.5);
	am_sim_opts o = AM_SIM_OPTS_INIT;
	o.w = o.h = 200, o.px = 0.1, o.background = 0, o.read_noise = 0, o.dose = 0;
	am_image im;
	assert_int_equal(am_simulate(&im, &s, &o, err, sizeof err), 0);
	double mx = 0, mn = INFINITY;
	for (size_t i = 0; i < 200 * 200; i++)
		mx = im.v[i] > mx ? im.v[i] : mx;
	assert_true(fabs(mx - 1.0) < 0.02); /* Mo's peak is the unit */
	/* S columns: the local maxima below the Mo level */
	for (size_t y = 1; y < 199; y++)
		for (size_t x = 1; x < 199; x++) {
			double v = im.v[y * 200 + x];
			if (v > 0.1 && v < 0.5 && v >= im.v[y * 200 + x - 1] && v >= im.v[y * 200 + x + 1] &&
			    v >= im.v[(y - 1) * 200 + x] && v >= im.v[(y + 1) * 200 + x])
				mn = v < mn ? v : mn;
		}
	assert_true(fabs(mn - pow(16.0 / 42, 1.7)) < 0.02);
	am_image_free(&im);
	/* with a dose, the mean count follows it */
	o.dose = 1000, o.background = 0.1, o.seed = 4;
	assert_int_equal(am_simulate(&im, &s, &o, err, sizeof err), 0);
	double mean, sd;
	am_image_stats(&im, &mean, &sd);
	am_sim_opts o0 = o;
	o0.dose = 0;
	am_image clean;
	assert_int_equal(am_simulate(&clean, &s, &o0, err, sizeof err), 0);
	double cm, csd;
	am_image_stats(&clean, &cm, &csd);
	assert_true(fabs(mean / (cm * 1000 * 0.01) - 1) < 0.01);
	am_image_free(&im), am_image_free(&clean);
	am_struct_free(&s);
}

/* PNGs and TIFFs cut at every length and with random bytes flipped are
 * read or refused with the file's name; never a crash (the ASan build
 * runs this). */
static void test_damaged(void **state)
{
	(void)state;
	am_image im, r;
	char err[256], *p = tmpfile_path(), *q = tmpfile_path();
	ramp(&im, 40, 30);
	for (int fmt = 0; fmt < 2; fmt++) {
		assert_int_equal(fmt ? am_image_write_tiff(p, &im, err, sizeof err)
				     : am_image_write_png(p, &im, 0, 0, err, sizeof err), 0);
		FILE *f = fopen(p, "rb");
		static unsigned char orig[20000], buf[20000];
		size_t n = fread(orig, 1, sizeof orig, f);
		fclose(f);
		uint64_t seed = 5;
		int refused = 0;
		for (int round = 0; round < 400; round++) {
			memcpy(buf, orig, n);
			size_t len = round < 200 ? n * (size_t)round / 200 + 1 : n; /* cut, then flip */
			for (int e = 0; round >= 200 && e < 4; e++)
				buf[8 + wrng_splitmix(&seed) % (n - 8)] ^= (unsigned char)(1 + wrng_splitmix(&seed) % 255);
			f = fopen(q, "wb");
			fwrite(buf, 1, len, f);
			fclose(f);
			if (am_image_read(&r, q, "damaged", 0, 0, 0.1, err, sizeof err) == 0) {
				assert_true(r.w > 0 && r.h > 0);
				am_image_free(&r);
			} else {
				assert_non_null(strstr(err, "damaged"));
				refused++;
			}
		}
		assert_true(refused > 150);
	}
	remove(p), remove(q);
	free(p), free(q);
	am_image_free(&im);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The radix sort and the selection behind every median and percentile
 * agree with qsort: both signs, zeros, repeats, infinities, sizes on each
 * side of the radix threshold, sorted and reversed input (quickselect's
 * bad cases), and every order statistic of small arrays. */
static void test_sort_and_select(void **state)
{
	(void)state;
	const size_t sizes[] = {1, 2, 3, 9, 25, 100, 65535, 65536, 300000};
	uint64_t s = 5;
	for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
		for (int kind = 0; kind < 5; kind++) {
			size_t n = sizes[si];
			double *v = malloc(n * sizeof *v), *w = malloc(n * sizeof *w), *u = malloc(n * sizeof *u);
			assert_true(v && w && u);
			for (size_t i = 0; i < n; i++) {
				s = s * 6364136223846793005ULL + 1442695040888963407ULL;
				double r = (double)(s >> 11) / 9007199254740992.0;
				v[i] = kind == 0   ? (r - 0.5) * 1e6
				       : kind == 1 ? (double)(s % 7) - 3 /* repeats, with zeros */
				       : kind == 2 ? (double)i           /* sorted */
				       : kind == 3 ? (double)(n - i)     /* reversed */
						   : 1000 + r * 1e-9;    /* one key digit wide: narrowed again */
				if (kind == 0 && i % 97 == 5)
					v[i] = i % 2 ? INFINITY : -INFINITY;
			}
			memcpy(w, v, n * sizeof *v);
			qsort(w, n, sizeof *w, cmp_d);
			memcpy(u, v, n * sizeof *v);
			wsort_doubles(u, n);
			assert_memory_equal(u, w, n * sizeof *u);
			size_t ks[] = {0, n / 20, n / 2, n * 9 / 10, n - 1};
			for (size_t q = 0; q < 5; q++) {
				memcpy(u, v, n * sizeof *v);
				assert_true(wsel_double(u, n, ks[q]) == w[ks[q]]);
				/* still a permutation of v (callers read it again) */
				wsort_doubles(u, n);
				assert_memory_equal(u, w, n * sizeof *u);
			}
			for (size_t k = 0; n <= 25 && k < n; k++) {
				memcpy(u, v, n * sizeof *v);
				assert_true(wsel_double(u, n, k) == w[k]);
			}
			free(v);
			free(w);
			free(u);
		}
}

/* The 3 x 3 median filter (an exchange network) against each pixel's
 * nine clamped neighbours sorted, on noise with repeated values, and on
 * the smallest images it takes. */
static void test_median3(void **state)
{
	(void)state;
	const size_t dims[][2] = {{37, 23}, {3, 3}, {3, 8}, {64, 3}};
	uint64_t s = 11;
	for (size_t d = 0; d < 4; d++) {
		size_t w = dims[d][0], h = dims[d][1];
		am_image im;
		assert_int_equal(am_image_new(&im, w, h, 0.1), 0);
		for (size_t i = 0; i < w * h; i++) {
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			im.v[i] = (double)((s >> 33) % 13) - 6 + (i % 5 == 0 ? 0.5 : 0);
		}
		double *want = malloc(w * h * sizeof *want);
		assert_non_null(want);
		for (size_t y = 0; y < h; y++)
			for (size_t x = 0; x < w; x++) {
				double nb[9];
				size_t k = 0;
				for (long dy = -1; dy <= 1; dy++)
					for (long dx = -1; dx <= 1; dx++) {
						long yy = (long)y + dy, xx = (long)x + dx;
						yy = yy < 0 ? 0 : yy >= (long)h ? (long)h - 1 : yy;
						xx = xx < 0 ? 0 : xx >= (long)w ? (long)w - 1 : xx;
						nb[k++] = im.v[(size_t)yy * w + (size_t)xx];
					}
				qsort(nb, 9, sizeof *nb, cmp_d);
				want[y * w + x] = nb[4];
			}
		assert_int_equal(am_filter_median(&im, 1), 0);
		assert_memory_equal(im.v, want, w * h * sizeof *want);
		free(want);
		am_image_free(&im);
	}
}

/* am_par_rows: every row once, in as many parts as asked (64 rows a part
 * at least), each part on its own thread. */
typedef struct rows_seen {
	int hits[1000];
	int parts;
} rows_seen;

static void count_rows(void *arg, size_t lo, size_t hi)
{
	rows_seen *r = arg;
	__atomic_add_fetch(&r->parts, 1, __ATOMIC_RELAXED);
	for (size_t y = lo; y < hi; y++)
		r->hits[y]++; /* the parts' rows are disjoint */
}

static void test_par_rows(void **state)
{
	(void)state;
	const size_t ns[] = {0, 1, 63, 128, 1000};
	const unsigned ts[] = {0, 1, 2, 3, 8};
	for (size_t a = 0; a < 5; a++)
		for (size_t b = 0; b < 5; b++) {
			rows_seen *r = calloc(1, sizeof *r);
			assert_non_null(r);
			am_par_rows(ts[b], ns[a], count_rows, r);
			size_t want = ts[b] < 2 || ns[a] / 64 < 2 ? 1 : ts[b] < ns[a] / 64 ? ts[b] : ns[a] / 64;
			assert_int_equal(r->parts, want);
			for (size_t y = 0; y < 1000; y++)
				assert_int_equal(r->hits[y], y < ns[a] ? 1 : 0);
			free(r);
		}
}

/* The filters and the spectrum give the same bits on any number of
 * threads (the ops pass the node's CPU slots). */
static void test_threads_same_bits(void **state)
{
	(void)state;
	am_image one, many;
	assert_int_equal(am_image_new(&one, 301, 517, 0.1), 0);
	uint64_t s = 5;
	for (size_t i = 0; i < one.w * one.h; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		one.v[i] = (double)(s >> 11) / 9007199254740992.0 + sin((double)i * 0.01);
	}
	for (int step = 0; step < 4; step++) {
		assert_int_equal(am_image_copy(&many, &one), 0);
		many.threads = 4;
		switch (step) {
		case 0:
			assert_int_equal(am_filter_gaussian(&one, 1.5), 0);
			assert_int_equal(am_filter_gaussian(&many, 1.5), 0);
			break;
		case 1:
			assert_int_equal(am_filter_median(&one, 1), 0);
			assert_int_equal(am_filter_median(&many, 1), 0);
			break;
		case 2:
			assert_int_equal(am_filter_median(&one, 2), 0);
			assert_int_equal(am_filter_median(&many, 2), 0);
			break;
		default: {
			am_spectrum a, b;
			char err[128];
			assert_int_equal(am_spectrum_compute(&a, &one, err, sizeof err), 0);
			assert_int_equal(am_spectrum_compute(&b, &many, err, sizeof err), 0);
			assert_memory_equal(a.p, b.p, a.h * a.hw * sizeof *a.p);
			assert_memory_equal(&a.floor, &b.floor, sizeof a.floor);
			/* the peak scan in 4 parts keeps the one-part list:
			 * hundreds of noise maxima above the floor, 48 kept */
			am_peak pa[48], pb[48];
			size_t na = am_spectrum_peaks(&a, 0.01, 0.5, 1.0, pa, 48);
			size_t nb = am_spectrum_peaks(&b, 0.01, 0.5, 1.0, pb, 48);
			assert_int_equal(a.threads, 0);
			assert_int_equal(b.threads, 4);
			assert_int_equal(na, 48);
			assert_int_equal(nb, 48);
			assert_memory_equal(pa, pb, sizeof pa);
			am_spectrum_free(&a);
			am_spectrum_free(&b);
		}
		}
		assert_int_equal(many.threads, 4); /* a copy keeps it */
		assert_memory_equal(one.v, many.v, one.w * one.h * sizeof *one.v);
		am_image_free(&many);
	}
	/* The noise estimate (155,617 pixels: the counted, threaded path) is
	 * wmad_sigma of the residual to the bit, on 1 thread and on 4. */
	am_image lo, many_im;
	assert_int_equal(am_image_copy(&lo, &one), 0);
	assert_int_equal(am_filter_gaussian(&lo, 1.5), 0);
	assert_int_equal(am_image_copy(&many_im, &one), 0);
	many_im.threads = 4;
	size_t n = one.w * one.h;
	double *d = malloc(n * sizeof *d);
	assert_non_null(d);
	for (size_t i = 0; i < n; i++)
		d[i] = one.v[i] - lo.v[i];
	double want = wmad_sigma(d, n), got1 = am_noise_sigma_from(&one, &lo), got4 = am_noise_sigma_from(&many_im, &lo);
	assert_true(want > 0);
	assert_memory_equal(&got1, &want, sizeof want);
	assert_memory_equal(&got4, &want, sizeof want);
	/* Otsu's threshold, counted in parts */
	double t1 = am_otsu(lo.v, n, 1), t4 = am_otsu(lo.v, n, 4);
	assert_true(t1 > lo.v[0] - 10 && t1 < lo.v[0] + 10);
	assert_memory_equal(&t1, &t4, sizeof t1);
	free(d);
	am_image_free(&many_im);
	am_image_free(&lo);
	am_image_free(&one);
}

/* The split FFT (fft2.c): the same bits on 1 and 4 threads, and the 2-D
 * plan's values to rounding, on an image large enough that both the row
 * and the column batches run on two threads, each with a shorter last
 * batch (2,049 rows: 128 of 16 and 1; 1,026 columns: 128 of 8 and 2). */
static void test_fft2_split(void **state)
{
	(void)state;
	size_t w = 2050, h = 2049, hw = w / 2 + 1;
	double *in = fftw_malloc(w * h * sizeof *in);
	fftw_complex *a = fftw_malloc(h * hw * sizeof *a), *b = fftw_malloc(h * hw * sizeof *b),
		     *c = fftw_malloc(h * hw * sizeof *c);
	assert_true(in && a && b && c);
	uint64_t s = 9;
	for (size_t i = 0; i < w * h; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		in[i] = (double)(s >> 11) / 9007199254740992.0 + cos((double)(i % w) * 0.7) * sin((double)(i / w) * 0.3);
	}
	double first = in[12345];
	assert_int_equal(am_fft2_r2c(in, a, w, h, 1, 1), 0);
	assert_int_equal(am_fft2_r2c(in, b, w, h, 4, 1), 0);
	assert_int_equal(am_fft2_r2c(in, c, w, h, 1, 0), 0);
	assert_true(in[12345] == first); /* the input is kept */
	assert_memory_equal(a, b, h * hw * sizeof *a);
	double big = 0, off = 0;
	for (size_t i = 0; i < h * hw; i++)
		for (int k = 0; k < 2; k++) {
			big = fmax(big, fabs(c[i][k]));
			off = fmax(off, fabs(a[i][k] - c[i][k]));
		}
	assert_true(big > 1e5 && off < 1e-12 * big);
	fftw_free(in), fftw_free(a), fftw_free(b), fftw_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_and_select),
		cmocka_unit_test(test_median3),
		cmocka_unit_test(test_par_rows),
		cmocka_unit_test(test_threads_same_bits),
		cmocka_unit_test(test_fft2_split),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_tiff16),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_claims_beyond_the_file),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_simulator),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
