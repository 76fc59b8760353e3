/*
 * workdirs.h -- ops' work directories, kept and handed out again within
 * one process.
 *
 * An op that asks for a work directory gets an empty one that no other
 * running op has. Making one per node and removing it after cost more than
 * the shell command it held: on ext4 without a journal, allocating an inode
 * skips (reading each one's table block) every inode freed in the last 30
 * seconds, so a run that freed one inode per node made each later file and
 * directory creation slower, its own and its commands'. perf put that at a
 * fifth of all CPU time of a 4,000-node shell DAG at -j2. A directory that
 * its op left empty is therefore kept and given to the next op that asks
 * under the same parent; what is kept goes with the run's tmp directory.
 *
 * Each directory comes with a descriptor kept open beside it: the store
 * moves an output out of it by name (openat, renameat), the emptiness
 * check reads it from the start (lseek, getdents64) and a kept one is
 * checked through it (fstat), where each of these walked the directory's
 * path (six components in a run's store) or opened and closed it.
 *
 * Only this process's own, finished ops' directories are reused, so a
 * directory is never handed to two ops at once, and none made by an
 * earlier (killed) weft is ever reused. Thread-safe.
 */
#ifndef WEFT_WORKDIRS_H
#define WEFT_WORKDIRS_H

#include <stdint.h>

typedef struct weft_workdirs weft_workdirs;

/* A new, empty pool; NULL when out of memory. */
weft_workdirs *weft_workdirs_new(void);

/* Frees the pool's memory. The directories it holds stay on disk: they
 * sit under a run's tmp directory, which the run removes. */
void weft_workdirs_free(weft_workdirs *w);

/* An empty directory under `parent` for node `id`: one kept from an
 * earlier op under the same parent, else a new `parent/n<id>.XXXXXX`
 * (parent made if missing). Returns a malloc'd path the caller owns, or
 * NULL with errno set, and in *fd a descriptor of the directory (read-only,
 * close-on-exec; -1 if it could not be opened), which the caller owns too:
 * files in it are reached by name from it, without walking the path. A
 * kept directory comes with the descriptor it was kept with. `w` may be
 * NULL (always a new directory). */
char *weft_workdir_take(weft_workdirs *w, const char *parent, uint32_t id, int *fd);

/* Gives back a directory an op is done with, and its descriptor (or -1);
 * takes ownership of both. Empty, it is kept for the next op (up to a
 * bound); else it is removed with everything in it. `w` may be NULL
 * (always removed). */
void weft_workdir_give(weft_workdirs *w, char *path, int fd);

#endif
