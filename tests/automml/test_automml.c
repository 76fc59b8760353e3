/* automml's C parts: the rule parser's fields, the architecture counter
 * against hand-computed parameters and FLOPs, and model selection. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "lamp.h"
#include "parse.h"
#include "select.h"

static json_t *parse_ok(const char *text)
{
	char err[256];
	json_t *p = automml_parse_rules(text, err, sizeof err);
	if (!p)
		fail_msg("parse failed: %s", err);
	return p;
}

static const char *sget(const json_t *p, const char *a, const char *b)
{
	return json_string_value(json_object_get(json_object_get(p, a), b));
}

static void test_the_issues_example(void **state)
{
	(void)state;
	json_t *p = parse_ok("I need a model that tells cats from dogs on a phone, under 5M parameters, at least 30 fps");
	assert_string_equal(sget(p, "model", "task"), "classification");
	const json_t *obj = json_object_get(json_object_get(p, "data"), "object");
	assert_int_equal(json_array_size(obj), 2);
	assert_string_equal(json_string_value(json_array_get(obj, 0)), "cat");
	assert_string_equal(json_string_value(json_array_get(obj, 1)), "dog");
	const json_t *m = json_object_get(p, "model");
	assert_true(json_number_value(json_object_get(json_object_get(m, "parameters"), "value")) == 5.0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(m, "parameters"), "unit")), "M");
	assert_true(json_number_value(json_object_get(json_object_get(m, "speed"), "value")) == 30.0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(m, "speed"), "unit")), "fps");
	assert_string_equal(json_string_value(json_object_get(json_object_get(m, "flops"), "unit")), "none");
	json_decref(p);
}

static void test_units_metrics_and_deployment(void **state)
{
	(void)state;
	json_t *p = parse_ok("Segment the road and sidewalk in street scenes with mean IoU of 70%, under 2 GFLOPs and "
			     "20 ms per image, deployed with ONNX Runtime on a CPU.");
	assert_string_equal(sget(p, "model", "task"), "segmentation");
	const json_t *m = json_object_get(p, "model");
	assert_string_equal(json_string_value(json_object_get(json_object_get(m, "flops"), "unit")), "GFLOPs");
	assert_true(json_number_value(json_object_get(json_object_get(m, "flops"), "value")) == 2.0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(m, "speed"), "unit")), "ms");
	const json_t *met = json_array_get(json_object_get(m, "metrics"), 0);
	char canon[64];
	automml_metric_canon(json_string_value(json_object_get(met, "name")), canon, sizeof canon);
	assert_string_equal(canon, "IoU");
	assert_true(json_number_value(json_object_get(met, "value")) > 0.6999 &&
		    json_number_value(json_object_get(met, "value")) < 0.7001);
	assert_string_equal(sget(p, "deploy", "gpu"), "cpu");
	assert_string_equal(sget(p, "deploy", "inference engine"), "onnxruntime");
	json_decref(p);
	/* Percent before the name; a named model; keypoints. */
	p = parse_ok("Use an HRNet for human pose estimation with 85% PCK on GPU, at most 300K params.");
	assert_string_equal(sget(p, "model", "task"), "keypoint");
	assert_string_equal(sget(p, "model", "specific_model"), "hrnet");
	assert_string_equal(sget(p, "deploy", "gpu"), "gpu");
	m = json_object_get(p, "model");
	assert_string_equal(json_string_value(json_object_get(json_object_get(m, "parameters"), "unit")), "K");
	met = json_array_get(json_object_get(m, "metrics"), 0);
	assert_string_equal(json_string_value(json_object_get(met, "name")), "PCK");
	json_decref(p);
}

/* The objects as one string, "a,b", and the task. */
static void expect_parse(const char *text, const char *objects, const char *task)
{
	json_t *p = parse_ok(text);
	char got[256] = "";
	const json_t *obj = json_object_get(json_object_get(p, "data"), "object");
	for (size_t i = 0; i < json_array_size(obj); i++)
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? "," : "",
			 json_string_value(json_array_get(obj, i)));
	if (strcmp(got, objects) || strcmp(sget(p, "model", "task"), task))
		fail_msg("%s\n  objects '%s' task %s; want '%s' %s", text, got, sget(p, "model", "task"), objects, task);
	json_decref(p);
}

static void test_phrasings(void **state)
{
	(void)state;
	/* a verb in any form names the objects and the task */
	expect_parse("A RetinaNet for finding triangles in blueprints with AP of 0.55.", "triangle", "detection");
	expect_parse("Spotting smoke in forest surveillance footage, recall 0.95.", "smoke", "detection");
	expect_parse("Could you train a network that segments skin lesions in dermatology photos?", "skin lesion",
		     "segmentation");
	/* a model's name says its task */
	expect_parse("I'd like a SegFormer that separates people from the background in video calls.", "person",
		     "segmentation");
	/* lists after a colon, and forms */
	expect_parse("detect: apples, lemons. speed: 25 ms. hardware: cpu.", "apple,lemon", "detection");
	expect_parse("Task: image classification. Classes: circle, triangle. Constraint: fewer than 10K parameters.",
		     "circle,triangle", "classification");
	expect_parse("A keypoint detector for stick figures: PCK@0.2 of 0.9, 200K params at most.", "stick figure",
		     "keypoint");
	expect_parse("classifier: squares vs stars vs crosses, max 1M params, openvino", "square,star,cross",
		     "classification");
	/* asides, "which of", classes after "as", a second "from" */
	expect_parse("Need a small detector (under 800K params) for squares and triangles, 0.1 s per frame.",
		     "square,triangle", "detection");
	expect_parse("Identify which of ten digits is shown, precision of at least 0.97.", "digit", "classification");
	expect_parse("Classify x-ray images as pneumonia or normal, 0.5 GFLOPs at most, on CPU.", "pneumonia,normal",
		     "classification");
	expect_parse("Our kiosk should tell apples from pears from a webcam frame; 40 fps.", "apple,pear",
		     "classification");
	expect_parse("detection of rings and hexagons, 250K parameters or fewer, export for openvino", "ring,hexagon",
		     "detection");
	expect_parse("Estimate the body keypoints of basketball players, 1.5 GFLOPs max.", "basketball player",
		     "keypoint");
	/* a number just before the metric's name */
	json_t *p = parse_ok("I want to classify mitotic versus interphase cells, at least 0.9 accuracy please.");
	const json_t *met = json_array_get(json_object_get(json_object_get(p, "model"), "metrics"), 0);
	assert_string_equal(json_string_value(json_object_get(met, "name")), "accuracy");
	assert_true(json_number_value(json_object_get(met, "value")) == 0.9);
	json_decref(p);
}

static void test_lamp_metric_names(void **state)
{
	(void)state;
	const char *pairs[][2] = {{"miou", "IoU"}, {"mean iou", "IoU"}, {"mAP", "AP"}, {"average precision", "AP"},
				  {"Recall", "TPR"}, {"dice score", "Dice coefficient"}, {"F1-score", "F1"},
				  {"pck@0.2", "PCK@0.2"}};
	for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
		char out[64];
		automml_metric_canon(pairs[i][0], out, sizeof out);
		assert_string_equal(out, pairs[i][1]);
	}
}

static void test_bad_requests_are_refused(void **state)
{
	(void)state;
	char err[256];
	assert_null(automml_parse_rules("   \n ", err, sizeof err));
	assert_non_null(strstr(err, "empty"));
	char *big = malloc(AUTOMML_MAX_REQUEST + 2);
	memset(big, 'a', AUTOMML_MAX_REQUEST + 1);
	big[AUTOMML_MAX_REQUEST + 1] = '\0';
	assert_null(automml_parse_rules(big, err, sizeof err));
	assert_non_null(strstr(err, "at most"));
	free(big);
	assert_null(automml_parse_rules("classify \x01 digits", err, sizeof err));
	assert_non_null(strstr(err, "control character"));
}

static void test_lamp_scoring(void **state)
{
	(void)state;
	json_t *gold = parse_ok("detect circles and squares at 25 fps");
	json_t *pred = json_deep_copy(gold);
	int ok[LAMP_N_FIELDS];
	lamp_score(pred, gold, ok);
	for (int k = 0; k < LAMP_N_FIELDS; k++)
		assert_int_equal(ok[k], 1);
	json_array_set_new(json_object_get(json_object_get(pred, "data"), "object"), 0, json_string("Circles"));
	json_object_set_new(json_object_get(pred, "model"), "task", json_string("segmentation"));
	lamp_score(pred, gold, ok);
	assert_int_equal(ok[LAMP_DATA_OBJECT], 1); /* one name contains the other */
	assert_int_equal(ok[LAMP_MODEL_TASK], 0);
	json_t *empty = json_object();
	lamp_score(empty, gold, ok);
	assert_int_equal(ok[LAMP_FORMAT], 0);
	json_decref(empty);
	json_decref(gold);
	json_decref(pred);
}

static arch_cost count(const char *layers, int c, int h, int w, int classes)
{
	json_t *l = json_loads(layers, 0, NULL);
	assert_non_null(l);
	arch_cost cost;
	char err[256];
	if (arch_count(l, c, h, w, classes, 7, &cost, err, sizeof err) != 0)
		fail_msg("%s", err);
	json_decref(l);
	return cost;
}

static void test_counts_match_hand_computation(void **state)
{
	(void)state;
	/* conv 1->16 3x3 on 8x8 (pad 1): 16*9+16 params, 16*64*9 MACs;
	 * pool to 4x4; linear 256->10: 2570 params, 2560 MACs. */
	arch_cost c = count("[{\"op\":\"conv\",\"out\":16,\"k\":3},{\"op\":\"relu\"},{\"op\":\"maxpool\",\"k\":2},"
			    "{\"op\":\"flatten\"},{\"op\":\"linear\",\"out\":\"classes\"}]",
			    1, 8, 8, 10);
	assert_int_equal(c.params, 160 + 2570);
	assert_int_equal(c.flops, 9216 + 2560);
	assert_int_equal(c.out_c, 10);
	/* MobileNetV2 block 16 -> 24, expand 4, stride 2, on 8x8:
	 * expand 16*64 + bn 128; depthwise 9*64 + bn 128 on 4x4; project
	 * 64*24 + bn 48. MACs 16*64*64 + 9*64*16 + 64*24*16. */
	c = count("[{\"op\":\"ir\",\"out\":24,\"expand\":4,\"stride\":2}]", 16, 8, 8, 10);
	assert_int_equal(c.params, 1152 + 704 + 1584);
	assert_int_equal(c.flops, 65536 + 9216 + 24576);
	assert_int_equal(c.out_h, 4);
	/* a U-Net skip: 16 saved channels come back beside 32 upsampled ones */
	c = count("[{\"op\":\"conv\",\"out\":16,\"k\":3},{\"op\":\"save\",\"name\":\"e1\"},{\"op\":\"maxpool\",\"k\":2},"
		  "{\"op\":\"conv\",\"out\":32,\"k\":3},{\"op\":\"up\"},{\"op\":\"concat\",\"with\":\"e1\"},"
		  "{\"op\":\"conv\",\"out\":8,\"k\":1}]",
		  1, 8, 8, 3);
	assert_int_equal(c.params, 160 + 4640 + 392);
	assert_int_equal(c.flops, 9216 + 73728 + 24576);
	assert_int_equal(c.out_c, 8);
	/* a CenterNet head: classes + 4 channels; batch norm has 2 per channel */
	c = count("[{\"op\":\"conv\",\"out\":8,\"k\":3,\"stride\":2},{\"op\":\"bn\"},{\"op\":\"conv\",\"out\":\"classes+4\",\"k\":1}]",
		  1, 16, 16, 3);
	assert_int_equal(c.params, (8 * 9 + 8) + 16 + (8 * 7 + 7));
	assert_int_equal(c.flops, 8 * 64 * 9 + 7 * 64 * 8);
}

static void test_counter_refuses_what_does_not_fit(void **state)
{
	(void)state;
	const char *bad[] = {"[]", "[{\"op\":\"warp\"}]", "[{\"op\":\"linear\",\"out\":4}]",
			     "[{\"op\":\"concat\",\"with\":\"nowhere\"}]", "[{\"op\":\"conv\",\"out\":4,\"k\":9,\"pad\":0}]",
			     "[{\"op\":\"conv\",\"out\":\"many\"}]"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		json_t *l = json_loads(bad[i], 0, NULL);
		arch_cost c;
		char err[256] = "";
		assert_int_equal(arch_count(l, 1, 8, 8, 3, 0, &c, err, sizeof err), -1);
		assert_true(err[0] != '\0');
		json_decref(l);
	}
}

static json_t *cands(void)
{
	/* small: 650 params (64*10+10), 640 MACs; big: 16 hidden */
	return json_loads("[{\"name\":\"small\",\"family\":\"MLP\",\"prior\":0.5,\"latency_ms\":1.0,"
			  "\"layers\":[{\"op\":\"flatten\"},{\"op\":\"linear\",\"out\":\"classes\"}]},"
			  "{\"name\":\"big\",\"family\":\"MobileNet-ish\",\"prior\":0.9,\"latency_ms\":3.0,"
			  "\"layers\":[{\"op\":\"flatten\"},{\"op\":\"linear\",\"out\":16},{\"op\":\"linear\",\"out\":\"classes\"}]}]",
			  0, NULL);
}

static void test_selection_filters_relaxes_and_refuses(void **state)
{
	(void)state;
	json_t *c = cands();
	char err[512];
	limits none = {0};
	json_t *r = select_model(c, &none, "none", 1, 8, 8, 10, 0, err, sizeof err);
	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "chosen"), "name")), "big");
	assert_false(json_is_true(json_object_get(r, "relaxed")));
	json_decref(r);
	/* big has 64*16+16 + 16*10+10 = 1210 params: a 1000 limit leaves small */
	limits lim = {.params = 1000};
	r = select_model(c, &lim, "none", 1, 8, 8, 10, 0, err, sizeof err);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "chosen"), "name")), "small");
	json_decref(r);
	/* 600 params: nothing as stated; small's 650 is within 1.2x */
	lim.params = 600;
	r = select_model(c, &lim, "none", 1, 8, 8, 10, 0, err, sizeof err);
	assert_non_null(r);
	assert_true(json_is_true(json_object_get(r, "relaxed")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "chosen"), "name")), "small");
	json_decref(r);
	/* 100 params: refused, naming the nearest miss */
	lim.params = 100;
	assert_null(select_model(c, &lim, "none", 1, 8, 8, 10, 0, err, sizeof err));
	assert_non_null(strstr(err, "no model in the zoo meets the request"));
	assert_non_null(strstr(err, "small"));
	/* speed: 2 ms leaves small; the family the user named wins over prior */
	limits fast = {.latency_ms = 2.0};
	r = select_model(c, &fast, "none", 1, 8, 8, 10, 0, err, sizeof err);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "chosen"), "name")), "small");
	json_decref(r);
	r = select_model(c, &none, "MLP", 1, 8, 8, 10, 0, err, sizeof err);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "chosen"), "name")), "small");
	json_decref(r);
	json_decref(c);
}

static void test_limits_from_a_parse(void **state)
{
	(void)state;
	json_t *p = parse_ok("classify digits at 50 fps, under 2 million parameters and 300 MFLOPs");
	limits l;
	char err[128];
	assert_int_equal(select_limits(json_object_get(p, "model"), &l, err, sizeof err), 0);
	assert_true(l.params == 2e6);
	assert_true(l.flops == 300e6);
	assert_true(l.latency_ms == 20.0);
	json_decref(p);
	json_t *m = json_loads("{\"parameters\":{\"value\":3,\"unit\":\"Q\"}}", 0, NULL);
	assert_int_equal(select_limits(m, &l, err, sizeof err), -1);
	json_decref(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_issues_example),
		cmocka_unit_test(test_units_metrics_and_deployment),
		cmocka_unit_test(test_phrasings),
		cmocka_unit_test(test_lamp_metric_names),
		cmocka_unit_test(test_bad_requests_are_refused),
		cmocka_unit_test(test_lamp_scoring),
		cmocka_unit_test(test_counts_match_hand_computation),
		cmocka_unit_test(test_counter_refuses_what_does_not_fit),
		cmocka_unit_test(test_selection_filters_relaxes_and_refuses),
		cmocka_unit_test(test_limits_from_a_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
