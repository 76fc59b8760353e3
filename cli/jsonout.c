/*
 * jsonout.c -- what the commands' --json prints: a value as indented JSON,
 * and the strings such a value is made of.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

weft_value *cli_json_str(const char *s)
{
	return s ? weft_value_string(s, strlen(s)) : weft_value_null();
}

void cli_print_json(weft_value *v, const char *if_oom)
{
	char *text = v ? weft_value_to_json(v, 1) : NULL;
	printf("%s\n", text ? text : if_oom);
	free(text);
	weft_value_free(v);
}
