/*
 * storelock.h -- who may delete from a store while whom is using it.
 *
 * Runs hold <store>/lock shared (flock) for as long as they run; `weft cache
 * gc` takes it exclusively, so it never removes an object a live run may
 * still read or has just produced. The lock is advisory, per open file,
 * never inherited by the commands a run starts (O_CLOEXEC), and released by
 * the kernel when its holder dies, so a killed run never blocks gc.
 */
#ifndef WEFT_STORELOCK_H
#define WEFT_STORELOCK_H

/* Takes the lock (shared or exclusive). With `wait` 0 a lock held the other
 * way fails at once with WEFT_EBUSY-like WEFT_EIO and a message saying what
 * holds it; with `wait` 1 it blocks. `*fd` is the handle to release. */
int weft_store_lock(int *fd, const char *store_dir, int exclusive, int wait);
void weft_store_unlock(int fd);

#endif
