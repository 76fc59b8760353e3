/*
 * parse.h -- AutoMMLab's request understanding without a model: the rule
 * that runs when no LLM endpoint is configured (or it fails), producing
 * the same JSON as the LLM's parse (docs/plugins/automml.md):
 *
 *   {"data":   {"scenario", "object": [...], "modality", "specific": [...]},
 *    "model":  {"task", "specific_model", "speed": {"value", "unit"},
 *               "flops": {"value", "unit"}, "parameters": {"value", "unit"},
 *               "metrics": [{"name", "value"}]},
 *    "deploy": {"gpu", "inference engine"}}
 *
 * task is classification | detection | segmentation | keypoint; speed units
 * ms | s | fps | none; flops units FLOPs | MFLOPs | GFLOPs | TFLOPs | none;
 * parameter units K | M | B | none; a metric given as a percentage is a
 * fraction (98% -> 0.98); gpu is cpu | gpu | none; the inference engine
 * onnxruntime | ncnn | openvino | none.
 */
#ifndef AUTOMML_PARSE_H
#define AUTOMML_PARSE_H

#include <jansson.h>
#include <stddef.h>

/* Requests longer than this are refused: a request is a paragraph. */
#define AUTOMML_MAX_REQUEST 8192

/* The parse of `text` (a new object), or NULL with a message in err when
 * the request is empty, too long or not text. */
json_t *automml_parse_rules(const char *text, char *err, size_t errlen);

/* LAMP's metric name normalisation (val1_ru's get_metric): "miou",
 * "mean iou" -> "IoU", "map" -> "AP", ... Writes into out. */
void automml_metric_canon(const char *name, char *out, size_t outlen);

/* The JSON Schema the LLM's answer must follow (a new object). */
json_t *automml_parse_schema(void);

/* Fills in what an LLM's answer left out or got wrong in form (units
 * outside their enums, a task not in the four), so downstream stages see
 * one shape; returns 0, or -1 when it is not a parse at all. */
int automml_parse_normalise(json_t *parse);

#endif
