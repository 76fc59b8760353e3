/*
 * checkpoint.c -- asynchronous checkpoints (after DataStates-LLM: take the
 * state off the training step's critical path, persist it behind it) with
 * manifests that record the layout they were made on (after Universal
 * Checkpointing: a resume on another device count can tell, and convert).
 *
 * A save moves the op's file into a staging directory (one rename: the op
 * may write its next checkpoint to the same path straight away) or copies
 * the bytes it was given, and hands it to a thread that hashes it into the
 * store and then renames the manifest into place. Only one commit is in
 * flight per writer: a second save waits for the first, which bounds both
 * the memory and the disk a fast-saving op can tie up. The thread is the
 * writer's own and joined before the op's context goes away, so a node
 * never finishes with a commit still running.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"
#include "hash.h"
#include "util.h"
#include "value_jansson.h"
#include "weft/plugin.h"

typedef struct pending {
	char *name;
	int64_t step;
	char *staged; /* a staging directory holding `data` (a file or tree) */
	void *bytes;  /* or the bytes themselves */
	size_t len;
	json_t *layout;
	double t_saved;
} pending;

struct weft_ckpt {
	weft_store *st;
	char *store_dir, *key, *node, *op, *devices;
	pthread_t thread;
	int in_flight;
	pending job;
	int commit_rc; /* the first failed commit, kept for finish */
	char *commit_err;
	double blocked;
	unsigned saves;
	/* What weft_ckpt_latest handed out. */
	char *latest_path;
	weft_value *latest_layout;
};

int weft_ckpt_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > 64 || name[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

weft_ckpt *weft_ckpt_new(weft_store *st, const char *store_dir, const char *key, const char *node, const char *op,
			 const char *devices)
{
	weft_ckpt *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->st = st;
	c->store_dir = weft_strdup(store_dir);
	c->key = weft_strdup(key);
	c->node = weft_strdup(node ? node : "");
	c->op = weft_strdup(op ? op : "");
	c->devices = weft_strdup(devices ? devices : "");
	if (!c->store_dir || !c->key || !c->node || !c->op || !c->devices) {
		weft_ckpt_free(c);
		return NULL;
	}
	return c;
}

static void pending_clear(pending *p)
{
	if (p->staged)
		weft_rm_rf(p->staged);
	free(p->staged);
	free(p->name);
	free(p->bytes);
	json_decref(p->layout);
	memset(p, 0, sizeof *p);
}

static char *name_dir(const char *store_dir, const char *key, const char *name)
{
	return weft_sprintf("%s/ckpt/%s/%s", store_dir, key, name);
}

/* Manifest file names sort by step: 20 digits hold any int64 >= 0. */
static char *manifest_path(const char *dir, int64_t step)
{
	return weft_sprintf("%s/%020lld.json", dir, (long long)step);
}

static int is_manifest_name(const char *s)
{
	size_t n = strlen(s);
	if (n != 25 || strcmp(s + 20, ".json"))
		return 0;
	for (size_t i = 0; i < 20; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* The manifest names in `dir`, newest step first. */
static int list_manifests(const char *dir, char ***out, size_t *n)
{
	int rc = weft_dir_list(dir, is_manifest_name, out, n);
	for (size_t i = 0; i < *n / 2; i++) {
		char *t = (*out)[i];
		(*out)[i] = (*out)[*n - 1 - i];
		(*out)[*n - 1 - i] = t;
	}
	return rc;
}

/* Removes all but the newest `keep` manifests of one name. */
static void prune(const char *dir, size_t keep)
{
	char **names;
	size_t n;
	if (list_manifests(dir, &names, &n) != WEFT_OK)
		return;
	for (size_t i = keep; i < n; i++) {
		char *p = weft_path_join(dir, names[i]);
		if (p)
			(void)unlink(p);
		free(p);
	}
	weft_dir_list_free(names, n);
}

static json_t *layout_with_devices(const weft_ckpt *c, json_t *layout)
{
	json_t *l = layout ? json_deep_copy(layout) : json_object();
	if (!l)
		return NULL;
	/* The devices the node held: what a resume on another count compares. */
	json_t *devs = json_array();
	size_t count = 0;
	if (devs && c->devices[0]) {
		char *copy = weft_strdup(c->devices), *save = NULL;
		for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save)) {
			json_array_append_new(devs, json_string(t));
			count++;
		}
		free(copy);
	}
	if (!json_object_get(l, "devices"))
		json_object_set_new(l, "devices", devs ? devs : json_array());
	else
		json_decref(devs);
	if (!json_object_get(l, "n_devices"))
		json_object_set_new(l, "n_devices", json_integer((json_int_t)count));
	return l;
}

static int commit(weft_ckpt *c, pending *p)
{
	weft_value *art = NULL;
	int rc;
	if (p->staged) {
		char *data = weft_path_join(p->staged, "data");
		rc = data ? weft_store_import(&art, c->st, data) : weft_err_set(WEFT_ERROR, "out of memory");
		free(data);
	} else {
		char hash[65];
		rc = weft_store_put_bytes(c->st, p->bytes ? p->bytes : "", p->len, hash);
		if (rc == WEFT_OK && !(art = weft_value_artifact(hash, 0, p->len)))
			rc = weft_err_set(WEFT_ERROR, "out of memory");
	}
	if (rc != WEFT_OK)
		return rc;
	char *dir = name_dir(c->store_dir, c->key, p->name);
	char *mpath = dir ? manifest_path(dir, p->step) : NULL;
	json_t *layout = layout_with_devices(c, p->layout);
	json_t *m = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:b,s:I,s:o,s:f,s:f}", "format", "weft-checkpoint-1",
			      "node", c->node, "op", c->op, "key", c->key, "name", p->name, "step",
			      (json_int_t)p->step, "object", weft_value_artifact_hash(art), "dir",
			      weft_value_artifact_is_dir(art), "size", (json_int_t)weft_value_artifact_size(art),
			      "layout", layout ? layout : json_object(), "saved", p->t_saved, "committed", weft_now());
	weft_value_free(art);
	char *text = m ? json_dumps(m, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
	json_decref(m);
	if (!dir || !mpath || !text)
		rc = weft_err_set(WEFT_ERROR, "out of memory");
	else if ((rc = weft_mkdirs(dir, 0755)) == WEFT_OK &&
		 (rc = weft_write_file_atomic(mpath, text, strlen(text), 1)) == WEFT_OK)
		prune(dir, WEFT_CKPT_RUNNING_KEEP);
	free(text);
	free(mpath);
	free(dir);
	return rc;
}

static void *commit_thread(void *arg)
{
	weft_ckpt *c = arg;
	int rc = commit(c, &c->job);
	if (rc != WEFT_OK && c->commit_rc == WEFT_OK) {
		c->commit_rc = rc;
		c->commit_err = weft_sprintf("checkpoint '%s' step %lld was not committed: %s", c->job.name,
					     (long long)c->job.step, weft_error_last());
	}
	pending_clear(&c->job);
	return NULL;
}

static void join_commit(weft_ckpt *c)
{
	if (!c->in_flight)
		return;
	pthread_join(c->thread, NULL);
	c->in_flight = 0;
}

/* Moves the op's file or tree into a staging directory of its own. */
static int stage(weft_ckpt *c, pending *p, const char *path)
{
	struct stat sb;
	if (lstat(path, &sb) != 0)
		return weft_err_set(WEFT_ENOTFOUND, "checkpoint '%s': %s: %s", p->name, path, strerror(errno));
	if (!S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode))
		return weft_err_set(WEFT_EINVALID, "checkpoint '%s': %s is neither a file nor a directory", p->name,
				    path);
	char *tmp = weft_sprintf("%s/tmp", c->store_dir);
	if (!tmp || weft_mkdirs(tmp, 0755) != WEFT_OK) {
		free(tmp);
		return WEFT_EIO;
	}
	char *dir = weft_sprintf("%s/ckpt.XXXXXX", tmp);
	free(tmp);
	if (!dir || !mkdtemp(dir)) {
		int rc = weft_err_set(WEFT_EIO, "checkpoint '%s': cannot make a staging directory: %s", p->name,
				      strerror(errno));
		free(dir);
		return rc;
	}
	char *data = weft_path_join(dir, "data");
	int rc = WEFT_OK;
	if (!data) {
		rc = weft_err_set(WEFT_ERROR, "out of memory");
	} else if (rename(path, data) != 0) {
		/* Another filesystem: a copy, made before the save returns (the
		 * op may overwrite `path` next). Trees must be on the store's. */
		if (errno != EXDEV || !S_ISREG(sb.st_mode))
			rc = weft_err_set(WEFT_EIO, "checkpoint '%s': cannot move %s into the store's staging area "
						    "%s: %s; write checkpoints under the op's workdir",
					  p->name, path, dir, strerror(errno));
		else if ((rc = weft_copy_file_atomic(path, data, 0644)) == WEFT_OK)
			(void)unlink(path);
	}
	free(data);
	if (rc != WEFT_OK) {
		weft_rm_rf(dir);
		free(dir);
		return rc;
	}
	p->staged = dir;
	return WEFT_OK;
}

int weft_ckpt_save(weft_ckpt *c, const char *name, const char *path, const void *bytes, size_t len, int64_t step,
		   const weft_value *layout, unsigned flags)
{
	if (!weft_ckpt_name_ok(name))
		return weft_err_set(WEFT_EINVALID, "checkpoint name '%s' is not valid: use 1 to 64 letters, digits, "
						   "'_', '-' or '.', not starting with '.'",
				    name ? name : "(null)");
	if (step < 0)
		return weft_err_set(WEFT_EINVALID, "checkpoint '%s': step %lld is negative", name, (long long)step);
	if (layout && weft_value_type(layout) != WEFT_T_MAP)
		return weft_err_set(WEFT_EINVALID, "checkpoint '%s': its layout must be a map", name);
	double t0 = weft_now();
	if (c->in_flight) {
		join_commit(c);
		c->blocked += weft_now() - t0;
	}
	c->saves++;
	pending p = {0};
	p.step = step;
	p.t_saved = t0;
	p.name = weft_strdup(name);
	p.layout = layout ? weft_value_to_jansson(layout) : NULL;
	int rc = p.name && (!layout || p.layout) ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
	if (rc == WEFT_OK && path) {
		rc = stage(c, &p, path);
	} else if (rc == WEFT_OK) {
		p.len = len;
		if (!(p.bytes = malloc(len ? len : 1)))
			rc = weft_err_set(WEFT_ERROR, "out of memory copying a %zu-byte checkpoint", len);
		else if (len)
			memcpy(p.bytes, bytes, len);
	}
	if (rc != WEFT_OK) {
		pending_clear(&p);
		return rc;
	}
	c->job = p;
	if (flags & WEFT_CKPT_WAIT) {
		commit_thread(c);
		return c->commit_rc == WEFT_OK ? WEFT_OK : weft_err_set(c->commit_rc, "%s", c->commit_err);
	}
	if (pthread_create(&c->thread, NULL, commit_thread, c) != 0) {
		commit_thread(c); /* no thread to be had: commit here instead */
		return c->commit_rc == WEFT_OK ? WEFT_OK : weft_err_set(c->commit_rc, "%s", c->commit_err);
	}
	c->in_flight = 1;
	return WEFT_OK;
}

static int read_manifest(weft_ckpt *c, const char *path, int64_t *step)
{
	json_error_t je;
	json_t *m = json_load_file(path, 0, &je);
	const char *hash = json_string_value(json_object_get(m, "object"));
	json_t *jstep = json_object_get(m, "step");
	if (!m || !weft_hash_is_hex(hash) || !json_is_integer(jstep)) {
		json_decref(m);
		return WEFT_ENOTFOUND;
	}
	weft_value *art = weft_value_artifact(hash, json_is_true(json_object_get(m, "dir")),
					      (uint64_t)json_integer_value(json_object_get(m, "size")));
	char *out = NULL;
	/* Verified (re-hashed) before it is handed out: resuming from a
	 * damaged checkpoint would be a wrong result that looks right. */
	int rc = art && weft_store_verify(c->st, art) == WEFT_OK ? weft_store_checkout(&out, c->st, art) : WEFT_ENOTFOUND;
	weft_value_free(art);
	if (rc == WEFT_OK) {
		weft_value *layout = weft_value_from_jansson(json_object_get(m, "layout"));
		free(c->latest_path);
		weft_value_free(c->latest_layout);
		c->latest_path = out;
		c->latest_layout = layout;
		*step = (int64_t)json_integer_value(jstep);
	} else {
		free(out);
	}
	json_decref(m);
	return rc == WEFT_OK ? WEFT_OK : WEFT_ENOTFOUND;
}

int weft_ckpt_latest(weft_ckpt *c, const char *name, const char **path, int64_t *step, const weft_value **layout)
{
	if (!weft_ckpt_name_ok(name))
		return weft_err_set(WEFT_EINVALID, "checkpoint name '%s' is not valid", name ? name : "(null)");
	join_commit(c); /* a save of this attempt counts once it is committed */
	char *dir = name_dir(c->store_dir, c->key, name);
	char **names = NULL;
	size_t n = 0;
	int rc = dir ? list_manifests(dir, &names, &n) : weft_err_set(WEFT_ERROR, "out of memory");
	int found = 0;
	for (size_t i = 0; rc == WEFT_OK && i < n && !found; i++) {
		char *p = weft_path_join(dir, names[i]);
		found = p && read_manifest(c, p, step) == WEFT_OK;
		free(p);
	}
	weft_dir_list_free(names, n);
	free(dir);
	if (rc != WEFT_OK)
		return rc;
	if (!found)
		return weft_err_set(WEFT_ENOTFOUND, "no committed checkpoint '%s' for this node", name);
	if (path)
		*path = c->latest_path;
	if (layout)
		*layout = c->latest_layout;
	return WEFT_OK;
}

int weft_ckpt_finish(weft_ckpt *c)
{
	if (!c)
		return WEFT_OK;
	join_commit(c);
	return c->commit_rc == WEFT_OK ? WEFT_OK : weft_err_set(c->commit_rc, "%s", c->commit_err);
}

double weft_ckpt_blocked(const weft_ckpt *c, unsigned *saves)
{
	if (saves)
		*saves = c ? c->saves : 0;
	return c ? c->blocked : 0;
}

void weft_ckpt_free(weft_ckpt *c)
{
	if (!c)
		return;
	join_commit(c);
	free(c->store_dir);
	free(c->key);
	free(c->node);
	free(c->op);
	free(c->devices);
	free(c->commit_err);
	free(c->latest_path);
	weft_value_free(c->latest_layout);
	free(c);
}

/* Calls fn for each manifest of one name's directory. */
static void each_manifest(const char *key, const char *ndir, void (*fn)(const weft_ckpt_ref *, void *), void *arg)
{
	char **ms;
	size_t nm;
	(void)weft_dir_list(ndir, is_manifest_name, &ms, &nm);
	for (size_t i = 0; i < nm; i++) {
		char *p = weft_path_join(ndir, ms[i]);
		json_t *m = p ? json_load_file(p, 0, NULL) : NULL;
		const char *h = json_string_value(json_object_get(m, "object"));
		struct stat sb;
		if (h && weft_hash_is_hex(h) && stat(p, &sb) == 0) {
			weft_ckpt_ref r = {key, p, h, json_is_true(json_object_get(m, "dir")),
					   (double)sb.st_mtim.tv_sec + (double)sb.st_mtim.tv_nsec / 1e9};
			fn(&r, arg);
		}
		json_decref(m);
		free(p);
	}
	weft_dir_list_free(ms, nm);
}

int weft_ckpt_each(const char *store_dir, void (*fn)(const weft_ckpt_ref *ref, void *arg), void *arg)
{
	char *root = weft_sprintf("%s/ckpt", store_dir);
	char **keys = NULL;
	size_t nk = 0;
	int rc = root ? weft_dir_list(root, weft_hash_is_hex, &keys, &nk) : weft_err_set(WEFT_ERROR, "out of memory");
	for (size_t k = 0; k < nk; k++) {
		char *kdir = weft_path_join(root, keys[k]);
		char **names = NULL;
		size_t nn = 0;
		if (kdir)
			(void)weft_dir_list(kdir, weft_ckpt_name_ok, &names, &nn);
		for (size_t i = 0; i < nn; i++) {
			char *ndir = weft_path_join(kdir, names[i]);
			if (ndir)
				each_manifest(keys[k], ndir, fn, arg);
			free(ndir);
		}
		weft_dir_list_free(names, nn);
		free(kdir);
	}
	weft_dir_list_free(keys, nk);
	free(root);
	return rc;
}

int weft_ckpt_settle(const char *store_dir, const char *key, weft_ckpt_policy policy)
{
	if (policy == WEFT_CKPT_KEEP)
		return WEFT_OK;
	char *kdir = weft_sprintf("%s/ckpt/%s", store_dir, key);
	if (!kdir)
		return weft_err_set(WEFT_ERROR, "out of memory");
	if (policy == WEFT_CKPT_DROP) {
		/* The objects stay until `weft cache gc` finds nothing names them. */
		int rc = weft_rm_rf(kdir);
		free(kdir);
		return rc;
	}
	char **names;
	size_t n;
	int rc = weft_dir_list(kdir, weft_ckpt_name_ok, &names, &n);
	for (size_t i = 0; i < n; i++) {
		char *nd = weft_path_join(kdir, names[i]);
		if (nd)
			prune(nd, 1);
		free(nd);
	}
	weft_dir_list_free(names, n);
	free(kdir);
	return rc;
}
