/*
 * cmd_diff.c -- weft diff and weft blame: comparing a pipeline's graph at
 * two git revisions through static node signatures (engine/sig.c), without
 * running anything.
 *
 * diff evaluates the pipeline at both revisions and lists the nodes whose
 * signature differs, with the reason (op, op version, param, input, script).
 * blame walks a run's first-parent history back to the commit after which
 * a node's signature, and so its inputs, stopped changing.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "util.h"
#include "weft/repo.h"
#include "weft/run.h"


typedef struct side {
	cli_loaded l;
	char (*sig)[65];
	size_t n;
	int ok;
} side;

/* `cli` are -p strings (read by each param's type), `file` typed values
 * (a --params file, or a run record's params); either may be NULL. */
static int side_load(side *s, const char *script, const char *rev, const weft_value *cli, const weft_value *file,
		     int silent)
{
	memset(s, 0, sizeof *s);
	cli_run_args a = {0};
	a.script = script;
	a.rev = rev;
	a.silent = silent;
	a.cli_params = cli ? weft_value_copy(cli) : weft_value_map();
	int rc = cli_load(&s->l, &a, file);
	weft_value_free(a.cli_params);
	if (rc != WEFT_EXIT_OK)
		return rc;
	s->n = weft_graph_node_count(s->l.eng);
	s->sig = calloc(s->n ? s->n : 1, sizeof *s->sig);
	if (!s->sig || weft_graph_signatures(s->sig, s->l.eng) != WEFT_OK)
		return silent ? WEFT_EXIT_USAGE : cli_fail("%s", weft_error_last());
	s->ok = 1;
	return WEFT_EXIT_OK;
}

static void side_free(side *s)
{
	free(s->sig);
	cli_unload(&s->l);
	memset(s, 0, sizeof *s);
}

static char *json_of(const weft_value *v)
{
	char *j = v ? weft_value_to_json(v, 0) : NULL;
	return j ? j : weft_strdup("unset");
}

/* Upstream nodes an input value refers to, as "name=sig" entries. */
static void refs_of(weft_buf *b, const weft_value *v, const side *s)
{
	if (weft_value_type(v) == WEFT_T_REF) {
		uint32_t id = weft_value_ref_node(v);
		if (id < s->n)
			weft_buf_printf(b, "%s=%s\n", weft_graph_node_name(s->l.eng, id), s->sig[id]);
		return;
	}
	if (weft_value_type(v) == WEFT_T_LIST)
		for (size_t i = 0; i < weft_value_len(v); i++)
			refs_of(b, weft_value_list_at(v, i), s);
	if (weft_value_type(v) == WEFT_T_MAP)
		for (size_t i = 0; i < weft_value_len(v); i++)
			refs_of(b, weft_value_map_value_at(v, i), s);
}

/* Names of upstream nodes that differ between the two refs lists. */
static void upstream_changes(weft_buf *out, const char *ra, const char *rb)
{
	int first = 1;
	char *copy = weft_strdup(rb ? rb : "");
	char *save = NULL;
	for (char *e = copy ? strtok_r(copy, "\n", &save) : NULL; e; e = strtok_r(NULL, "\n", &save)) {
		if (ra && strstr(ra, e))
			continue;
		char *eq = strchr(e, '=');
		if (eq)
			*eq = '\0';
		weft_buf_printf(out, "%s'%s'", first ? "" : ", ", e);
		first = 0;
	}
	free(copy);
}

static void add_reason(weft_buf *b, const char *fmt, const char *x, const char *y, const char *z)
{
	if (b->len)
		weft_buf_puts(b, "; ");
	weft_buf_printf(b, fmt, x, y, z);
}

/* Why node `ia` of a and `ib` of b differ. Caller frees. */
static char *why(const side *a, uint32_t ia, const side *b, uint32_t ib)
{
	weft_buf r = {0};
	const weft_op_info *oa = weft_graph_node_op(a->l.eng, ia), *ob = weft_graph_node_op(b->l.eng, ib);
	if (!oa != !ob) {
		add_reason(&r, "%s%s%s", oa ? "was an op node, now a dynamic node" : "was a dynamic node, now an op node",
			   "", "");
		return r.data;
	}
	if (oa && strcmp(oa->full_name, ob->full_name))
		add_reason(&r, "op changed (%s -> %s)%s", oa->full_name, ob->full_name, "");
	else if (oa && strcmp(oa->desc->version, ob->desc->version))
		add_reason(&r, "op version changed (%s -> %s)%s", oa->desc->version, ob->desc->version, "");
	const weft_value *pa = weft_graph_node_params(a->l.eng, ia), *pb = weft_graph_node_params(b->l.eng, ib);
	for (int pass = 0; pass < 2; pass++) {
		const weft_value *m = pass ? pa : pb, *other = pass ? pb : pa;
		for (size_t i = 0; m && i < weft_value_len(m); i++) {
			const char *k = weft_value_map_key_at(m, i);
			const weft_value *va = weft_value_map_get(pa, k), *vb = weft_value_map_get(pb, k);
			if ((pass && weft_value_map_get(other, k)) || (va && vb && weft_value_equal(va, vb)))
				continue;
			char *ja = json_of(va), *jb = json_of(vb);
			add_reason(&r, "param '%s' changed (%s -> %s)", k, ja, jb);
			free(ja);
			free(jb);
		}
	}
	const weft_value *ia_in = weft_graph_node_inputs(a->l.eng, ia), *ib_in = weft_graph_node_inputs(b->l.eng, ib);
	for (int pass = 0; pass < 2; pass++) {
		const weft_value *m = pass ? ia_in : ib_in, *other = pass ? ib_in : ia_in;
		for (size_t i = 0; m && i < weft_value_len(m); i++) {
			const char *k = weft_value_map_key_at(m, i);
			const weft_value *va = weft_value_map_get(ia_in, k), *vb = weft_value_map_get(ib_in, k);
			if (pass && weft_value_map_get(other, k))
				continue;
			if (!va || !vb) {
				add_reason(&r, "input '%s' %s%s", k, va ? "removed" : "added", "");
				continue;
			}
			weft_buf ra = {0}, rb = {0}, up = {0};
			refs_of(&ra, va, a);
			refs_of(&rb, vb, b);
			upstream_changes(&up, ra.data, rb.data);
			if (up.len) {
				add_reason(&r, "input '%s' changed (upstream %s changed)%s", k, up.data, "");
			} else if (weft_value_type(va) == WEFT_T_ARTIFACT && weft_value_type(vb) == WEFT_T_ARTIFACT &&
				   strcmp(weft_value_artifact_hash(va), weft_value_artifact_hash(vb))) {
				add_reason(&r, "input '%s' changed (file content)%s%s", k, "", "");
			} else if (!ra.len && !rb.len && !weft_value_equal(va, vb)) {
				add_reason(&r, "input '%s' changed%s%s", k, "", "");
			}
			weft_buf_free(&ra);
			weft_buf_free(&rb);
			weft_buf_free(&up);
		}
	}
	if (!r.len)
		add_reason(&r, "%s%s%s", oa ? "changed" : "script changed (the function's source or captured values)", "",
			   "");
	return r.data;
}

/* Options: -p NAME=VALUE (repeatable) and --params FILE; positionals. */
static int parse(int argc, char **argv, const char *help, weft_value **params, weft_value **file,
		 const char **pos, int npos, int *got)
{
	*params = weft_value_map();
	*file = NULL;
	*got = 0;
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			fputs(help, stdout);
			return -1;
		}
		if (!strcmp(argv[i], "-p") && i + 1 < argc) {
			if (cli_param_arg(*params, argv[++i]) != WEFT_EXIT_OK)
				return WEFT_EXIT_USAGE;
		} else if (!strcmp(argv[i], "--params") && i + 1 < argc) {
			char *text = NULL;
			size_t len = 0;
			weft_value_free(*file);
			*file = NULL;
			if (weft_read_file(argv[++i], &text, &len) != WEFT_OK ||
			    weft_value_from_yaml(file, text, len, argv[i]) != WEFT_OK) {
				free(text);
				return cli_fail("%s", weft_error_last());
			}
			free(text);
		} else if (argv[i][0] == '-') {
			fputs(help, stderr);
			return WEFT_EXIT_USAGE;
		} else if (*got < npos) {
			pos[(*got)++] = argv[i];
		} else {
			return cli_fail("unexpected argument '%s'; see `weft diff --help`", argv[i]);
		}
	}
	return 0;
}

static const char diff_help[] =
	"usage: weft diff REV1 [REV2] PIPELINE.lua [-p NAME=VALUE]... [--params FILE]\n"
	"\n"
	"Evaluates the pipeline at two git revisions (REV2 omitted: the work tree)\n"
	"and lists the nodes whose keys differ, and why: op, op version, param,\n"
	"input (file content, or an upstream node that changed) or script (a\n"
	"dynamic node's function). Nothing runs. Nodes added at run time by\n"
	"dynamic nodes are not compared.\n";

int cmd_diff(int argc, char **argv)
{
	weft_value *params = NULL, *file = NULL;
	const char *pos[3] = {0};
	int got = 0;
	int rc = parse(argc, argv, diff_help, &params, &file, pos, 3, &got);
	if (rc || got < 2) {
		weft_value_free(params);
		weft_value_free(file);
		if (!rc)
			fputs(diff_help, stderr);
		return rc < 0 ? WEFT_EXIT_OK : rc ? rc : WEFT_EXIT_USAGE;
	}
	const char *rev1 = pos[0], *rev2 = got == 3 ? pos[1] : NULL, *script = pos[got - 1];
	side a, b;
	rc = side_load(&a, script, rev1, params, file, 0);
	if (rc == WEFT_EXIT_OK)
		rc = side_load(&b, script, rev2, params, file, 0);
	else
		memset(&b, 0, sizeof b);
	size_t changed = 0, added = 0, removed = 0, same = 0;
	for (uint32_t i = 0; rc == WEFT_EXIT_OK && i < a.n; i++) {
		const char *name = weft_graph_node_name(a.l.eng, i);
		uint32_t j;
		if (weft_graph_find(&j, b.l.eng, name) != WEFT_OK) {
			printf("removed  %s\n", name);
			removed++;
		} else if (strcmp(a.sig[i], b.sig[j])) {
			char *r = why(&a, i, &b, j);
			printf("changed  %s  %s\n", name, r ? r : "");
			free(r);
			changed++;
		} else {
			same++;
		}
	}
	for (uint32_t j = 0; rc == WEFT_EXIT_OK && j < b.n; j++) {
		uint32_t i;
		if (weft_graph_find(&i, a.l.eng, weft_graph_node_name(b.l.eng, j)) != WEFT_OK) {
			printf("added    %s\n", weft_graph_node_name(b.l.eng, j));
			added++;
		}
	}
	if (rc == WEFT_EXIT_OK)
		printf("%s..%s: %zu changed, %zu added, %zu removed, %zu unchanged\n", rev1, rev2 ? rev2 : "work tree",
		       changed, added, removed, same);
	side_free(&a);
	side_free(&b);
	weft_value_free(params);
	weft_value_free(file);
	return rc;
}

/* ------------------------------------------------------------ blame */

typedef struct blame {
	const char *script, *node;
	const weft_value *params;
	char target[65];
	char last_same[41]; /* oldest commit seen with the target signature */
	char first_diff[41]; /* its parent, where the signature differed */
	int visited;
} blame;

static int blame_step(void *ctx, const char commit[41])
{
	blame *bl = ctx;
	side s;
	int same = 0;
	if (side_load(&s, bl->script, commit, NULL, bl->params, 1) == WEFT_EXIT_OK) {
		uint32_t id;
		same = weft_graph_find(&id, s.l.eng, bl->node) == WEFT_OK && !strcmp(s.sig[id], bl->target);
	}
	side_free(&s);
	bl->visited++;
	if (same) {
		memcpy(bl->last_same, commit, 41);
		return 0;
	}
	memcpy(bl->first_diff, commit, 41);
	return 1;
}

static const char blame_help[] =
	"usage: weft blame RUN_ID NODE [--store DIR]\n"
	"\n"
	"Which commit last changed NODE's inputs (its op, params, input files or\n"
	"anything upstream of it), as of the commit RUN_ID ran from: walks the\n"
	"first-parent history evaluating the pipeline with the run's parameters,\n"
	"and names the oldest commit since which the node's key has not changed,\n"
	"with what that commit changed.\n";

int cmd_blame(int argc, char **argv)
{
	const char *store_flag = NULL, *pos[2] = {0};
	int got = 0;
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			fputs(blame_help, stdout);
			return WEFT_EXIT_OK;
		}
		if (!strcmp(argv[i], "--store") && i + 1 < argc)
			store_flag = argv[++i];
		else if (argv[i][0] != '-' && got < 2)
			pos[got++] = argv[i];
		else {
			fputs(blame_help, stderr);
			return WEFT_EXIT_USAGE;
		}
	}
	if (got != 2) {
		fputs(blame_help, stderr);
		return WEFT_EXIT_USAGE;
	}
	if (strchr(pos[0], '/'))
		return cli_fail("'%s' is not a run id (see `weft log`)", pos[0]);
	char *store = cli_store_dir(store_flag, ".");
	weft_run *rec = NULL;
	int rc = store ? weft_run_open(&rec, store, pos[0]) : WEFT_ERROR;
	free(store);
	if (rc != WEFT_OK)
		return cli_fail("run %s: %s", pos[0], store ? weft_error_last() : "out of memory");
	const weft_run_info *in = weft_run_get_info(rec);
	const char *commit = in->git.commit;
	const char *script = *in->pipeline ? in->pipeline : NULL;
	rc = WEFT_EXIT_OK;
	if (!commit || !script) {
		rc = cli_fail("run %s did not run from a commit of a git repository; nothing to blame (blame a run made inside a repository)", pos[0]);
		weft_run_free(rec);
		return rc;
	}
	/* Replayed with the params the run was given, not those it defaulted:
	 * each commit then has its own defaults, so a changed default is seen. */
	const weft_value *params = in->params_given ? in->params_given : in->params;
	blame bl = {script, pos[1], params, "", "", "", 0};
	side s;
	rc = side_load(&s, script, commit, NULL, params, 0);
	uint32_t id;
	if (rc == WEFT_EXIT_OK && weft_graph_find(&id, s.l.eng, pos[1]) != WEFT_OK)
		rc = cli_fail("node '%s' is not in the pipeline at commit %.12s (nodes that dynamic nodes add at run "
			      "time cannot be blamed)",
			      pos[1], commit);
	if (rc == WEFT_EXIT_OK)
		memcpy(bl.target, s.sig[id], sizeof bl.target);
	side_free(&s);
	weft_repo *repo = NULL;
	char *dir = weft_path_dirname(script);
	if (rc == WEFT_EXIT_OK && weft_repo_open(&repo, dir ? dir : ".") != WEFT_OK)
		rc = cli_fail("%s", weft_error_last());
	free(dir);
	if (rc == WEFT_EXIT_OK && weft_repo_walk(repo, commit, 1000, blame_step, &bl) != WEFT_OK)
		rc = cli_fail("%s", weft_error_last());
	char *summary = NULL, *author = NULL;
	int64_t when = 0;
	if (rc == WEFT_EXIT_OK && bl.last_same[0] &&
	    weft_repo_commit_info(&summary, &author, &when, repo, bl.last_same) == WEFT_OK) {
		char date[32];
		time_t t = (time_t)when;
		struct tm tm;
		strftime(date, sizeof date, "%Y-%m-%d %H:%M", gmtime_r(&t, &tm));
		printf("%s  %s  %s UTC  %s\n", bl.last_same, author, date, summary);
		if (bl.first_diff[0]) {
			side before, after;
			memset(&after, 0, sizeof after);
			int ok = side_load(&before, script, bl.first_diff, NULL, params, 1) == WEFT_EXIT_OK &&
				 side_load(&after, script, bl.last_same, NULL, params, 1) == WEFT_EXIT_OK;
			uint32_t ib, ia;
			if (ok && weft_graph_find(&ib, before.l.eng, pos[1]) == WEFT_OK &&
			    weft_graph_find(&ia, after.l.eng, pos[1]) == WEFT_OK) {
				char *r = why(&before, ib, &after, ia);
				printf("  node '%s' changed in this commit: %s\n", pos[1], r ? r : "");
				free(r);
			} else {
				printf("  node '%s' first appears (or first evaluates) in this commit\n", pos[1]);
			}
			side_free(&before);
			side_free(&after);
		} else {
			printf("  node '%s' has had these inputs since the first commit of the history walked (%d commits)\n",
			       pos[1], bl.visited);
		}
	}
	free(summary);
	free(author);
	weft_repo_free(repo);
	weft_run_free(rec);
	return rc;
}
