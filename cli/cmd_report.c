/*
 * cmd_report.c -- weft report: one run as a single self-contained HTML
 * file, for a person to read and to send on.
 *
 * It holds the expanded graph coloured by status (inline SVG, laid out in
 * layers by longest path from the sources), a timeline of what ran on
 * each worker, device and compute node, the per-node table, the run's
 * params and provenance, and its LLM calls. Nothing is fetched when it is
 * viewed: no script, no font, no stylesheet from elsewhere.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "util.h"
#include "weft/run.h"

#define REPORT_MAX_SVG_NODES 3000

static const char report_help[] =
	"usage: weft report [RUN_ID] [-o FILE] [--store DIR]\n"
	"\n"
	"Writes one run (default: the newest) as a self-contained HTML file\n"
	"(default: weft-report-RUN_ID.html here): the expanded graph coloured by\n"
	"status, a timeline per worker and device, a table of every node (status,\n"
	"cache, reason, time, peak RSS, attempts, devices, source), the run's\n"
	"params and provenance, and its LLM calls. It needs no network to view.\n";

static void esc(weft_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			weft_buf_puts(b, "&lt;");
			break;
		case '>':
			weft_buf_puts(b, "&gt;");
			break;
		case '&':
			weft_buf_puts(b, "&amp;");
			break;
		case '"':
			weft_buf_puts(b, "&quot;");
			break;
		default:
			weft_buf_put(b, s, 1);
		}
	}
}

static const char *colour(const char *st)
{
	static const char *const map[][2] = {{"done", "#b7e4b0"},    {"cached", "#b9d7f0"},  {"resumed", "#c9eef0"},
					     {"failed", "#f4a6a0"},  {"skipped", "#dddddd"}, {"expanded", "#efe39c"},
					     {"pending", "#ffffff"}};
	for (size_t i = 0; st && i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(st, map[i][0]))
			return map[i][1];
	return "#ffffff";
}

static long find(const weft_run *r, const char *name)
{
	for (size_t i = 0; name && i < weft_run_node_count(r); i++)
		if (!strcmp(weft_run_node_at(r, i)->name, name))
			return (long)i;
	return -1;
}

/* Layers by longest path from the sources; nodes are in creation order,
 * so one pass settles a node after its deps (a dynamic node's children
 * come after it, and their edges point into it: they get another pass). */
static void layers(const weft_run *r, int *layer, size_t n)
{
	for (int pass = 0; pass < 4; pass++)
		for (size_t i = 0; i < n; i++) {
			const weft_run_node *nd = weft_run_node_at(r, i);
			for (size_t d = 0; d < nd->n_deps; d++) {
				long k = find(r, nd->deps[d]);
				if (k >= 0 && layer[k] + 1 > layer[i] && layer[k] + 1 < (int)n + 1)
					layer[i] = layer[k] + 1;
			}
		}
}

static void graph_svg(weft_buf *b, const weft_run *r)
{
	size_t n = weft_run_node_count(r);
	if (!n)
		return;
	if (n > REPORT_MAX_SVG_NODES) {
		weft_buf_printf(b, "<p>The graph has %zu nodes, too many to draw here; `weft graph --run` writes it as "
				   "DOT for Graphviz.</p>\n", n);
		return;
	}
	int *layer = calloc(n, sizeof *layer), *row = calloc(n, sizeof *row), *count = calloc(n + 1, sizeof *count);
	if (!layer || !row || !count) {
		free(layer);
		free(row);
		free(count);
		return;
	}
	layers(r, layer, n);
	int max_layer = 0, max_row = 0;
	for (size_t i = 0; i < n; i++) {
		row[i] = count[layer[i]]++;
		max_layer = layer[i] > max_layer ? layer[i] : max_layer;
		max_row = row[i] > max_row ? row[i] : max_row;
	}
	const int W = 180, H = 40, GX = 60, GY = 14;
	weft_buf_printf(b, "<svg id=\"dag\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
			   "font-family=\"monospace\" font-size=\"11\">\n",
			(max_layer + 1) * (W + GX) + 20, (max_row + 1) * (H + GY) + 20);
	for (size_t i = 0; i < n; i++) {
		const weft_run_node *nd = weft_run_node_at(r, i);
		int x = 10 + layer[i] * (W + GX) + W, y = 10 + row[i] * (H + GY) + H / 2;
		for (size_t d = 0; d < nd->n_deps; d++) {
			long k = find(r, nd->deps[d]);
			if (k < 0)
				continue;
			int x0 = 10 + layer[k] * (W + GX) + W, y0 = 10 + row[k] * (H + GY) + H / 2;
			int x1 = x - W;
			weft_buf_printf(b, "<path class=\"edge\" d=\"M%d %d C%d %d %d %d %d %d\" fill=\"none\" stroke=\"#888\"/>\n",
					x0, y0, x0 + GX / 2, y0, x1 - GX / 2, y, x1, y);
		}
	}
	for (size_t i = 0; i < n; i++) {
		const weft_run_node *nd = weft_run_node_at(r, i);
		int x = 10 + layer[i] * (W + GX), y = 10 + row[i] * (H + GY);
		int dyn = nd->kind && !strcmp(nd->kind, "dynamic");
		weft_buf_puts(b, "<g class=\"node\" data-name=\"");
		esc(b, nd->name);
		weft_buf_puts(b, "\" data-status=\"");
		esc(b, nd->status);
		weft_buf_puts(b, "\"><title>");
		esc(b, nd->name);
		weft_buf_printf(b, " (%s, %.2fs)", nd->op ? nd->op : "dynamic", nd->elapsed);
		if (nd->error || nd->reason) {
			weft_buf_puts(b, ": ");
			esc(b, nd->error ? nd->error : nd->reason);
		}
		weft_buf_printf(b, "</title><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"%d\" fill=\"%s\" "
				   "stroke=\"#555\"/>",
				x, y, W, H, dyn ? 14 : 3, colour(nd->status));
		char label[40];
		snprintf(label, sizeof label, "%.26s", nd->name);
		weft_buf_printf(b, "<text x=\"%d\" y=\"%d\">", x + 6, y + 15);
		esc(b, label);
		weft_buf_printf(b, "</text><text x=\"%d\" y=\"%d\" fill=\"#444\">", x + 6, y + 31);
		snprintf(label, sizeof label, "%.18s %s", nd->op ? nd->op : "dynamic", nd->status ? nd->status : "");
		esc(b, label);
		weft_buf_puts(b, "</text></g>\n");
	}
	weft_buf_puts(b, "</svg>\n");
	free(layer);
	free(row);
	free(count);
}

/* The lane a node ran in: its devices, its compute node, its worker, or
 * (in-process) the first lane free when it started. */
typedef struct lane {
	char name[96];
	double free_at;
} lane;

static void timeline_svg(weft_buf *b, const weft_run *r)
{
	size_t n = weft_run_node_count(r);
	double t0 = 0, t1 = 0;
	size_t ran = 0;
	for (size_t i = 0; i < n; i++) {
		const weft_run_node *nd = weft_run_node_at(r, i);
		if (!nd->executed || nd->started <= 0)
			continue;
		if (!ran || nd->started < t0)
			t0 = nd->started;
		if (nd->started + nd->elapsed > t1)
			t1 = nd->started + nd->elapsed;
		ran++;
	}
	if (!ran) {
		weft_buf_puts(b, "<p>Nothing ran in this run: every node was cached or resumed.</p>\n");
		return;
	}
	lane *lanes = calloc(ran, sizeof *lanes);
	int *at = calloc(n, sizeof *at);
	size_t nl = 0;
	for (size_t i = 0; lanes && at && i < n; i++) {
		const weft_run_node *nd = weft_run_node_at(r, i);
		at[i] = -1;
		if (!nd->executed || nd->started <= 0)
			continue;
		char want[96] = "";
		if (nd->n_devices)
			snprintf(want, sizeof want, "%s%s%s", nd->devices[0], nd->n_devices > 1 ? " +" : "",
				 nd->n_devices > 1 ? "more" : "");
		else if (nd->job_host)
			snprintf(want, sizeof want, "slurm %s", nd->job_host);
		size_t l = 0;
		for (; l < nl; l++)
			if (*want ? !strcmp(lanes[l].name, want) && lanes[l].free_at <= nd->started + 1e-6
				  : !strncmp(lanes[l].name, "slot", 4) && lanes[l].free_at <= nd->started + 1e-6)
				break;
		if (l == nl) {
			snprintf(lanes[l].name, sizeof lanes[l].name, "%s", *want ? want : "slot");
			nl++;
		}
		lanes[l].free_at = nd->started + nd->elapsed;
		at[i] = (int)l;
	}
	double span = t1 - t0 > 1e-6 ? t1 - t0 : 1e-6;
	const int LW = 150, TW = 900, RH = 22;
	weft_buf_printf(b, "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%zu\" "
			   "font-family=\"monospace\" font-size=\"11\">\n",
			LW + TW + 20, nl * RH + 30);
	for (size_t l = 0; l < nl; l++) {
		weft_buf_printf(b, "<text x=\"4\" y=\"%zu\">", l * RH + 15);
		esc(b, lanes[l].name);
		weft_buf_printf(b, " %zu</text>\n", l + 1);
	}
	for (size_t i = 0; at && i < n; i++) {
		if (at[i] < 0)
			continue;
		const weft_run_node *nd = weft_run_node_at(r, i);
		double x = LW + (nd->started - t0) / span * TW, w = nd->elapsed / span * TW;
		weft_buf_printf(b, "<g class=\"run\" data-name=\"");
		esc(b, nd->name);
		weft_buf_printf(b, "\"><title>");
		esc(b, nd->name);
		weft_buf_printf(b, " %.2fs</title><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
				   "stroke=\"#555\"/></g>\n",
				nd->elapsed, x, at[i] * RH + 3, w < 1 ? 1 : w, RH - 6, colour(nd->status));
	}
	weft_buf_printf(b, "<text x=\"%d\" y=\"%zu\">0 s</text><text x=\"%d\" y=\"%zu\" text-anchor=\"end\">%.2f s</text>\n",
			LW, nl * RH + 22, LW + TW, nl * RH + 22, span);
	weft_buf_puts(b, "</svg>\n");
	free(lanes);
	free(at);
}

static void node_table(weft_buf *b, const weft_run *r)
{
	weft_buf_puts(b, "<table id=\"nodes\"><thead><tr><th>node</th><th>status</th><th>cache</th><th>time</th>"
			 "<th>peak RSS</th><th>attempts</th><th>devices</th><th>where</th><th>source</th>"
			 "<th>reason or error</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < weft_run_node_count(r); i++) {
		const weft_run_node *nd = weft_run_node_at(r, i);
		weft_buf_puts(b, "<tr data-name=\"");
		esc(b, nd->name);
		weft_buf_printf(b, "\" data-status=\"%s\" style=\"background:%s\"><td>", nd->status ? nd->status : "",
				colour(nd->status));
		esc(b, nd->name);
		weft_buf_puts(b, "</td><td>");
		esc(b, nd->status);
		weft_buf_puts(b, "</td><td>");
		esc(b, nd->cache ? nd->cache : "-");
		weft_buf_printf(b, "</td><td>%.2fs</td><td>", nd->elapsed);
		if (nd->peak_rss_kb > 0)
			weft_buf_printf(b, "%.1f MiB", (double)nd->peak_rss_kb / 1024.0);
		weft_buf_printf(b, "</td><td>%u</td><td>", nd->attempts);
		for (size_t d = 0; d < nd->n_devices; d++) {
			weft_buf_puts(b, d ? ", " : "");
			esc(b, nd->devices[d]);
		}
		weft_buf_puts(b, "</td><td>");
		if (nd->job_id) {
			weft_buf_puts(b, "slurm job ");
			esc(b, nd->job_id);
			weft_buf_puts(b, " on ");
			esc(b, nd->job_host ? nd->job_host : "?");
		} else if (nd->worker_pid) {
			weft_buf_printf(b, "worker %ld", nd->worker_pid);
		}
		weft_buf_puts(b, "</td><td>");
		esc(b, nd->source ? nd->source : "");
		weft_buf_puts(b, "</td><td class=\"why\">");
		esc(b, nd->error ? nd->error : nd->reason ? nd->reason : "");
		weft_buf_puts(b, "</td></tr>\n");
	}
	weft_buf_puts(b, "</tbody></table>\n");
}

static void facts(weft_buf *b, const weft_run *r, const char *store)
{
	const weft_run_info *in = weft_run_get_info(r);
	const weft_run_counts *c = &in->counts;
	weft_buf_puts(b, "<table id=\"facts\">");
	weft_buf_puts(b, "<tr><th>run</th><td>");
	esc(b, in->id);
	weft_buf_puts(b, "</td></tr><tr><th>status</th><td id=\"status\">");
	esc(b, in->status);
	weft_buf_puts(b, "</td></tr><tr><th>pipeline</th><td>");
	esc(b, in->pipeline);
	weft_buf_printf(b, "</td></tr><tr><th>nodes</th><td>%zu: %zu executed, %zu cached, %zu resumed, %zu failed, "
			   "%zu skipped</td></tr><tr><th>wall</th><td>%.2f s</td></tr>",
			c->total, c->executed, c->cached, c->resumed, c->failed, c->skipped, in->wall_seconds);
	weft_buf_puts(b, "<tr><th>store</th><td>");
	esc(b, store);
	weft_buf_puts(b, "</td></tr><tr><th>executor</th><td>");
	esc(b, in->executor);
	weft_buf_puts(b, "</td></tr><tr><th>commit</th><td>");
	if (in->git.present) {
		esc(b, in->git.commit ? in->git.commit : "(none yet)");
		if (in->git.branch) {
			weft_buf_puts(b, " on ");
			esc(b, in->git.branch);
		}
		weft_buf_puts(b, in->git.dirty ? ", dirty work tree" : "");
		for (size_t i = 0; i < in->git.n_dirty_read; i++) {
			weft_buf_puts(b, i ? ", " : "; read with changes: ");
			esc(b, in->git.dirty_read[i]);
		}
	} else {
		weft_buf_puts(b, "not in a git repository");
	}
	weft_buf_puts(b, "</td></tr>");
	const weft_run_llm *l = &in->llm;
	if (l->calls || l->cache_hits || l->unavailable || l->failed)
		weft_buf_printf(b, "<tr><th>LLM</th><td id=\"llm\">%u answers asked (%u requests), %u from the store, "
				   "%llu prompt + %llu completion tokens, %.2f s; %u without an endpoint, %u failed</td></tr>",
				l->calls, l->requests, l->cache_hits, (unsigned long long)l->prompt_tokens,
				(unsigned long long)l->completion_tokens, l->seconds, l->unavailable, l->failed);
	weft_buf_puts(b, "</table>\n<h2>Params</h2>\n<table id=\"params\">");
	if (!weft_value_len(in->params))
		weft_buf_puts(b, "<tr><td>(none)</td></tr>");
	for (size_t i = 0; i < weft_value_len(in->params); i++) {
		char *v = weft_value_to_json(weft_value_map_value_at(in->params, i), 0);
		weft_buf_puts(b, "<tr><th>");
		esc(b, weft_value_map_key_at(in->params, i));
		weft_buf_puts(b, "</th><td>");
		esc(b, v ? v : "?");
		weft_buf_puts(b, "</td></tr>");
		free(v);
	}
	weft_buf_puts(b, "</table>\n");
	if (in->git.n_files) {
		weft_buf_puts(b, "<h2>Files read</h2>\n<table id=\"files\">");
		for (size_t i = 0; i < in->git.n_files; i++) {
			weft_buf_puts(b, "<tr><td>");
			esc(b, in->git.files[i].kind);
			weft_buf_puts(b, "</td><td>");
			esc(b, in->git.files[i].path);
			weft_buf_puts(b, "</td><td>");
			esc(b, in->git.files[i].blob);
			weft_buf_puts(b, "</td></tr>");
		}
		weft_buf_puts(b, "</table>\n");
	}
}

int cmd_report(int argc, char **argv)
{
	const char *store_flag = NULL, *id = NULL, *outfile = NULL;
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i]))
			return fputs(report_help, stdout), WEFT_EXIT_OK;
		if (!strcmp(argv[i], "--store") && i + 1 < argc)
			store_flag = argv[++i];
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			outfile = argv[++i];
		else if (argv[i][0] == '-')
			return fputs(report_help, stderr), cli_fail("unknown option '%s' for `weft report`", argv[i]);
		else if (!id)
			id = argv[i];
		else
			return cli_fail("unexpected argument '%s'; see `weft report --help`", argv[i]);
	}
	char *store = cli_store_dir(store_flag, "."), *opened = NULL;
	weft_run *r = NULL;
	int rc = cli_open_run(&r, &opened, store, id);
	if (rc != WEFT_EXIT_OK) {
		free(store);
		return rc;
	}
	id = opened;
	weft_buf b = {0};
	weft_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>weft run ");
	esc(&b, id);
	weft_buf_puts(&b, "</title>\n<style>body{font-family:sans-serif;margin:1.5em;color:#222}"
			  "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;"
			  "text-align:left;font-size:13px;vertical-align:top}td.why{max-width:40em;white-space:pre-wrap}"
			  "h2{margin-top:1.2em}.scroll{overflow:auto;max-height:70vh;border:1px solid #eee}</style>"
			  "</head><body>\n<h1>weft run ");
	esc(&b, id);
	weft_buf_puts(&b, "</h1>\n");
	facts(&b, r, store);
	weft_buf_puts(&b, "<h2>Graph</h2>\n<div class=\"scroll\">");
	graph_svg(&b, r);
	weft_buf_puts(&b, "</div>\n<h2>Timeline</h2>\n<div class=\"scroll\">");
	timeline_svg(&b, r);
	weft_buf_puts(&b, "</div>\n<h2>Nodes</h2>\n");
	node_table(&b, r);
	weft_buf_puts(&b, "</body></html>\n");
	char *def = outfile ? NULL : weft_sprintf("weft-report-%s.html", id);
	const char *path = outfile ? outfile : def;
	if (!b.data || !path || weft_write_file_atomic(path, b.data, b.len, 0) != WEFT_OK)
		rc = cli_fail("cannot write the report to %s: %s", path ? path : "?", weft_error_last());
	else if (chmod(path, 0644) != 0) /* a report is to be read and passed on */
		rc = cli_fail("cannot make %s readable: %s", path, strerror(errno));
	else
		fprintf(stderr, "weft: wrote %s (run %s, %zu nodes)\n", path, id, weft_run_node_count(r));
	weft_buf_free(&b);
	free(def);
	weft_run_free(r);
	free(opened);
	free(store);
	return rc;
}
