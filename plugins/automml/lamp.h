/*
 * lamp.h -- scoring a request parse against a gold one field by field, as
 * LAMP's val1_ru.py does (AutoMMLab's benchmark), so that the rule parser
 * and the LLM are measured the same way.
 */
#ifndef AUTOMML_LAMP_H
#define AUTOMML_LAMP_H

#include <jansson.h>

enum {
	LAMP_FORMAT,
	LAMP_DATA_OBJECT,
	LAMP_MODEL_TASK,
	LAMP_MODEL_SPECIFIC,
	LAMP_MODEL_SPEED,
	LAMP_MODEL_FLOPS,
	LAMP_MODEL_PARAMS,
	LAMP_MODEL_METRIC,
	LAMP_DEPLOY_GPU,
	LAMP_DEPLOY_ENGINE,
	LAMP_N_FIELDS
};
extern const char *const lamp_field_names[LAMP_N_FIELDS];

/* Sets ok[f] to 1 for each field `pred` gets right against `gold`. A pred
 * that is not a parse (no data.object or model.task) fails every field. */
void lamp_score(const json_t *pred, const json_t *gold, int ok[LAMP_N_FIELDS]);

#endif
