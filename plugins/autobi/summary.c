/*
 * summary.c -- see summary.h.
 */
#define _GNU_SOURCE
#include "summary.h"
#include "textout.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void columns(wtext *b, const json_t *cols)
{
	for (size_t i = 0; i < json_array_size(cols); i++) {
		wtext_printf(b, i ? ", " : "");
		wtext_cell(b, json_string_value(json_array_get(cols, i)));
	}
}

static size_t count_joins(const json_t *joins, const char *table, const char *side)
{
	size_t n = 0;
	for (size_t i = 0; i < json_array_size(joins); i++) {
		const char *t = json_string_value(json_object_get(json_array_get(joins, i), side));
		n += t && !strcmp(t, table);
	}
	return n;
}

char *abi_summary_markdown(const json_t *model)
{
	const char *format = json_string_value(json_object_get(model, "format"));
	if (!format || strcmp(format, "autobi-bi-model/1"))
		return NULL;
	const json_t *tables = json_object_get(model, "tables"), *joins = json_object_get(model, "joins");
	wtext b = {0};
	size_t facts = 0, alone = 0, unsure = 0;
	for (size_t i = 0; i < json_array_size(tables); i++) {
		const json_t *t = json_array_get(tables, i);
		const char *name = json_string_value(json_object_get(t, "name"));
		facts += !strcmp(json_string_value(json_object_get(t, "role")) ?: "", "fact");
		alone += name && !count_joins(joins, name, "from") && !count_joins(joins, name, "to");
	}
	for (size_t i = 0; i < json_array_size(joins); i++)
		unsure += json_number_value(json_object_get(json_array_get(joins, i), "confidence")) < ABI_SUMMARY_UNSURE;
	wtext_printf(&b, "# Auto-BI model: %zu tables, %zu fact%s, %zu joins\n\n", json_array_size(tables), facts,
	    facts == 1 ? "" : "s", json_array_size(joins));
	wtext_printf(&b, "k = %lld fact%s, %s by k-MCA (cost %.3f, %s search).", (long long)json_integer_value(json_object_get(model, "k")),
	    json_integer_value(json_object_get(model, "k")) == 1 ? "" : "s", "chosen", json_number_value(json_object_get(model, "cost")),
	    json_is_true(json_object_get(model, "exact")) ? "exact" : "budget-limited");
	if (unsure || alone)
		wtext_printf(&b, " **To check:** %zu join%s under %.0f%% confidence, %zu table%s joining nothing.", unsure,
		    unsure == 1 ? "" : "s", 100 * ABI_SUMMARY_UNSURE, alone, alone == 1 ? "" : "s");
	wtext_printf(&b, "\n\n## Tables\n\n| table | role | rows | joins out | joins in |\n|---|---|---:|---:|---:|\n");
	for (size_t i = 0; i < json_array_size(tables); i++) {
		const json_t *t = json_array_get(tables, i);
		const char *name = json_string_value(json_object_get(t, "name"));
		wtext_printf(&b, "| ");
		wtext_cell(&b, name);
		wtext_printf(&b, " | %s | %lld | %zu | %zu |\n", json_string_value(json_object_get(t, "role")) ?: "?",
		    (long long)json_integer_value(json_object_get(t, "rows")), count_joins(joins, name ?: "", "from"),
		    count_joins(joins, name ?: "", "to"));
	}
	wtext_printf(&b, "\n## Joins\n\n| from | columns | to | columns | cardinality | confidence | kind |\n"
		"|---|---|---|---|---|---:|---|\n");
	for (size_t i = 0; i < json_array_size(joins); i++) {
		const json_t *j = json_array_get(joins, i);
		double p = json_number_value(json_object_get(j, "confidence"));
		wtext_printf(&b, "| ");
		wtext_cell(&b, json_string_value(json_object_get(j, "from")));
		wtext_printf(&b, " | ");
		columns(&b, json_object_get(j, "from_columns"));
		wtext_printf(&b, " | ");
		wtext_cell(&b, json_string_value(json_object_get(j, "to")));
		wtext_printf(&b, " | ");
		columns(&b, json_object_get(j, "to_columns"));
		wtext_printf(&b, " | %s | %.3f%s | %s |\n", json_string_value(json_object_get(j, "cardinality")) ?: "?", p,
		    p < ABI_SUMMARY_UNSURE ? " (check)" : "", json_string_value(json_object_get(j, "kind")) ?: "?");
	}
	if (!json_array_size(joins))
		wtext_printf(&b, "| (none) | | | | | | |\n");
	wtext_printf(&b, "\nThe model is model.json; model.dot draws it (`dot -Tsvg model.dot > model.svg`).\n");
	return wtext_take(&b);
}
