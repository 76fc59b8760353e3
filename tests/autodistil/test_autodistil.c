/* autodistil's C parts: students resolved from AutoDistil's multipliers,
 * the parameter and FLOP counters against hand-computed values, the
 * sub-space partition, the safetensors reader on good and bad images,
 * and the scorer's invariants on a small random model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"
#include "forward.h"
#include "tensors.h"

/* The benchmark's teacher: 6 layers, 8 heads of 16, hidden 128, FFN 512,
 * a vocabulary of 1000 (a round number for the hand count), 48 tokens. */
static const ad_config TEACHER = {.vocab = 1000, .seq_len = 48, .layers = 6, .hidden = 128, .heads = 8,
				  .head_size = 16, .ffn = 512};

static void test_resolve_follows_dynabert(void **state)
{
	(void)state;
	ad_arch a;
	/* 3/4 of 6 layers: floor(4.5 + 1/2) = 5, keeping floor(i / 0.75) = 0 1 2 4 5 */
	ad_resolve(&TEACHER, &(ad_mult){0.75, 0.75, 17.0 / 24, 2.5}, &a);
	assert_int_equal(a.depth, 5);
	int kept[] = {0, 1, 2, 4, 5};
	for (int i = 0; i < 5; i++)
		assert_int_equal(a.kept[i], kept[i]);
	assert_int_equal(a.heads, 6);	/* 0.75 * 8 */
	assert_int_equal(a.hidden, 90); /* floor(128 * 17/24 = 90.67) */
	assert_int_equal(a.ffn, 226);	/* floor(90.67 * 2.5 = 226.67) */
	/* 10/12 of 6 is 4.999... in binary: still 5 layers, keeping 0 1 2 3 4 */
	ad_resolve(&TEACHER, &(ad_mult){10.0 / 12, 1, 1, 4}, &a);
	assert_int_equal(a.depth, 5);
	assert_int_equal(a.kept[4], 4);
	assert_int_equal(a.ffn, 512);
	/* tiny multipliers never resolve to nothing */
	ad_resolve(&TEACHER, &(ad_mult){0.01, 0.01, 0.001, 0.01}, &a);
	assert_int_equal(a.depth, 1);
	assert_int_equal(a.heads, 1);
	assert_int_equal(a.hidden, 1);
	assert_int_equal(a.ffn, 1);
}

static void test_counts_by_hand(void **state)
{
	(void)state;
	ad_arch full = ad_full(&TEACHER);
	/* embeddings (1000 + 48) * 128 + LayerNorm 2 * 128 = 134,400;
	 * a layer: Q, K, V 3 * (128*128 + 128) = 49,536; output 128*128 + 128 =
	 * 16,512; LayerNorm 256; FFN 128*512 + 512 = 66,048 and 512*128 + 128 =
	 * 65,664; LayerNorm 256: 198,272; six of them 1,189,632. */
	assert_int_equal(ad_params(&TEACHER, &full), 134400 + 1189632);
	assert_int_equal(ad_params_body(&TEACHER, &full), 256 + 1189632);
	/* a layer over 48 tokens: Q, K, V 3 * 2*48*128*128 = 4,718,592;
	 * scores and context 2 * 2*48*48*128 = 1,179,648; output 2*48*128*128 =
	 * 1,572,864; FFN 2 * 2*48*128*512 = 12,582,912: 20,054,016, six:
	 * 120,324,096. */
	assert_int_equal(ad_flops(&TEACHER, &full), 120324096);
	/* the student above: 5 layers, 6 heads (D = 96), hidden 90, FFN 226 */
	ad_arch a;
	ad_resolve(&TEACHER, &(ad_mult){0.75, 0.75, 17.0 / 24, 2.5}, &a);
	/* layer: 3*(90*96 + 96) = 26,208; 96*90 + 90 = 8,730; 180; 90*226 + 226 =
	 * 20,566; 226*90 + 90 = 20,430; 180: 76,294; five: 381,470;
	 * embeddings 1048 * 90 + 180 = 94,500 */
	assert_int_equal(ad_params(&TEACHER, &a), 94500 + 381470);
	/* layer: 3*2*48*90*96 = 2,488,320; 2*2*48*48*96 = 884,736; 2*48*96*90 =
	 * 829,440; 2*2*48*90*226 = 3,905,280: 8,107,776; five: 40,538,880 */
	assert_int_equal(ad_flops(&TEACHER, &a), 40538880);
}

/* AutoDistil's base sub-space on this teacher: 4 values per dimension,
 * 256 students, of which rounding merges some. */
static void test_partition_of_the_base_subspace(void **state)
{
	(void)state;
	double d[] = {9.0 / 12, 10.0 / 12, 11.0 / 12, 1}, h[] = {9.0 / 12, 10.0 / 12, 11.0 / 12, 1};
	double w[] = {17.0 / 24, 18.0 / 24, 19.0 / 24, 20.0 / 24}, r[] = {2.5, 3, 3.5, 4};
	ad_arch seen[256];
	int n = 0, total = 0;
	uint64_t fmax = 0;
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			for (int k = 0; k < 4; k++)
				for (int l = 0; l < 4; l++) {
					ad_arch a;
					ad_resolve(&TEACHER, &(ad_mult){d[i], h[j], w[k], r[l]}, &a);
					total++;
					int m = 0;
					while (m < n && !ad_arch_equal(&seen[m], &a))
						m++;
					if (m == n)
						seen[n++] = a;
					if (ad_flops(&TEACHER, &a) > fmax)
						fmax = ad_flops(&TEACHER, &a);
				}
	assert_int_equal(total, 256);
	/* depth: 5 layers (0 1 2 4 5), 5 (0 1 2 3 4), 6, 6 -> 3 distinct;
	 * heads: 6, 7, 7, 8 -> 3; hidden and ratio 4 each: 3*3*4*4 = 144 */
	assert_int_equal(n, 144);
	/* the largest base student is smaller than the teacher */
	ad_arch full = ad_full(&TEACHER);
	assert_true(fmax < ad_flops(&TEACHER, &full));
}

static void test_config_and_mult_checks(void **state)
{
	(void)state;
	char err[256];
	ad_config c;
	json_t *j = json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:i}", "vocab", 100, "seq_len", 8, "layers", 2, "hidden", 8,
			      "heads", 2, "head_size", 4, "ffn", 16);
	assert_int_equal(ad_config_from_json(j, &c, err, sizeof err), 0);
	json_object_set_new(j, "layers", json_integer(0));
	assert_int_equal(ad_config_from_json(j, &c, err, sizeof err), -1);
	assert_non_null(strstr(err, "layers"));
	json_decref(j);
	ad_mult m;
	j = json_pack("{s:f,s:f,s:f,s:f}", "depth", 0.5, "heads", 1.0, "hidden", 0.25, "ratio", 3.0);
	assert_int_equal(ad_mult_from_json(j, &m, err, sizeof err), 0);
	json_object_set_new(j, "hidden", json_real(1.5));
	assert_int_equal(ad_mult_from_json(j, &m, err, sizeof err), -1);
	assert_non_null(strstr(err, "hidden"));
	json_decref(j);
}

/* ------------------------------------------------------------ safetensors */

/* A safetensors image: the header padded with spaces to 8 bytes, as the
 * format's writers do, then data_len zero bytes. */
static char *image(const char *header, size_t data_len, size_t *len)
{
	size_t hl = strlen(header), padded = (hl + 7) / 8 * 8;
	*len = 8 + padded + data_len;
	char *b = calloc(1, *len);
	for (int i = 0; i < 8; i++)
		b[i] = (char)((uint64_t)padded >> (8 * i));
	memcpy(b + 8, header, hl);
	memset(b + 8 + hl, ' ', padded - hl);
	return b;
}

static void test_safetensors_reader(void **state)
{
	(void)state;
	char err[256];
	size_t len;
	char *b = image("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},\"__metadata__\":{\"k\":\"v\"}}",
			16, &len);
	float one = 1.0f;
	memcpy(b + len - 16, &one, 4);
	ad_tensors *t = ad_tensors_parse(b, len, "ok", err, sizeof err);
	assert_non_null(t);
	int64_t dims[2];
	const float *a = ad_tensors_get(t, "a", 2, dims, err, sizeof err);
	assert_non_null(a);
	assert_int_equal(dims[0], 2);
	assert_true(a[0] == 1.0f);
	assert_null(ad_tensors_get(t, "a", 1, dims, err, sizeof err)); /* wrong rank */
	assert_null(ad_tensors_get(t, "b", 2, dims, err, sizeof err));
	assert_string_equal(json_string_value(json_object_get(ad_tensors_meta(t), "k")), "v");
	ad_tensors_free(t);

	const char *bad[] = {
		"{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,20]}}",	 /* past the end */
		"{\"a\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,16]}}",	 /* shape != bytes */
		"{\"a\":{\"dtype\":\"Q7\",\"shape\":[4],\"data_offsets\":[0,16]}}",	 /* dtype */
		"{\"a\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}",	 /* negative */
		"[1, 2, 3]",								 /* not an object */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		b = image(bad[i], 16, &len);
		assert_null(ad_tensors_parse(b, len, "bad", err, sizeof err));
		assert_non_null(strstr(err, "bad"));
	}
	/* a header length beyond the file */
	b = image("{}", 0, &len);
	b[0] = 100;
	assert_null(ad_tensors_parse(b, len, "short", err, sizeof err));
}

/* ------------------------------------------------------------ the scorer */

/* Writes a random model of config c in model.py's layout to path. */
static void write_model(const char *path, const ad_config *c, unsigned seed)
{
	json_t *h = json_object();
	json_t *cfg = ad_config_to_json(c);
	char *cs = json_dumps(cfg, JSON_COMPACT);
	json_object_set_new(h, "__metadata__", json_pack("{s:s}", "config", cs));
	free(cs);
	json_decref(cfg);
	int H = c->hidden, D = c->heads * c->head_size, F = c->ffn;
	struct {
		char name[32];
		int d0, d1, one;
	} t[16 * AD_MAX_LAYERS + 4];
	int n = 0;
#define ADD(nm, a, b, o) (snprintf(t[n].name, sizeof t[n].name, "%s", nm), t[n].d0 = (a), t[n].d1 = (b), t[n].one = (o), n++)
	ADD("emb_tok", c->vocab, H, 0);
	ADD("emb_pos", c->seq_len, H, 0);
	ADD("emb_ln_w", H, 0, 1);
	ADD("emb_ln_b", H, 0, 0);
	for (int l = 0; l < c->layers; l++) {
		const char *nm[] = {"q_w", "q_b", "k_w", "k_b", "v_w", "v_b", "o_w", "o_b", "ln1_w", "ln1_b", "f1_w", "f1_b",
				    "f2_w", "f2_b", "ln2_w", "ln2_b"};
		int d0[] = {D, D, D, D, D, D, H, H, H, H, F, F, H, H, H, H};
		int d1[] = {H, 0, H, 0, H, 0, D, 0, 0, 0, H, 0, F, 0, 0, 0};
		for (int k = 0; k < 16; k++) {
			char full[32];
			snprintf(full, sizeof full, "l%d_%s", l, nm[k]);
			ADD(full, d0[k], d1[k], strstr(nm[k], "ln") && nm[k][4] == 'w');
		}
	}
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		size_t cnt = (size_t)t[i].d0 * (size_t)(t[i].d1 ? t[i].d1 : 1);
		json_object_set_new(h, t[i].name,
				    t[i].d1 ? json_pack("{s:s,s:[i,i],s:[I,I]}", "dtype", "F32", "shape", t[i].d0, t[i].d1,
							"data_offsets", (json_int_t)off, (json_int_t)(off + 4 * cnt))
					    : json_pack("{s:s,s:[i],s:[I,I]}", "dtype", "F32", "shape", t[i].d0,
							"data_offsets", (json_int_t)off, (json_int_t)(off + 4 * cnt)));
		off += 4 * cnt;
	}
	char *hs = json_dumps(h, JSON_COMPACT);
	size_t hl = strlen(hs), pad = (8 - hl % 8) % 8;
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	uint64_t L = hl + pad;
	for (int i = 0; i < 8; i++)
		fputc((int)(L >> (8 * i) & 0xff), f);
	fwrite(hs, 1, hl, f);
	for (size_t i = 0; i < pad; i++)
		fputc(' ', f);
	srand(seed);
	for (int i = 0; i < n; i++) {
		size_t cnt = (size_t)t[i].d0 * (size_t)(t[i].d1 ? t[i].d1 : 1);
		for (size_t k = 0; k < cnt; k++) {
			float v = t[i].one ? 1.0f : (float)(rand() / (double)RAND_MAX - 0.5);
			fwrite(&v, 4, 1, f);
		}
	}
	fclose(f);
	free(hs);
	json_decref(h);
}

static void test_scorer_invariants(void **state)
{
	(void)state;
	char path[] = "/tmp/weft-autodistil-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	ad_config c = {.vocab = 30, .seq_len = 8, .layers = 3, .hidden = 16, .heads = 4, .head_size = 4, .ffn = 32};
	write_model(path, &c, 7);
	char err[256];
	ad_model *m = ad_model_open(path, err, sizeof err);
	if (!m)
		fail_msg("%s", err);
	int32_t ids[3 * 8] = {2, 7, 9, 11, 3, 0, 0, 0, 2, 5, 5, 6, 8, 21, 29, 3, 2, 4, 3, 0, 0, 0, 0, 0};
	ad_arch full = ad_full(&c);
	double loss = -1;
	/* the full student of the teacher's own weights is the teacher */
	assert_int_equal(ad_distill_loss(m, m, &full, ids, 3, 8, 4, &loss, err, sizeof err), 0);
	assert_true(fabs(loss) < 1e-6);
	/* a smaller one is not, and the KL is positive */
	ad_arch a;
	ad_resolve(&c, &(ad_mult){2.0 / 3, 0.5, 0.5, 2}, &a);
	assert_int_equal(ad_distill_loss(m, m, &a, ids, 3, 8, 4, &loss, err, sizeof err), 0);
	assert_true(loss > 1e-4);
	/* two multipliers of one student probe alike; another student does not */
	float p1[3 * 2 * 16], p2[3 * 2 * 16];
	ad_arch b;
	ad_resolve(&c, &(ad_mult){0.7, 0.55, 0.5, 2}, &b); /* rounds to a */
	assert_true(ad_arch_equal(&a, &b));
	assert_int_equal(ad_probe(m, &a, ids, 3, 8, p1, err, sizeof err), 0);
	assert_int_equal(ad_probe(m, &b, ids, 3, 8, p2, err, sizeof err), 0);
	assert_memory_equal(p1, p2, sizeof(float) * 3 * 2 * (size_t)a.hidden);
	assert_int_equal(ad_probe(m, &full, ids, 3, 8, p2, err, sizeof err), 0);
	assert_memory_not_equal(p1, p2, sizeof(float) * 3 * 2 * (size_t)a.hidden);
	/* bad input is refused, naming it */
	ids[3] = 30;
	assert_int_equal(ad_probe(m, &a, ids, 3, 8, p1, err, sizeof err), -1);
	assert_non_null(strstr(err, "vocabulary"));
	ids[3] = 11;
	assert_int_equal(ad_distill_loss(m, m, &a, ids, 3, 8, 3, &loss, err, sizeof err), -1); /* 3 does not divide 16 */
	ad_model_free(m);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_follows_dynabert),
		cmocka_unit_test(test_counts_by_hand),
		cmocka_unit_test(test_partition_of_the_base_subspace),
		cmocka_unit_test(test_config_and_mult_checks),
		cmocka_unit_test(test_safetensors_reader),
		cmocka_unit_test(test_scorer_invariants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
