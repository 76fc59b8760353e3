/*
 * weft/sys/worker.h -- the body of `weft worker`, the process the engine
 * starts to run ops of untrusted plugins (docs/workers.md). A front-end
 * that ships its own binary calls it from its `worker` command.
 */
#ifndef WEFT_SYS_WORKER_H
#define WEFT_SYS_WORKER_H

#include "weft/weft.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Serves op runs from the engine over in_fd / out_fd until EOF. */
WEFT_EXTERN int weft_worker_main(const char *store_dir, int in_fd, int out_fd);

/* Runs the one op of a cluster job: reads <job_dir>/job.json (the run
 * message of the protocol above), writes <job_dir>/result.json (the done
 * message, with the host, the devices the job saw, its start and end, and
 * the signal that stopped it), and progress to <job_dir>/progress. USR2,
 * TERM and INT cancel the op. WEFT_OK when the op succeeded. */
WEFT_EXTERN int weft_worker_job(const char *store_dir, const char *job_dir);

#ifdef __cplusplus
}
#endif
#endif
