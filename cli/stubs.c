/*
 * stubs.c -- `weft ops --lua-stubs`: LuaLS type stubs (---@meta) for the
 * weft.* verbs, the node options and every op of the loaded plugins, so
 * that an editor with the Lua language server completes and checks
 * pipeline scripts. Written from the same tables the engine checks nodes
 * against, so the stubs cannot drift from what weft accepts.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "weft/dsl.h"

static const char *lua_type(weft_type t)
{
	switch (t) {
	case WEFT_T_STRING:
	case WEFT_T_PATH_OUT:
		return "string";
	case WEFT_T_INT:
		return "integer";
	case WEFT_T_FLOAT:
		return "number";
	case WEFT_T_BOOL:
		return "boolean";
	case WEFT_T_LIST:
	case WEFT_T_MAP:
		return "table";
	default:
		return "any";
	}
}

static const char *option_type(const char *kind)
{
	if (!strcmp(kind, "integer"))
		return "integer";
	if (!strcmp(kind, "bool"))
		return "boolean";
	if (!strcmp(kind, "table"))
		return "table";
	if (!strcmp(kind, "duration") || !strcmp(kind, "size"))
		return "string|number";
	return "string";
}

/* One line of text as a Lua comment (docs may hold newlines). */
static void comment(FILE *f, const char *s)
{
	for (; s && *s; s++)
		fputc(*s == '\n' ? ' ' : *s, f);
}

static void identifier_path(FILE *f, const char *full)
{
	/* ops.core.shell; an op name that is not a Lua identifier is indexed */
	const char *dot = strchr(full, '.');
	fprintf(f, "ops[\"%.*s\"][\"%s\"]", dot ? (int)(dot - full) : (int)strlen(full), full, dot ? dot + 1 : "");
}

void cli_lua_stubs(FILE *f, weft_engine *eng)
{
	fputs("---@meta weft\n-- Type stubs for weft pipelines (docs/dsl.md), written by `weft ops --lua-stubs`.\n"
	      "-- Put this file where the Lua language server looks (workspace.library).\n\n"
	      "---@class weft.node: table  a node; index it by output name (node.out)\n\n"
	      "weft = {}\n",
	      f);
	const char *doc = NULL, *name;
	for (size_t i = 0; (name = weft_dsl_verb_at(i, &doc)); i++) {
		fputs("---", f);
		comment(f, doc);
		fprintf(f, "\n---@param ... any\n---@return any\nfunction weft.%s(...) end\n", name);
	}
	/* The verbs written in Lua (dsl/api.c's prelude and stdlib). */
	fputs("---weft.map(list, f, {name=}) -> list: f(item, i) per item; a node's list fans out at run time\n"
	      "---@param list any\n---@param f fun(item: any, i: integer): any\n---@param opts? table\n---@return any\n"
	      "function weft.map(list, f, opts) end\n"
	      "---weft.glob(pattern, {dirs=, allow_empty=, name=}) -> the {name, path, file} items a pattern matches at run time\n"
	      "---@param pattern string\n---@param opts? table\n---@return any\nfunction weft.glob(pattern, opts) end\n"
	      "---weft.slug(s) -> string: s as a node name\n---@param s string\n---@return string\nfunction weft.slug(s) end\n"
	      "---weft.search{space=, algorithm=, budget=, objective=, ...} -> the search's result (docs/search.md)\n"
	      "---@param spec table\n---@return any\nfunction weft.search(spec) end\n"
	      "---@return table\nfunction weft.floatv(lo, hi, scale) end\n"
	      "---@return table\nfunction weft.intv(lo, hi, scale) end\n"
	      "---@return table\nfunction weft.oneof(values) end\n"
	      "weft.json = {}\n---@param text string\n---@return any\nfunction weft.json.decode(text) end\n"
	      "---@param value any\n---@return string\nfunction weft.json.encode(value) end\n",
	      f);
	fputs("\n---The options every node takes beside its op's parameters and inputs.\n---@class weft.node_options\n", f);
	for (size_t i = 0; i < weft_node_option_count(); i++) {
		const weft_node_option *o = weft_node_option_at(i);
		fprintf(f, "---@field %s? %s ", o->key, option_type(o->kind));
		comment(f, o->doc);
		fputc('\n', f);
	}
	fputs("\nops = {}\n", f);
	const char *last_plugin = "";
	for (size_t i = 0; i < weft_engine_op_count(eng); i++) {
		const weft_op_info *op = weft_engine_op_at(eng, i);
		const weft_op_desc *d = op->desc;
		if (strcmp(op->plugin, last_plugin)) {
			fprintf(f, "ops[\"%s\"] = {}\n", op->plugin);
			last_plugin = op->plugin;
		}
		fprintf(f, "\n---@class %s.args: weft.node_options\n", op->full_name);
		for (size_t p = 0; p < d->n_params; p++) {
			fprintf(f, "---@field %s%s %s ", d->params[p].name, d->params[p].default_json ? "?" : "",
				lua_type(d->params[p].type));
			comment(f, d->params[p].doc);
			if (d->params[p].default_json) {
				fputs(" (default ", f);
				comment(f, d->params[p].default_json);
				fputc(')', f);
			}
			fputc('\n', f);
		}
		for (size_t p = 0; p < d->n_inputs; p++) {
			size_t len = strlen(d->inputs[p]);
			int optional = len && d->inputs[p][len - 1] == '?';
			fprintf(f, "---@field %.*s%s any input\n", (int)(optional ? len - 1 : len), d->inputs[p],
				optional ? "?" : "");
		}
		if (d->flags & WEFT_OP_VARIADIC_INPUTS)
			fputs("---@field [string] any inputs of any name\n", f);
		fputs("---", f);
		comment(f, d->doc);
		fprintf(f, "\n---@param args %s.args\n---@return weft.node\n", op->full_name);
		identifier_path(f, op->full_name);
		fputs(" = function(args) end\n", f);
	}
}
