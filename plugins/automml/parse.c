/*
 * parse.c -- the rule-based request parser (parse.h).
 *
 * A request is a sentence or three. The rules read it in passes over a
 * lower-cased copy: the task from weighted cue words, numbers with their
 * units (parameters, FLOPs, speed), metrics with the number nearest them,
 * the deployment words, a named model or dataset, and the objects from the
 * phrase a cue verb or noun introduces ("tells cats from dogs", "detector
 * for circles and squares", "human body keypoints"). What no rule finds
 * keeps its default (0 / "none" / []), as the LLM's schema asks.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define MAX_OBJECTS 12
#define WORD 64

/* ------------------------------------------------------------ text helpers */

static int is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '@';
}

/* `w` occurs in `s` at `p` as whole words. */
static int word_at(const char *s, const char *p, const char *w)
{
	size_t n = strlen(w);
	if (strncmp(p, w, n))
		return 0;
	if (p > s && is_word_char(p[-1]) && is_word_char(w[0]))
		return 0;
	/* "an OpenPose-like model", "a U-Net-style net" name the model */
	static const char *const suffixes[] = {"-like", "-style", "-based", "-type", NULL};
	for (const char *const *x = suffixes; *x; x++)
		if (!strncmp(p + n, *x, strlen(*x)) && !is_word_char(p[n + strlen(*x)]))
			return 1;
	return !is_word_char(p[n]) || !is_word_char(w[n - 1]);
}

/* The first whole-word occurrence of `w` in s (from `from`), or NULL. */
static const char *find_word(const char *s, const char *from, const char *w)
{
	for (const char *p = strstr(from, w); p; p = strstr(p + 1, w))
		if (word_at(s, p, w))
			return p;
	return NULL;
}

static int has_word(const char *s, const char *w)
{
	return find_word(s, s, w) != NULL;
}

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A number at p ("30", "0.5", ".9"); its end in *end, or 0 when none. */
static int number_at(const char *s, const char *p, double *v, const char **end)
{
	if (p > s && (isalnum((unsigned char)p[-1]) || p[-1] == '.' || p[-1] == '@' || p[-1] == '-'))
		return 0;
	if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1])))
		return 0;
	char *e;
	*v = strtod(p, &e);
	if (e == p)
		return 0;
	if (e[-1] == '.') /* "0.9." ends a sentence */
		e--;
	*end = e;
	return 1;
}

/* The word of letters starting at p, lower-cased into out. */
static const char *read_word(const char *p, char *out, size_t n)
{
	size_t k = 0;
	while (is_word_char(*p) && k + 1 < n)
		out[k++] = *p++;
	out[k] = '\0';
	while (is_word_char(*p))
		p++;
	return p;
}

/* ------------------------------------------------------------ task */

typedef struct cue {
	const char *w;
	int weight;
} cue;

static const cue task_cues[4][32] = {
	{{"classif", 3}, {"classifier", 3}, {"recognis", 2}, {"recogniz", 2}, {"recognition", 2}, {"tell", 2},
	 {"tells", 2}, {"distinguish", 3}, {"distinguishes", 3}, {"sort", 2}, {"sorting", 2}, {"identify which", 3},
	 {"separating", 2}, {"top-1", 2}, {"accuracy", 1}, {NULL, 0}},
	{{"detect", 3}, {"detects", 3}, {"detector", 3}, {"detection", 3}, {"detecting", 3}, {"box", 2}, {"boxes", 2},
	 {"bounding", 2}, {"locate", 2}, {"spot", 2}, {"find", 1}, {"yolo", 3}, {"ssd", 3}, {"centernet", 3},
	 {"faster r-cnn", 3}, {"retinanet", 3}, {"map", 1}, {"ap50", 2}, {"average precision", 1}, {"yolov3", 3},
	 {"yolov5", 3}, {"yolov8", 3}, {"yolox", 3}, {"fcos", 3}, {"detr", 3}, {NULL, 0}},
	{{"segment", 4}, {"segments", 4}, {"segmenting", 4}, {"segmentation", 4}, {"segmenter", 4}, {"mask", 3}, {"masks", 3},
	 {"pixel", 2}, {"pixel-level", 3}, {"outline", 2}, {"outlines", 2}, {"u-net", 3}, {"unet", 3},
	 {"deeplab", 3}, {"deeplabv3", 3}, {"deeplabv3+", 3}, {"pspnet", 3}, {"segformer", 3}, {"miou", 2},
	 {"iou", 1}, {"dice", 2}, {NULL, 0}},
	{{"keypoint", 5}, {"keypoints", 5}, {"key points", 5}, {"pose", 5}, {"skeleton", 5}, {"joints", 4},
	 {"landmarks", 5}, {"hrnet", 4}, {"simplebaseline", 4}, {"openpose", 4}, {"rtmpose", 4}, {"litehrnet", 4},
	 {"pck", 3}, {"pck@0.2", 3}, {NULL, 0}},
};
static const char *const task_names[4] = {"classification", "detection", "segmentation", "keypoint"};

static int verb_form(const char *w, const char *stem);

static const char *task_of(const char *lc)
{
	int best = 0, score[4] = {0};
	for (int t = 0; t < 4; t++) {
		for (const cue *c = task_cues[t]; c->w; c++) {
			/* "classif" and "recognis" are stems: prefix matches;
			 * one-word cues are read word by word below */
			size_t n = strlen(c->w);
			int stem = !strcmp(c->w, "classif") || !strcmp(c->w, "recognis") || !strcmp(c->w, "recogniz");
			if (!stem && !strpbrk(c->w, " @"))
				continue;
			for (const char *p = strstr(lc, c->w); p; p = strstr(p + n, c->w))
				if (stem ? (p == lc || !isalnum((unsigned char)p[-1])) : word_at(lc, p, c->w))
					score[t] += c->weight;
		}
		/* each word once, as its strongest cue, in any form: "spotting",
		 * "poses", "landmark" */
		for (const char *p = lc; *p; p++) {
			if (!is_word_char(*p) || (p > lc && is_word_char(p[-1])))
				continue;
			char w[64];
			read_word(p, w, sizeof w);
			int top = 0;
			for (const cue *c = task_cues[t]; c->w; c++)
				if (!strpbrk(c->w, " @") && strcmp(c->w, "classif") && strncmp(c->w, "recogni", 7) &&
				    (!strcmp(w, c->w) || verb_form(w, c->w) ||
				     (!strcmp(c->w + strlen(c->w) - 1, "s") && !strncmp(w, c->w, strlen(c->w) - 1) &&
				      !w[strlen(c->w) - 1])) &&
				    c->weight > top)
					top = c->weight;
			score[t] += top;
		}
		if (score[t] > score[best])
			best = t;
	}
	/* AutoMMLab's rule: detection and classification together is
	 * detection ("detect and classify fruits"). */
	if (best == 0 && score[1] >= 3)
		best = 1;
	return task_names[best];
}

/* ------------------------------------------------------------ quantities */

static void set_vu(json_t *o, double v, const char *unit)
{
	json_object_set_new(o, "value", json_real(v));
	json_object_set_new(o, "unit", json_string(unit));
}

/* What follows a number: a unit this parser knows, and where it ends. */
typedef enum { U_NONE, U_PARAMS, U_FLOPS, U_SPEED, U_PERCENT } ukind;

typedef struct unit_read {
	ukind kind;
	const char *unit; /* the schema's spelling */
	const char *end;
} unit_read;

static unit_read unit_after(const char *lc, const char *p)
{
	unit_read u = {U_NONE, NULL, p};
	const char *q = skip_space(p);
	char w[WORD], w2[WORD];
	if (*q == '%') {
		u.kind = U_PERCENT;
		u.end = q + 1;
		return u;
	}
	const char *a = read_word(q, w, sizeof w);
	const char *b = read_word(skip_space(a), w2, sizeof w2);
	static const struct {
		const char *w, *unit;
	} mult[] = {{"k", "K"}, {"thousand", "K"}, {"m", "M"}, {"million", "M"}, {"mil", "M"}, {"b", "B"}, {"billion", "B"}};
	static const struct {
		const char *w, *unit;
	} flops[] = {{"flops", "FLOPs"}, {"mflops", "MFLOPs"}, {"gflops", "GFLOPs"}, {"tflops", "TFLOPs"},
		     {"gflop", "GFLOPs"}, {"mflop", "MFLOPs"}, {"gmacs", "GFLOPs"}, {"mmacs", "MFLOPs"}};
	if (!strcmp(w, "percent") || !strcmp(w, "per") ? !strcmp(w, "percent") : 0) {
		u.kind = U_PERCENT;
		u.end = a;
		return u;
	}
	for (size_t i = 0; i < sizeof flops / sizeof *flops; i++)
		if (!strcmp(w, flops[i].w)) {
			u = (unit_read){U_FLOPS, flops[i].unit, a};
			return u;
		}
	/* "5M params", "2 million parameters", "100K params" */
	for (size_t i = 0; i < sizeof mult / sizeof *mult; i++) {
		size_t n = strlen(mult[i].w);
		if (!strncmp(w, mult[i].w, n) && (!strncmp(w + n, "param", 5) || (!w[n] && !strncmp(w2, "param", 5)))) {
			u = (unit_read){U_PARAMS, mult[i].unit, w[n] ? a : b};
			return u;
		}
		if (!strcmp(w, mult[i].w) && (!strcmp(w2, "flops") || !strcmp(w2, "flop"))) {
			u = (unit_read){U_FLOPS, mult[i].unit[0] == 'K' ? "FLOPs" : mult[i].unit[0] == 'M' ? "MFLOPs" : "GFLOPs", b};
			return u;
		}
	}
	if (!strncmp(w, "param", 5)) {
		u = (unit_read){U_PARAMS, "none", a};
		return u;
	}
	if (!strcmp(w, "fps") || (!strcmp(w, "frames") && !strcmp(w2, "per")) || (!strcmp(w, "frame") && !strcmp(w2, "per"))) {
		u = (unit_read){U_SPEED, "fps", a};
		return u;
	}
	if (!strcmp(w, "ms") || !strncmp(w, "millisecond", 11) || !strcmp(w, "msec")) {
		u = (unit_read){U_SPEED, "ms", a};
		return u;
	}
	if (!strcmp(w, "s") || !strcmp(w, "sec") || !strncmp(w, "second", 6)) {
		u = (unit_read){U_SPEED, "s", a};
		return u;
	}
	(void)lc;
	return u;
}

static void quantities(const char *lc, json_t *model)
{
	for (const char *p = lc; *p; p++) {
		double v;
		const char *end;
		if (!number_at(lc, p, &v, &end))
			continue;
		unit_read u = unit_after(lc, end);
		const char *field = u.kind == U_PARAMS ? "parameters" : u.kind == U_FLOPS ? "flops" : u.kind == U_SPEED ? "speed" : NULL;
		if (field) {
			json_t *o = json_object_get(model, field);
			/* The first mention wins ("under 5M params, ideally 3M"). */
			if (!strcmp(json_string_value(json_object_get(o, "unit")), "none"))
				set_vu(o, v, u.unit);
		}
		p = end - 1;
	}
}

/* ------------------------------------------------------------ metrics */

typedef struct metric_name {
	const char *w;     /* as written, lower case */
	const char *canon; /* what the parse says */
} metric_name;

/* Longest first: "pixel accuracy" before "accuracy", "mean iou" before "iou". */
static const metric_name metric_names[] = {
	{"top-1 accuracy", "top-1 accuracy"}, {"top-5 accuracy", "top-5 accuracy"}, {"pixel accuracy", "pixel accuracy"},
	{"pixel-wise accuracy", "pixel accuracy"}, {"per-pixel accuracy", "pixel accuracy"},
	{"pixel-level accuracy", "pixel accuracy"}, {"map@0.5", "mAP"}, {"average precision", "AP"}, {"dice coefficient", "Dice coefficient"},
	{"dice score", "Dice coefficient"}, {"dice similarity coefficient", "Dice coefficient"}, {"mean iou", "mIoU"},
	{"f1 score", "F1"}, {"f1-score", "F1"}, {"pck@0.2", "PCK@0.2"}, {"pck@0.5", "PCK@0.5"}, {"accuracy", "accuracy"},
	{"precision", "precision"}, {"recall", "recall"}, {"miou", "mIoU"}, {"iou", "IoU"}, {"dice", "Dice coefficient"},
	{"ap50", "AP50"}, {"ap75", "AP75"}, {"map", "mAP"}, {"ap", "AP"}, {"f1", "F1"}, {"pck", "PCK"}, {"auc", "AUC"},
};
#define N_METRICS (sizeof metric_names / sizeof *metric_names)

/* A metric's target near its name: the first plain number after it in the
 * same clause (not one with a unit of its own), else "N%" just before it. */
static int metric_value(const char *lc, const char *start, const char *end, double *out)
{
	int steps = 0;
	for (const char *p = end; *p && steps < 48; p++, steps++) {
		if (*p == ',' || *p == ';' || *p == '!' || *p == '?' || (*p == '.' && !isdigit((unsigned char)p[1])))
			break;
		double v;
		const char *e;
		if (!number_at(lc, p, &v, &e))
			continue;
		unit_read u = unit_after(lc, e);
		if (u.kind == U_PERCENT) {
			*out = v / 100.0;
			return 1;
		}
		if (u.kind == U_NONE) {
			*out = v > 1.0 && v <= 100.0 ? v / 100.0 : v;
			return 1;
		}
		p = e - 1;
	}
	/* "98% accuracy", "target 85% accuracy", "at least 0.9 accuracy" */
	for (const char *p = start - 1; p >= lc && start - p < 24; p--) {
		double v;
		const char *e;
		if (number_at(lc, p, &v, &e)) {
			unit_read u = unit_after(lc, e);
			if (u.kind == U_PERCENT && skip_space(u.end) >= start - 1) {
				*out = v / 100.0;
				return 1;
			}
			if (u.kind == U_NONE && v > 0 && v <= 1.0 && skip_space(e) == start) {
				*out = v;
				return 1;
			}
		}
	}
	return 0;
}

static void metrics(const char *lc, json_t *model)
{
	json_t *arr = json_object_get(model, "metrics");
	char *used = calloc(strlen(lc) + 1, 1);
	if (!used)
		return;
	for (size_t m = 0; m < N_METRICS; m++) {
		size_t n = strlen(metric_names[m].w);
		for (const char *p = find_word(lc, lc, metric_names[m].w); p; p = find_word(lc, p + 1, metric_names[m].w)) {
			size_t off = (size_t)(p - lc);
			int taken = 0;
			for (size_t k = 0; k < n; k++)
				taken |= used[off + k];
			if (taken)
				continue;
			memset(used + off, 1, n);
			double v;
			if (!metric_value(lc, p, p + n, &v))
				continue;
			int dup = 0;
			for (size_t i = 0; i < json_array_size(arr); i++)
				dup |= !strcmp(json_string_value(json_object_get(json_array_get(arr, i), "name")),
					       metric_names[m].canon);
			if (!dup)
				json_array_append_new(arr, json_pack("{s:s,s:f}", "name", metric_names[m].canon, "value",
								     round(v * 10000) / 10000));
		}
	}
	free(used);
}

void automml_metric_canon(const char *name, char *out, size_t outlen)
{
	char lc[128];
	size_t k = 0;
	for (; name && name[k] && k + 1 < sizeof lc; k++)
		lc[k] = (char)tolower((unsigned char)name[k]);
	lc[k] = '\0';
	const char *r = lc;
	if (!strcmp(lc, "localization accuracy") || !strcmp(lc, "classification accuracy") ||
	    !strcmp(lc, "detection accuracy"))
		r = "accuracy";
	else if (!strcmp(lc, "tracking precision") || !strcmp(lc, "precision"))
		r = "precision";
	else if (!strcmp(lc, "ap") || !strcmp(lc, "detection ap") || !strcmp(lc, "average precision") ||
		 !strcmp(lc, "map"))
		r = "AP";
	else if (!strcmp(lc, "tpr") || !strcmp(lc, "sensitivity") || !strcmp(lc, "recall"))
		r = "TPR";
	else if (!strcmp(lc, "iou") || !strcmp(lc, "jaccard index") || !strcmp(lc, "miou") || !strcmp(lc, "mean iou"))
		r = "IoU";
	else if (!strcmp(lc, "dice coefficient") || !strcmp(lc, "dice score") ||
		 !strcmp(lc, "dice similarity coefficient") || !strcmp(lc, "dsc") || !strcmp(lc, "dice"))
		r = "Dice coefficient";
	else if (!strcmp(lc, "f1") || !strcmp(lc, "f1 score") || !strcmp(lc, "f1-score"))
		r = "F1";
	else if (!strcmp(lc, "pixel accuracy") || !strcmp(lc, "pixel-wise accuracy"))
		r = "pixel accuracy";
	else if (!strcmp(lc, "ap50") || !strcmp(lc, "ap@0.5") || !strcmp(lc, "map@0.5"))
		r = "AP50";
	else if (!strncmp(lc, "pck", 3)) {
		/* "pck@0.2" -> "PCK@0.2" */
		snprintf(out, outlen, "PCK%s", lc + 3);
		return;
	}
	snprintf(out, outlen, "%s", r);
}

/* ------------------------------------------------------------ deploy, names */

static void deploy(const char *lc, json_t *dep)
{
	const char *gpu = "none";
	if (has_word(lc, "without gpu") || has_word(lc, "without a gpu") || has_word(lc, "no gpu") ||
	    has_word(lc, "cpu") || has_word(lc, "cpu-only") || has_word(lc, "cpus"))
		gpu = "cpu";
	else if (has_word(lc, "gpu") || has_word(lc, "gpus") || has_word(lc, "cuda"))
		gpu = "gpu";
	json_object_set_new(dep, "gpu", json_string(gpu));
	const char *eng = "none";
	if (has_word(lc, "onnxruntime") || has_word(lc, "onnx runtime") || has_word(lc, "onnx"))
		eng = "onnxruntime";
	else if (has_word(lc, "ncnn"))
		eng = "ncnn";
	else if (has_word(lc, "openvino"))
		eng = "openvino";
	json_object_set_new(dep, "inference engine", json_string(eng));
}

static const char *const model_names[] = {
	"resnet-18", "resnet-34", "resnet-50", "resnet-101", "resnet18", "resnet50", "resnet", "mobilenetv2", "mobilenetv3",
	"mobilenet", "efficientnet", "vgg", "vit", "convnext", "shufflenet", "densenet", "yolov3", "yolov5", "yolov8",
	"yolox", "yolo", "ssd", "faster r-cnn", "retinanet", "centernet", "fcos", "detr", "u-net", "unet", "deeplabv3+",
	"deeplabv3", "deeplab", "pspnet", "segformer", "fcn", "hrnet", "simplebaseline", "openpose", "rtmpose",
	"litehrnet", NULL};
static const char *const dataset_names[] = {"mnist", "cifar-10", "cifar10", "cifar-100", "imagenet", "coco",
					     "cityscapes", "pascal voc", "voc", "ade20k", "ap-10k", "mpii", NULL};

static const char *first_of(const char *lc, const char *const *names)
{
	const char *best = NULL, *at = NULL;
	for (const char *const *n = names; *n; n++) {
		const char *p = find_word(lc, lc, *n);
		if (p && (!at || p < at)) {
			at = p;
			best = *n;
		}
	}
	return best;
}

/* ------------------------------------------------------------ objects */

/* Words that end the phrase naming the objects. */
static const char *const stop_words[] = {
	"in", "on", "at", "for", "with", "using", "within", "under", "below", "above", "less", "to", "that", "which",
	"who", "when", "while", "running", "deploy", "deployed", "deploying", "please", "is", "are", "should", "must",
	"written", "drawn", "shown", "taken", "captured", "printed", "appearing", "by", "via", "max", "at", "inside",
	"across", "so", "then", "but", "as", "than", "keep", "make", "model", "models", "it", "they", "we", "i", "our",
	"accuracy", "mean", "nothing", "per", "into", "from", "of", "put", "and then", NULL};
/* Words that are not the objects themselves. */
static const char *const generic_words[] = {
	"image", "images", "picture", "pictures", "photo", "photos", "model", "quick", "simple", "small", "tiny", "good",
	"fast", "new", "custom", "robust", "object", "objects", "thing", "things", "something", "everything", "animal",
	"keypoint", "keypoints", "pose", "poses", "landmark", "landmarks", "joints", "skeleton", "mask", "masks", "semantic",
	"body", "lightweight", "accurate", "deep", "neural", "network", "cnn", "pixel-wise", "per-pixel",
	"pixel-level", "instance", "real-time", "realtime", "background", "else", "rest", NULL};
static const char *const determiners[] = {"the", "a", "an", "every", "all", "each", "some", "any", "our", "my",
					  "their", "which", "of", "these", "those", "ten", "two", "three", "several",
					  "many", "both", "just", "only", NULL};

static int in_list(const char *w, const char *const *list)
{
	for (const char *const *l = list; *l; l++)
		if (!strcmp(w, *l))
			return 1;
	return 0;
}

/* Trailing plural off the last word: "daisies" -> "daisy", "people" -> "person". */
static void singular(char *w)
{
	static const struct {
		const char *pl, *sg;
	} irregular[] = {{"people", "person"}, {"men", "man"}, {"women", "woman"}, {"children", "child"},
			 {"mice", "mouse"}, {"leaves", "leaf"}, {"knives", "knife"}, {"wolves", "wolf"},
			 {"geese", "goose"}, {"teeth", "tooth"}, {"feet", "foot"}};
	char *last = strrchr(w, ' ');
	last = last ? last + 1 : w;
	for (size_t i = 0; i < sizeof irregular / sizeof *irregular; i++)
		if (!strcmp(last, irregular[i].pl)) {
			strcpy(last, irregular[i].sg);
			return;
		}
	size_t n = strlen(last);
	if (n < 4 || last[n - 1] != 's' || last[n - 2] == 's' || last[n - 2] == 'u' || last[n - 2] == 'i')
		return;
	if (n > 4 && !strcmp(last + n - 3, "ies")) {
		strcpy(last + n - 3, "y");
	} else if (n > 4 && last[n - 2] == 'e' &&
		   ((last[n - 3] == 's' && last[n - 4] == 's') || last[n - 3] == 'x' || last[n - 3] == 'z' ||
		    (last[n - 3] == 'h' && (last[n - 4] == 'c' || last[n - 4] == 's')))) {
		last[n - 2] = '\0'; /* crosses, boxes, bushes (but roses, horses: rose, horse) */
	} else {
		last[n - 1] = '\0';
	}
}

/* Synonyms the zoo and the gold parses share. */
static void canon_object(char *w)
{
	if (!strcmp(w, "human body") || !strcmp(w, "human") || !strcmp(w, "body"))
		strcpy(w, strcmp(w, "human") ? "person" : "human");
}

typedef struct objs {
	char v[MAX_OBJECTS][WORD];
	int n;
} objs;

/* Adds one item ("the handwritten digits") after cleaning it. */
static void add_item(objs *o, const char *s, size_t len)
{
	char buf[256], out[WORD] = "";
	if (len >= sizeof buf)
		len = sizeof buf - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	char *save = NULL;
	size_t k = 0;
	for (char *t = strtok_r(buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		/* trim punctuation around a word */
		while (*t && !isalnum((unsigned char)*t))
			t++;
		size_t tl = strlen(t);
		while (tl && !isalnum((unsigned char)t[tl - 1]))
			t[--tl] = '\0';
		if (!tl)
			continue;
		int numeric = 1;
		for (size_t i = 0; i < tl; i++)
			numeric &= isdigit((unsigned char)t[i]) || t[i] == '-' || t[i] == '.';
		if (numeric || (!k && (in_list(t, determiners) || in_list(t, generic_words))))
			continue;
		/* "segmentation model: teeth in dental x-rays": a list item ends
		 * where its phrase would */
		if (k && in_list(t, stop_words))
			break;
		if (k + tl + 2 >= sizeof out)
			break;
		k += (size_t)snprintf(out + k, sizeof out - k, "%s%s", k ? " " : "", t);
	}
	canon_object(out);
	/* A trailing generic word goes too ("ring images" -> "ring"), unless
	 * nothing else is left. */
	char *last = strrchr(out, ' ');
	if (last && in_list(last + 1, generic_words))
		*last = '\0';
	if (!out[0] || in_list(out, generic_words) || o->n >= MAX_OBJECTS)
		return;
	singular(out);
	canon_object(out);
	for (int i = 0; i < o->n; i++)
		if (!strcmp(o->v[i], out))
			return;
	snprintf(o->v[o->n++], WORD, "%s", out);
}

/* The end of the phrase starting at p: a stop word or punctuation; a
 * comma goes on only into a list that an "and"/"or" ends. */
static const char *phrase_end(const char *lc, const char *p, int allow_from)
{
	const char *q = p;
	int conj = 0; /* an "and"/"or" has ended a list: the next comma ends the phrase */
	while (*q) {
		if (*q == '.' || *q == ';' || *q == ':' || *q == '!' || *q == '?' || *q == '(' || *q == ')' || *q == '\n')
			return q;
		if (*q == ',' && conj)
			return q;
		if ((q == p || q[-1] == ' ') && (word_at(lc, q, "and") || word_at(lc, q, "or")))
			conj = 1;
		if (*q == ',') {
			const char *e = q + 1;
			int list = 0;
			while (*e && *e != '.' && *e != ';' && *e != ',' && *e != ':') {
				if (word_at(lc, e, "and") || word_at(lc, e, "or")) {
					list = 1;
					break;
				}
				e++;
			}
			if (*e == ',' && !list) {
				/* "a, b, c and d": look one comma further */
				const char *f = e + 1;
				while (*f && *f != '.' && *f != ';' && *f != ',')
					list |= word_at(lc, f, "and") || word_at(lc, f, "or"), f++;
			}
			if (!list)
				return q;
		}
		if ((q == p || q[-1] == ' ') && is_word_char(*q)) {
			char w[WORD];
			read_word(q, w, sizeof w);
			/* "tell apples from pears from a webcam frame": the
			 * second "from" is where they come from */
			int from = !strcmp(w, "from");
			if (in_list(w, stop_words) && !(allow_from && from) && q != p)
				return q;
			if (from)
				allow_from = 0;
		}
		q++;
	}
	return q;
}

/* Splits [p, end) on ",", "and", "or", "vs", "versus", "&" (and "from"
 * when `pair`), and adds the items. */
static void split_items(objs *o, const char *lc, const char *p, const char *end, int pair)
{
	const char *start = p, *q = p;
	objs tmp = {0};
	while (q <= end) {
		size_t skip = 0;
		if (q == end)
			skip = 1;
		else if (*q == ',' || *q == '&')
			skip = 1;
		else if (q > lc && q[-1] == ' ') {
			const char *seps[] = {"and ", "or ", "vs ", "vs. ", "versus ", "from ", NULL};
			for (const char **s = seps; *s; s++)
				if (!strncmp(q, *s, strlen(*s)) && (pair || strcmp(*s, "from "))) {
					skip = strlen(*s);
					break;
				}
		}
		if (skip) {
			if (q > start)
				add_item(&tmp, start, (size_t)(q - start));
			if (q == end)
				break;
			q += skip;
			start = q;
			continue;
		}
		q++;
	}
	/* "defective from normal screws": the lone adjective borrows the
	 * last item's noun. */
	if (tmp.n == 2 && !strchr(tmp.v[0], ' ') && strchr(tmp.v[1], ' ')) {
		const char *noun = strrchr(tmp.v[1], ' ') + 1;
		char joined[WORD];
		snprintf(joined, sizeof joined, "%.31s %.31s", tmp.v[0], noun);
		snprintf(tmp.v[0], WORD, "%s", joined);
	}
	for (int i = 0; i < tmp.n; i++)
		add_item(o, tmp.v[i], strlen(tmp.v[i]));
}

/* Verbs and nouns after which the objects are named. */
static const char *const triggers[] = {
	"classifier for", "classifier of", "detector for", "detector of", "detection of", "detection for",
	"segmenter for", "segmenter of", "segmentation of", "segmentation for", "masks for", "mask for", "boxes around",
	"box around", "pose estimation of", "pose estimation for", "pose of", "pose for", "keypoints of",
	"keypoints on", "keypoints for", "landmarks of", "joints of", "skeleton of", "skeletons of", "labelling of",
	"labeling of", "classification of", "classification for", "recognition of", "recognition for",
	"recogniser for", "recognizer for", "estimation of", "estimation for", "estimator for", "estimator of",
	"model for", "model of", "network for", "net for", NULL};
/* Verbs after which the objects are named, in any of their forms
 * ("find", "finds", "finding"; "spot", "spotting"; "identifies"). */
static const char *const verb_triggers[] = {
	"tell", "distinguish", "separate", "classify", "detect", "segment", "find", "spot", "locate", "recognise",
	"recognize", "identify", "outline", "sort", "count", "track", "delineate", "extract", "isolate", "highlight",
	"label", "mark", "categorise", "categorize", "differentiate", "discriminate", "mask", "estimate", "predict",
	NULL};
/* Nouns that take the objects as a prefix: "digit classifier". */
static const char *const heads[] = {"classifier", "detector", "segmenter", "keypoint", "keypoints", "pose",
				    "recognition", "classification", "detection", "segmentation", "recogniser",
				    "recognizer", NULL};
/* A phrase "<generic> of|on|for X" names X. */
static const char *const generic_heads[] = {"joints", "keypoints", "landmarks", "pose", "poses", "skeleton", "images",
					    "pictures", "photos", "masks", "boxes", "outlines", "pixel", "pixels",
					    NULL};
/* When no trigger names the objects, "<generic> of X" does ("I have
 * pictures of triangles and hexagons"); it comes last, because in "detect
 * cars in images of streets" the streets are not what is detected. */
static const char *const weak_triggers[] = {"images of", "pictures of", "photos of", "photographs of", "masks of",
					    "mask of", "pixels of", "outlines of", "boxes around", "classifier", "detector",
					    "segmenter", NULL};
/* Verbs: a word before a head noun that is one ("estimate keypoints")
 * does not name the objects. */
static const char *const verbs[] = {"estimate", "estimates", "estimating", "predict", "predicts", "predicting",
				    "need", "needs", "want", "wants", "build", "train", "create", "develop", "get",
				    "give", "make", "use", "run", "deploy", "perform", "do", "provide", NULL};

/* The word after p (past spaces) is in `list`. */
static int in_list_word_after(const char *p, const char *const *list)
{
	char w[WORD];
	read_word(skip_space(p), w, sizeof w);
	return w[0] && in_list(w, list);
}

/* `w` is a form of the verb `stem`: stem, stem+s/es/ing/ed, with a final e
 * or y changed ("locating", "identifies") or a consonant doubled
 * ("spotting", "labelling"). */
static int verb_form(const char *w, const char *stem)
{
	size_t n = strlen(stem);
	if (strncmp(w, stem, n - 1))
		return 0;
	const char *t = w + n - 1; /* from the stem's last letter on */
	char last = stem[n - 1];
	static const char *const ends[] = {"", "s", "es", "ing", "ed", NULL};
	for (const char *const *e = ends; *e; e++) {
		if (*t == last && !strcmp(t + 1, *e))
			return 1;
		if (*t == last && t[1] == last && !strcmp(t + 2, *e) && **e) /* doubled */
			return 1;
	}
	if (last == 'e' && (!strcmp(t, "ing") || !strcmp(t, "ed")))
		return 1;
	if (last == 'y' && (!strcmp(t, "ies") || !strcmp(t, "ied")))
		return 1;
	return 0;
}

/* The verb trigger whose form is the word at p, or NULL. */
static const char *verb_at(const char *p)
{
	char w[WORD];
	read_word(p, w, sizeof w);
	for (const char *const *v = verb_triggers; w[0] && *v; v++)
		if (verb_form(w, *v))
			return *v;
	return NULL;
}

static int prefix_objects(objs *o, const char *lc)
{
	for (const char *const *h = heads; *h; h++) {
		for (const char *p = find_word(lc, lc, *h); p; p = find_word(lc, p + 1, *h)) {
			/* up to two words before the head, back to a determiner */
			const char *s = p;
			int words = 0;
			while (s > lc && words < 2) {
				const char *e = s - 1;
				while (e > lc && *e == ' ')
					e--;
				const char *b = e;
				while (b > lc && is_word_char(b[-1]))
					b--;
				char w[WORD];
				read_word(b, w, sizeof w);
				/* "human body keypoints": body names the person only
				 * after "human" ("body pose for athletes" does not) */
				int human_body = !strcmp(w, "body") && b - lc >= 6 && !strncmp(b - 6, "human ", 6);
				if (!w[0] || in_list(w, determiners) || in_list(w, stop_words) || first_of(w, model_names) ||
				    (in_list(w, generic_words) && !human_body) || verb_at(b) || in_list(w, verbs) ||
				    isdigit((unsigned char)w[0]))
					break;
				s = b;
				words++;
			}
			if (words) {
				objs tmp = {0};
				add_item(&tmp, s, (size_t)(p - s));
				if (tmp.n) {
					add_item(o, tmp.v[0], strlen(tmp.v[0]));
					return 1;
				}
			}
		}
	}
	return 0;
}

/* The end of a list after a colon ("detect: apples, lemons. speed: 25
 * ms"): the sentence's end, not its commas. */
static int has_digit(const char *p, const char *end)
{
	for (; p < end; p++)
		if (isdigit((unsigned char)*p))
			return 1;
	return 0;
}

/* A segment with a number in it ("max 1M params") is a constraint, and
 * the list ends before it; empty when the first one is. */
static const char *list_end(const char *p)
{
	const char *seg = p, *q = p;
	for (;; q++) {
		/* "0.5" is no sentence end */
		int end = !*q || (strchr(".;:!?()\n", *q) &&
				  !(*q == '.' && q > p && isdigit((unsigned char)q[-1]) && isdigit((unsigned char)q[1])));
		if (end || *q == ',') {
			if (has_digit(seg, q))
				return seg == p ? p : seg - 1;
			if (end)
				return q;
			seg = q + 1;
		}
	}
}

static void objects(const char *lc, json_t *arr)
{
	objs o = {0};
	/* A form: "Classes: circle, triangle." */
	static const char *const fields[] = {"classes:", "categories:", "labels:", "objects:", "targets:", NULL};
	for (const char *const *f = fields; *f && !o.n; f++) {
		const char *p = strstr(lc, *f);
		if (p && (p == lc || !is_word_char(p[-1]))) {
			p = skip_space(p + strlen(*f));
			split_items(&o, lc, p, list_end(p), 0);
		}
	}
	/* A parenthesised list of plain words: "fruits (apples, oranges, bananas)". */
	for (const char *p = strchr(lc, '('); p && !o.n; p = strchr(p + 1, '(')) {
		const char *e = strchr(p, ')');
		if (!e)
			break;
		int plain = 1, sep = 0;
		for (const char *q = p + 1; q < e; q++) {
			plain &= !isdigit((unsigned char)*q);
			sep |= *q == ',';
		}
		if (plain && sep)
			split_items(&o, lc, p + 1, e, 0);
	}
	if (!o.n)
		prefix_objects(&o, lc);
	/* The earliest trigger, its longest form at that place. */
	const char *best = NULL, *bw = NULL;
	size_t blen = 0;
	for (const char *const *t = triggers; *t && !o.n; t++) {
		const char *p = find_word(lc, lc, *t);
		/* "keypoints for a fitness app" names a purpose, not objects */
		size_t tl = strlen(*t);
		/* nor "a model for classifying stars": the verb names them */
		while (p && tl > 4 && (!strcmp(*t + tl - 4, " for") || !strcmp(*t + tl - 3, " of")) &&
		       (word_at(lc, skip_space(p + tl), "a") || word_at(lc, skip_space(p + tl), "an") ||
			word_at(lc, skip_space(p + tl), "our") || verb_at(skip_space(p + tl))))
			p = find_word(lc, p + 1, *t);
		if (p && (!best || p < best || (p == best && strlen(*t) > blen))) {
			best = p;
			bw = *t;
			blen = strlen(*t);
		}
	}
	/* the verbs, in any form; at the same place a phrase trigger is longer */
	for (const char *q = lc; *q && !o.n; q++) {
		if (best && q >= best)
			break;
		if ((q > lc && is_word_char(q[-1])) || !is_word_char(*q))
			continue;
		const char *v = verb_at(q);
		if (v) {
			char w[WORD];
			best = q;
			bw = v;
			blen = (size_t)(read_word(q, w, sizeof w) - q);
			break;
		}
	}
	for (const char *const *t = weak_triggers; *t && !o.n && !best; t++) {
		const char *p = find_word(lc, lc, *t);
		if (p) {
			best = p;
			bw = *t;
			blen = strlen(*t);
		}
	}
	if (!o.n && best) {
		const char *p = skip_space(best + blen);
		/* "identify which of ten digits is shown": what comes before the
		 * objects is skipped before the phrase is measured */
		for (;;) {
			char w0[WORD];
			const char *a = read_word(p, w0, sizeof w0);
			/* "estimate the body keypoints of players": and the generic
			 * words before a generic head */
			if (!w0[0] || !(in_list(w0, determiners) || !strcmp(w0, "whether") ||
					(in_list(w0, generic_words) && !in_list(w0, generic_heads) &&
					 in_list_word_after(a, generic_heads))))
				break;
			p = skip_space(a);
		}
		int pair = !strncmp(bw, "tell", 4) || !strncmp(bw, "distinguish", 11) || !strncmp(bw, "separat", 7);
		const char *end = phrase_end(lc, p, pair);
		/* "<generic> of X": X */
		char w[WORD];
		const char *after = read_word(p, w, sizeof w);
		int via_generic = 0;
		if (in_list(w, generic_heads)) {
			const char *q = skip_space(after);
			char prep[WORD];
			const char *r = read_word(q, prep, sizeof prep);
			if (!strcmp(prep, "of") || !strcmp(prep, "on") || !strcmp(prep, "for")) {
				p = skip_space(r);
				end = phrase_end(lc, p, 0);
				via_generic = 1;
			}
		}
		/* "classify satellite tiles into forest, water and urban" */
		/* and "classify x-ray images as pneumonia or normal" */
		const char *into = skip_space(end);
		int sorts = !strcmp(bw, "classify") || !strcmp(bw, "sort") || !strcmp(bw, "categorise") ||
			    !strcmp(bw, "categorize") || !strcmp(bw, "label");
		if (word_at(lc, into, "into") || (sorts && word_at(lc, into, "as"))) {
			p = skip_space(into + (*into == 'i' ? 4 : 2));
			end = phrase_end(lc, p, 0);
		}
		/* "classify flowers: roses, tulips and daisies", "detect: apples,
		 * lemons"; but not "a detector for stick figures: PCK of 0.9" */
		if (!via_generic && *end == ':') {
			const char *q = skip_space(end + 1);
			if (list_end(q) > q) {
				p = q;
				end = list_end(p);
			}
		}
		split_items(&o, lc, p, end, pair);
	}
	/* "Object detection for a warehouse robot: boxes, pallets and
	 * forklifts": a list after a colon, when nothing else named them. */
	const char *colon = strchr(lc, ':');
	if (!o.n && colon) {
		const char *p = skip_space(colon + 1);
		split_items(&o, lc, p, list_end(p), 0);
	}
	for (int i = 0; i < o.n; i++)
		json_array_append_new(arr, json_string(o.v[i]));
}

/* ------------------------------------------------------------ scenario */

static void scenario(const char *lc, const char *text, json_t *data)
{
	static const char *const cues[] = {"for a ", "for an ", "for our ", "on a ", "on an ", " in ", " from ", NULL};
	for (const char *const *c = cues; *c; c++) {
		const char *p = strstr(lc, *c);
		if (!p)
			continue;
		p += strlen(*c);
		const char *e = phrase_end(lc, p, 0);
		if (e - p > 2 && e - p < 60) {
			char buf[64];
			snprintf(buf, sizeof buf, "%.*s", (int)(e - p), text + (p - lc));
			size_t n = strlen(buf);
			while (n && buf[n - 1] == ' ')
				buf[--n] = '\0';
			json_object_set_new(data, "scenario", json_string(buf));
			return;
		}
	}
}

static const char *modality(const char *lc)
{
	if (has_word(lc, "video") || has_word(lc, "footage"))
		return "video";
	if (has_word(lc, "mri"))
		return "MRI";
	if (strstr(lc, "microscop"))
		return "microscope image";
	if (has_word(lc, "sar"))
		return "SAR image";
	if (has_word(lc, "satellite"))
		return "satellite image";
	if (has_word(lc, "aerial"))
		return "aerial image";
	return "image";
}

/* ------------------------------------------------------------ entry */

static json_t *empty_parse(void)
{
	return json_pack("{s:{s:s,s:[],s:s,s:[]},s:{s:s,s:s,s:{s:i,s:s},s:{s:i,s:s},s:{s:i,s:s},s:[]},s:{s:s,s:s}}",
			 "data", "scenario", "", "object", "modality", "image", "specific", "model", "task",
			 "classification", "specific_model", "none", "speed", "value", 0, "unit", "none", "flops",
			 "value", 0, "unit", "none", "parameters", "value", 0, "unit", "none", "metrics", "deploy", "gpu",
			 "none", "inference engine", "none");
}

json_t *automml_parse_rules(const char *text, char *err, size_t errlen)
{
	size_t n = text ? strlen(text) : 0;
	size_t nonblank = 0;
	for (size_t i = 0; i < n; i++)
		nonblank += !isspace((unsigned char)text[i]);
	if (!nonblank) {
		snprintf(err, errlen, "the request is empty: describe the model you want, e.g. \"classify handwritten "
				      "digits with 98%% accuracy under 1M parameters\"");
		return NULL;
	}
	if (n > AUTOMML_MAX_REQUEST) {
		snprintf(err, errlen, "the request is %zu bytes; at most %d are read: state what the model is for in a "
				      "paragraph", n, AUTOMML_MAX_REQUEST);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)text[i] < 0x20 && !isspace((unsigned char)text[i])) {
			snprintf(err, errlen, "the request holds a control character (byte %zu); give plain text", i);
			return NULL;
		}
	char *lc = malloc(n + 1);
	json_t *parse = lc ? empty_parse() : NULL;
	if (!parse) {
		free(lc);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i <= n; i++)
		lc[i] = (char)tolower((unsigned char)text[i]);
	/* Parenthesised asides with numbers ("(under 800K params)") count for
	 * the numbers but hide the objects' phrase; a copy without them. */
	char *plain = malloc(n + 1);
	if (plain) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			if (lc[i] == '(') {
				const char *e = strchr(lc + i, ')');
				int digits = 0;
				for (const char *q = lc + i; e && q < e; q++)
					digits |= isdigit((unsigned char)*q);
				if (e && digits) {
					i = (size_t)(e - lc);
					if (k && plain[k - 1] == ' ' && lc[i + 1] == ' ')
						i++; /* one space where the aside was */
					continue;
				}
			}
			plain[k++] = lc[i];
		}
		plain[k] = '\0';
	}
	json_t *data = json_object_get(parse, "data"), *model = json_object_get(parse, "model");
	json_object_set_new(model, "task", json_string(task_of(lc)));
	quantities(lc, model);
	metrics(lc, model);
	deploy(lc, json_object_get(parse, "deploy"));
	const char *mname = first_of(lc, model_names);
	if (mname)
		json_object_set_new(model, "specific_model", json_string(mname));
	const char *dname = first_of(lc, dataset_names);
	if (dname)
		json_array_append_new(json_object_get(data, "specific"), json_string(dname));
	objects(plain ? plain : lc, json_object_get(data, "object"));
	scenario(lc, text, data);
	json_object_set_new(data, "modality", json_string(modality(lc)));
	free(plain);
	free(lc);
	return parse;
}

/* ------------------------------------------------------------ LLM side */

static const char SCHEMA[] =
	"{\"type\":\"object\",\"required\":[\"data\",\"model\",\"deploy\"],\"properties\":{"
	"\"data\":{\"type\":\"object\",\"required\":[\"object\"],\"properties\":{"
	"\"scenario\":{\"type\":\"string\"},\"object\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
	"\"modality\":{\"type\":\"string\"},\"specific\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}},"
	"\"model\":{\"type\":\"object\",\"required\":[\"task\"],\"properties\":{"
	"\"task\":{\"enum\":[\"classification\",\"detection\",\"segmentation\",\"keypoint\"]},"
	"\"specific_model\":{\"type\":\"string\"},"
	"\"speed\":{\"type\":\"object\",\"properties\":{\"value\":{\"type\":\"number\"},"
	"\"unit\":{\"enum\":[\"ms\",\"s\",\"min\",\"h\",\"fps\",\"none\"]}}},"
	"\"flops\":{\"type\":\"object\",\"properties\":{\"value\":{\"type\":\"number\"},"
	"\"unit\":{\"enum\":[\"FLOPs\",\"MFLOPs\",\"GFLOPs\",\"TFLOPs\",\"PFLOPs\",\"EFLOPs\",\"none\"]}}},"
	"\"parameters\":{\"type\":\"object\",\"properties\":{\"value\":{\"type\":\"number\"},"
	"\"unit\":{\"enum\":[\"K\",\"M\",\"B\",\"none\"]}}},"
	"\"metrics\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"name\",\"value\"],"
	"\"properties\":{\"name\":{\"type\":\"string\"},\"value\":{\"type\":\"number\"}}}}}},"
	"\"deploy\":{\"type\":\"object\",\"properties\":{\"gpu\":{\"enum\":[\"cpu\",\"gpu\",\"none\"]},"
	"\"inference engine\":{\"enum\":[\"onnxruntime\",\"ncnn\",\"openvino\",\"none\"]}}}}}";

json_t *automml_parse_schema(void)
{
	return json_loads(SCHEMA, 0, NULL);
}

static void default_vu(json_t *model, const char *k)
{
	json_t *o = json_object_get(model, k);
	if (!json_is_object(o)) {
		json_object_set_new(model, k, json_pack("{s:i,s:s}", "value", 0, "unit", "none"));
		return;
	}
	if (!json_is_number(json_object_get(o, "value")))
		json_object_set_new(o, "value", json_integer(0));
	if (!json_is_string(json_object_get(o, "unit")))
		json_object_set_new(o, "unit", json_string("none"));
}

int automml_parse_normalise(json_t *parse)
{
	json_t *data = json_object_get(parse, "data"), *model = json_object_get(parse, "model");
	if (!json_is_object(data) || !json_is_object(model) || !json_is_string(json_object_get(model, "task")))
		return -1;
	const char *task = json_string_value(json_object_get(model, "task"));
	int known = 0;
	for (int t = 0; t < 4; t++)
		known |= !strcmp(task, task_names[t]);
	if (!known)
		return -1;
	if (!json_is_array(json_object_get(data, "object")))
		json_object_set_new(data, "object", json_array());
	if (!json_is_array(json_object_get(data, "specific")))
		json_object_set_new(data, "specific", json_array());
	if (!json_is_string(json_object_get(data, "scenario")))
		json_object_set_new(data, "scenario", json_string(""));
	if (!json_is_string(json_object_get(data, "modality")))
		json_object_set_new(data, "modality", json_string("image"));
	if (!json_is_string(json_object_get(model, "specific_model")) ||
	    !strcmp(json_string_value(json_object_get(model, "specific_model")), "not specified"))
		json_object_set_new(model, "specific_model", json_string("none"));
	default_vu(model, "speed");
	default_vu(model, "flops");
	default_vu(model, "parameters");
	if (!json_is_array(json_object_get(model, "metrics")))
		json_object_set_new(model, "metrics", json_array());
	json_t *dep = json_object_get(parse, "deploy");
	if (!json_is_object(dep)) {
		json_object_set_new(parse, "deploy", json_pack("{s:s,s:s}", "gpu", "none", "inference engine", "none"));
	} else {
		if (!json_is_string(json_object_get(dep, "gpu")))
			json_object_set_new(dep, "gpu", json_string("none"));
		if (!json_is_string(json_object_get(dep, "inference engine")))
			json_object_set_new(dep, "inference engine", json_string("none"));
	}
	return 0;
}
