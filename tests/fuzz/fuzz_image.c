/* libFuzzer target: AutoMat's PNG reader (through libpng) or, built with
 * -DFUZZ_TIFF, its TIFF reader (through libtiff), on a file holding the
 * input: a microscope image is the first thing a pipeline reads, and it
 * comes from outside. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "image.h"

#ifdef FUZZ_TIFF
#define READ am_tiff_read
#define NAME "fuzz.tiff"
#else
#define READ am_png_read
#define NAME "fuzz.png"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create(NAME, MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	am_image im;
	char err[256];
	if (READ(&im, path, NAME, err, sizeof err) == 0)
		am_image_free(&im);
	close(fd);
	return 0;
}
