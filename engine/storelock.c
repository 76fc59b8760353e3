/* storelock.c -- see storelock.h. */
#include "storelock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "util.h"

int weft_store_lock(int *fd, const char *store_dir, int exclusive, int wait)
{
	*fd = -1;
	char *path = weft_path_join(store_dir, "lock");
	if (!path)
		return weft_err_set(WEFT_ERROR, "out of memory");
	int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (f < 0) {
		int rc = weft_err_set(WEFT_EIO, "cannot open the store lock %s: %s; check that the store directory "
						"is writable", path, strerror(errno));
		free(path);
		return rc;
	}
	int op = (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB);
	int r;
	while ((r = flock(f, op)) != 0 && errno == EINTR)
		;
	if (r != 0) {
		int e = errno;
		close(f);
		int rc = e == EWOULDBLOCK
				 ? weft_err_set(WEFT_EIO,
						exclusive ? "the store %s is in use by a running weft (run or "
							    "resume); run "
							    "`weft cache gc` again when it has finished"
							  : "the store %s is being garbage-collected (weft cache "
							    "gc); wait for it",
						store_dir)
				 : weft_err_set(WEFT_EIO, "cannot lock %s: %s; check that the store is on a "
							  "filesystem with locks (not some network mounts)", path, strerror(e));
		free(path);
		return rc;
	}
	free(path);
	*fd = f;
	return WEFT_OK;
}

void weft_store_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* closing the file releases the flock */
}
