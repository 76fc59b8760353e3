/*
 * sched_plan.c -- what the scheduler decides before a node runs: which
 * pools each request draws from, whether it can ever be met, and how
 * urgent the node is.
 *
 * A request that no pool can ever satisfy fails before anything runs,
 * naming the node and the pool, because discovering it hours into a run
 * (after the cheap nodes finished) is the failure users hate most.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "sched_state.h"
#include "slurm.h"
#include "util.h"

/* "file:line: node 'x'", formatted on the first message that needs it:
 * binding runs for every node, and almost none has anything to report. */
typedef struct lazy_where {
	const node *n;
	char *s;
} lazy_where;

static const char *where_of(lazy_where *w)
{
	if (!w->s)
		w->s = w->n->file ? weft_sprintf("%s:%d: node '%s'", w->n->file, w->n->line, w->n->name)
				  : weft_sprintf("node '%s'", w->n->name);
	return w->s ? w->s : w->n->name;
}

static char *pool_story(run_state *rs, int p)
{
	weft_buf b = {0};
	if (res_pool_is_device(rs->res, (size_t)p)) {
		weft_buf_printf(&b, "%llu device%s", (unsigned long long)res_pool_capacity(rs->res, (size_t)p),
				res_pool_capacity(rs->res, (size_t)p) == 1 ? "" : "s");
		for (size_t d = 0; d < res_device_count(rs->res, (size_t)p); d++)
			weft_buf_printf(&b, "%s%s", d ? "," : ": ", res_device_id(rs->res, (size_t)p, d));
	} else {
		weft_buf_printf(&b, "%llu", (unsigned long long)res_pool_capacity(rs->res, (size_t)p));
	}
	return b.data;
}

static char *missing_pool_msg(const char *where, const char *name, uint64_t amount)
{
	if (!strcmp(name, "gpu"))
		return weft_sprintf("%s asks for gpu = %llu, but no GPU pool exists: weft.yaml declares no "
				    "`resources: {gpu: N}`, CUDA_VISIBLE_DEVICES is unset and `nvidia-smi -L` lists no "
				    "GPU",
				    where, (unsigned long long)amount);
	if (!strcmp(name, "npu"))
		return weft_sprintf("%s asks for npu = %llu, but no NPU pool exists: weft.yaml declares no "
				    "`resources: {npu: N}` and ASCEND_RT_VISIBLE_DEVICES is unset",
				    where, (unsigned long long)amount);
	return weft_sprintf("%s asks for %llu of resource '%s', which is not declared; add `%s: N` under "
			    "`resources:` in weft.yaml",
			    where, (unsigned long long)amount, name, name);
}

/* Adds (or merges) one ask; returns an error message or NULL. */
static char *add_ask(run_state *rs, node *n, const char *name, uint64_t amount, lazy_where *lw)
{
	node_run *nr = weft_node_run(rs->eng, n->id);
	int p = res_pool_find(rs->res, name);
	if (p < 0)
		return missing_pool_msg(where_of(lw), name, amount);
	uint64_t total = amount;
	for (uint16_t i = 0; i < nr->n_asks; i++)
		if (nr->asks[i].pool == (uint16_t)p) {
			total += nr->asks[i].amount;
			nr->asks[i].amount = total;
			amount = 0;
		}
	if (total && !res_pool_capacity(rs->res, (size_t)p))
		return weft_sprintf("%s asks for %s = %llu, but the %s pool is empty (%s)", where_of(lw), name,
				    (unsigned long long)total, name, res_pool_source(rs->res, (size_t)p));
	if (total > res_pool_capacity(rs->res, (size_t)p)) {
		char *story = pool_story(rs, p);
		char *msg;
		if (!strcmp(name, "mem"))
			msg = weft_sprintf("%s asks for mem = %.2f GiB, but the mem pool holds %.2f GiB; lower its "
					   "`mem` or declare more under `resources:` in weft.yaml",
					   where_of(lw), (double)total / 1073741824.0,
					   (double)res_pool_capacity(rs->res, (size_t)p) / 1073741824.0);
		else
			msg = weft_sprintf("%s asks for %s = %llu, but the %s pool has %s; lower the request or "
					   "declare more under `resources:` in weft.yaml",
					   where_of(lw), name, (unsigned long long)total, name, story ? story : "?");
		free(story);
		return msg;
	}
	if (amount) {
		nr->asks[nr->n_asks].pool = (uint16_t)p;
		nr->asks[nr->n_asks].amount = amount;
		nr->n_asks++;
	}
	return NULL;
}

/* Non-zero when node n runs as a Slurm job (its executor, else the run's). */
static int on_slurm(const run_state *rs, const node *n)
{
	if (n->kind != NODE_OP || n->executor == WEFT_EXECUTOR_LOCAL)
		return 0;
	return n->executor == WEFT_EXECUTOR_SLURM || rs->opts->executor == WEFT_EXECUTOR_SLURM;
}

/* The run's Slurm executor, made when the first node needs it, with a
 * pool of queue slots (slurm.queue_size) that its nodes draw from. */
static int ensure_slurm(run_state *rs)
{
	if (rs->slurm)
		return WEFT_OK;
	int rc = slurm_exec_new(&rs->slurm, rs, rs->opts->slurm);
	if (rc == WEFT_OK)
		rc = weft_resources_set(rs->res, "slurm", slurm_exec_queue_size(rs->slurm), "slurm.queue_size");
	if (rc == WEFT_OK && (rs->slurm_pool = res_pool_find(rs->res, "slurm")) < 0)
		rc = weft_err_set(WEFT_ERROR, "too many resource pools");
	if (rc == WEFT_OK)
		rs->cluster = slurm_exec_executor(rs->slurm);
	if (rc == WEFT_OK && rs->loop_live)
		rc = slurm_exec_start(rs->slurm);
	return rc;
}

/* A node on the cluster holds one queue slot here; what it asks of the
 * cluster is checked against the partitions (sinfo) and becomes sbatch
 * flags (slurm_exec.c). */
static int bind_slurm(run_state *rs, node *n, lazy_where *lw, char **err)
{
	node_run *nr = weft_node_run(rs->eng, n->id);
	if (ensure_slurm(rs) != WEFT_OK) {
		*err = weft_sprintf("%s runs on Slurm, but %s", where_of(lw), weft_error_last());
		return WEFT_EIO;
	}
	char *why = slurm_exec_check(rs->slurm, n);
	if (why) {
		*err = weft_sprintf("%s cannot run on this Slurm cluster: %s", where_of(lw), why);
		free(why);
		return WEFT_EINVALID;
	}
	nr->asks[0].pool = (uint16_t)rs->slurm_pool;
	nr->asks[0].amount = 1;
	nr->n_asks = 1;
	nr->cluster = 1;
	return WEFT_OK;
}

int plan_bind(run_state *rs, node *n, char **err)
{
	node_run *nr = weft_node_run(rs->eng, n->id);
	*err = NULL;
	free(nr->asks);
	nr->asks = NULL;
	nr->n_asks = 0;
	if (n->kind != NODE_OP)
		return WEFT_OK;
	nr->asks = calloc((size_t)n->n_res + 2, sizeof *nr->asks);
	lazy_where lw = {n, NULL};
	if (!nr->asks) {
		*err = weft_strdup("out of memory");
		return WEFT_ERROR;
	}
	nr->cluster = 0;
	if (on_slurm(rs, n)) {
		int rc = bind_slurm(rs, n, &lw, err);
		free(lw.s);
		return *err ? rc : WEFT_OK;
	}
	const weft_op_desc *d = n->op->desc;
	uint64_t cpus = n->cpus ? n->cpus : d->cpus ? d->cpus : 1;
	uint64_t cap = res_pool_capacity(rs->res, (size_t)rs->cpus_pool);
	/* More cores than exist would block forever; like make -j and
	 * Snakemake's threads, the request is scaled down instead. */
	if (cpus > cap)
		cpus = cap ? cap : 1;
	*err = add_ask(rs, n, "cpus", cpus, &lw);
	uint64_t mem = n->mem ? n->mem : d->mem_bytes;
	if (!*err && mem)
		*err = add_ask(rs, n, "mem", mem, &lw);
	int devices = 0;
	for (uint16_t i = 0; !*err && i < n->n_res; i++) {
		if (!n->res_amounts[i])
			continue;
		*err = add_ask(rs, n, n->res_names[i], n->res_amounts[i], &lw);
		int p = res_pool_find(rs->res, n->res_names[i]);
		devices |= p >= 0 && res_pool_is_device(rs->res, (size_t)p);
	}
	if (!*err && devices && n->isolate < 0)
		*err = weft_sprintf("%s asks for devices but sets isolate = false; device ids reach an op only "
				    "through its worker's environment, so remove `isolate = false`",
				    where_of(&lw));
	if (!*err && devices && !rs->eng->worker_exe)
		*err = weft_sprintf("%s asks for devices, but this engine has no worker program to run it in",
				    where_of(&lw));
	free(lw.s);
	return *err ? WEFT_EINVALID : WEFT_OK;
}

int plan_bind_all(run_state *rs)
{
	weft_graph *g = &rs->eng->graph;
	for (uint32_t i = 0; i < g->n; i++) {
		char *err = NULL;
		if (plan_bind(rs, g->nodes[i], &err) != WEFT_OK) {
			int rc = weft_err_set(WEFT_EINVALID, "%s", err ? err : "out of memory");
			free(err);
			return rc;
		}
	}
	return WEFT_OK;
}

/* A node's expected cost: its wall time in the previous run of this
 * pipeline, else the mean of the known ones, else one unit. */
static double weight_of(run_state *rs, node *n, double fallback)
{
	json_t *prev = rs->prev ? json_object_get(rs->prev, n->name) : NULL;
	json_t *e = prev ? json_object_get(prev, "elapsed") : NULL;
	if (json_is_number(e) && json_number_value(e) >= 0)
		return json_number_value(e) + 1e-3;
	return fallback;
}

int plan_priorities(run_state *rs)
{
	weft_graph *g = &rs->eng->graph;
	double sum = 0;
	size_t known = 0;
	for (uint32_t i = 0; rs->prev && i < g->n; i++) {
		json_t *prev = json_object_get(rs->prev, g->nodes[i]->name);
		json_t *e = prev ? json_object_get(prev, "elapsed") : NULL;
		if (json_is_number(e)) {
			sum += json_number_value(e) + 1e-3;
			known++;
		}
	}
	rs->default_weight = known ? sum / (double)known : 1.0;
	/* prio = own weight + the largest prio among users: an iterative
	 * post-order walk, since pipelines can be deep enough to overflow the
	 * C stack. */
	uint8_t *state = calloc(g->n ? g->n : 1, 1);
	idlist stack = {0};
	int rc = state ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
	for (uint32_t root = 0; rc == WEFT_OK && root < g->n; root++) {
		if (state[root])
			continue;
		if ((rc = idlist_add(&stack, root)) != WEFT_OK)
			break;
		while (rc == WEFT_OK && stack.n) {
			uint32_t t = stack.ids[stack.n - 1];
			node *n = g->nodes[t];
			node_run *nr = weft_node_run(rs->eng, n->id);
			if (state[t] == 0) {
				state[t] = 1;
				for (uint32_t u = 0; u < n->n_users && rc == WEFT_OK; u++)
					if (!state[n->users[u]])
						rc = idlist_add(&stack, n->users[u]);
				continue;
			}
			stack.n--;
			if (state[t] == 2)
				continue;
			double best = 0;
			for (uint32_t u = 0; u < n->n_users; u++) {
				double p = weft_node_run(rs->eng, n->users[u])->prio;
				if (p > best)
					best = p;
			}
			nr->prio = weight_of(rs, n, rs->default_weight) + best;
			state[t] = 2;
		}
	}
	free(stack.ids);
	free(state);
	return rc;
}
