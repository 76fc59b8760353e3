/* dynlib.c -- see dynlib.h. */
#include "dynlib.h"

#include <dlfcn.h>
#include <stdio.h>

#include "util.h"

int weft_dynlib_open(void **fns, const char *soname, const char *const *names, size_t n, const char *package,
		     char *err, size_t errlen)
{
	void *dl = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		snprintf(err, errlen, "cannot load %s: %s; install %s (scripts/deps.sh does)", soname, dlerror(),
			 package);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		*(void **)&fns[i] = dlsym(dl, names[i]);
		if (!fns[i]) {
			snprintf(err, errlen, "%s lacks %s(): weft was built against another version; install %s",
				 soname, names[i], package);
			dlclose(dl);
			return -1;
		}
	}
	return 0;
}

int weft_dynlib_load(weft_dynlib *lib, void **fns, const char *const *names, size_t n)
{
	pthread_mutex_lock(&lib->lock);
	if (!lib->tried) {
		lib->tried = 1;
		lib->failed = weft_dynlib_open(fns, lib->soname, names, n, lib->package, lib->error,
					       sizeof lib->error) != 0;
	}
	int failed = lib->failed;
	pthread_mutex_unlock(&lib->lock);
	return failed ? weft_err_set(WEFT_EINVALID, "%s", lib->error) : WEFT_OK;
}
