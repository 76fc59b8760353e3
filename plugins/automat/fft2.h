/*
 * fft2.h -- the 2-D real-to-complex FFT of an image, on the image's
 * threads with the same bits on any number of them.
 */
#ifndef AUTOMAT_FFT2_H
#define AUTOMAT_FFT2_H

#include <fftw3.h>
#include <stddef.h>

/* From this many pixels on, the transform is split (see fft2.c). */
#define AM_FFT2_SPLIT_PIXELS ((size_t)1 << 22)

/* The unnormalised forward transform of in (h rows of w) into out (h rows
 * of w / 2 + 1), as fftw_plan_dft_r2c_2d computes it; in is left as it
 * was. `split`: 0 one FFTW 2-D plan on this thread, 1 batches of 1-D
 * transforms over `threads`, -1 split from AM_FFT2_SPLIT_PIXELS on. 0, or
 * -1 when FFTW makes no plan (out of memory). */
int am_fft2_r2c(double *in, fftw_complex *out, size_t w, size_t h, unsigned threads, int split);

#endif
