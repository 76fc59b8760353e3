/*
 * eval.c -- automml-eval: AutoMMLab's measurements that need no training.
 *
 *   automml-eval parse FILE.jsonl... [--show-errors] [--min F]
 *       the rule parser against gold parses (LAMP-mini, bench/automml/),
 *       per field as LAMP's val1_ru scores it; with --min, exits 1 when a
 *       field of any file is under F.
 *   automml-eval score GOLD.jsonl PRED.jsonl
 *       parses made elsewhere (PRED lines {id, parse}, e.g. the LLM's
 *       through automml.parse) against the gold ones, the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lamp.h"
#include "parse.h"

/* The prediction for `id` in PRED (a new reference), or NULL. */
static json_t *pred_of(const char *predfile, const char *id)
{
	FILE *f = predfile ? fopen(predfile, "r") : NULL;
	char *line = NULL;
	size_t cap = 0;
	json_t *found = NULL;
	while (f && !found && getline(&line, &cap, f) > 0) {
		json_t *r = json_loads(line, 0, NULL);
		const char *rid = json_string_value(json_object_get(r, "id"));
		if (rid && id && !strcmp(rid, id))
			found = json_incref(json_object_get(r, "parse"));
		json_decref(r);
	}
	free(line);
	if (f)
		fclose(f);
	return found;
}

static int eval_file(const char *path, const char *predfile, int show, double min, int *below)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "automml-eval: cannot open %s\n", path);
		return 2;
	}
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;
	int n = 0, right[LAMP_N_FIELDS] = {0}, whole = 0;
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		json_error_t je;
		json_t *rec = json_loads(line, 0, &je);
		const char *req = json_string_value(json_object_get(rec, "requirement"));
		const json_t *gold = json_object_get(rec, "parse");
		if (!req || !gold) {
			fprintf(stderr, "%s:%ld: not a {requirement, parse} record\n", path, lineno);
			json_decref(rec);
			continue;
		}
		char err[256] = "no prediction";
		json_t *pred = predfile ? pred_of(predfile, json_string_value(json_object_get(rec, "id")))
					: automml_parse_rules(req, err, sizeof err);
		int ok[LAMP_N_FIELDS];
		lamp_score(pred, gold, ok);
		int all = 1;
		for (int k = 0; k < LAMP_N_FIELDS; k++) {
			right[k] += ok[k];
			all &= ok[k];
			if (!ok[k] && show) {
				char *p = pred ? json_dumps(pred, JSON_COMPACT | JSON_SORT_KEYS) : strdup(err);
				printf("  %s %s: %s\n    got %s\n", json_string_value(json_object_get(rec, "id")),
				       lamp_field_names[k], req, p);
				free(p);
			}
		}
		whole += all;
		n++;
		json_decref(pred);
		json_decref(rec);
	}
	free(line);
	fclose(f);
	printf("%s: %d requests\n", path, n);
	for (int k = 0; k < LAMP_N_FIELDS; k++) {
		double acc = n ? (double)right[k] / n : 0;
		printf("  %-15s %.3f (%d/%d)\n", lamp_field_names[k], acc, right[k], n);
		if (acc < min)
			*below = 1;
	}
	printf("  %-15s %.3f (%d/%d)\n", "whole request", n ? (double)whole / n : 0, whole, n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "score")) {
		int below = 0;
		return eval_file(argv[2], argv[3], 0, -1, &below);
	}
	if (argc < 3 || strcmp(argv[1], "parse")) {
		fprintf(stderr, "usage: automml-eval parse FILE.jsonl... [--show-errors] [--min F]\n"
				"       automml-eval score GOLD.jsonl PRED.jsonl\n");
		return 2;
	}
	int show = 0, below = 0;
	double min = -1;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--show-errors"))
			show = 1;
		else if (!strcmp(argv[i], "--min") && i + 1 < argc)
			min = atof(argv[++i]);
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--min")) {
			i++;
			continue;
		}
		if (argv[i][0] == '-')
			continue;
		int rc = eval_file(argv[i], NULL, show, min, &below);
		if (rc)
			return rc;
	}
	return below;
}
