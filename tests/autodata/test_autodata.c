/* autodata's C parts: the robots.txt parser, the per-host rate limiter,
 * the HTML wrapper, the lexicon, wrapper induction and extraction on
 * fixture sites written here, and the validator's verdicts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract.h"
#include "html.h"
#include "induce.h"
#include "jscalls.h"
#include "lexicon.h"
#include "ratelimit.h"
#include "robots.h"
#include "site.h"
#include "validate.h"

/* ---------------------------------------------------------------- robots */

static void test_robots_groups_and_longest_match(void **state)
{
	(void)state;
	const char *txt = "# comment\n"
			  "User-agent: *\n"
			  "Disallow: /\n"
			  "\n"
			  "User-agent: weft-autodata\n"
			  "User-agent: other\n"
			  "Disallow: /private/\n"
			  "Allow: /private/open/\n"
			  "Disallow: /*.pdf$\n"
			  "Crawl-delay: 2.5\n";
	adt_robots *r = adt_robots_parse(txt, strlen(txt), "weft-autodata/0.1");
	assert_non_null(r);
	/* our own group wins over `*`, which would forbid everything */
	assert_true(adt_robots_allowed(r, "/papers", NULL));
	const char *rule = NULL;
	assert_false(adt_robots_allowed(r, "/private/x", &rule));
	assert_string_equal(rule, "/private/");
	/* the longer Allow beats the shorter Disallow */
	assert_true(adt_robots_allowed(r, "/private/open/y", NULL));
	/* `*` and `$` */
	assert_false(adt_robots_allowed(r, "/files/a.pdf", NULL));
	assert_true(adt_robots_allowed(r, "/files/a.pdf?x=1", NULL));
	assert_true(fabs(adt_robots_delay(r) - 2.5) < 1e-9);
	adt_robots_free(r);
}

static void test_robots_star_group_and_tie(void **state)
{
	(void)state;
	const char *txt = "User-agent: googlebot\nDisallow: /\n\nUser-agent: *\nDisallow: /closed/\nAllow: /closed/\n"
			  "Disallow: /tmp\n";
	adt_robots *r = adt_robots_parse(txt, strlen(txt), "weft-autodata");
	assert_non_null(r);
	/* another agent's group does not apply; an Allow ties a Disallow and wins */
	assert_true(adt_robots_allowed(r, "/", NULL));
	assert_true(adt_robots_allowed(r, "/closed/a", NULL));
	assert_false(adt_robots_allowed(r, "/tmp/x", NULL));
	assert_false(adt_robots_allowed(r, "/tmpfile", NULL));
	adt_robots_free(r);
	/* no robots.txt, an empty Disallow, garbage: everything allowed */
	r = adt_robots_parse(NULL, 0, "weft-autodata");
	assert_true(adt_robots_allowed(r, "/anything", NULL));
	adt_robots_free(r);
	const char *junk = "\x01\x02 not robots\nUser-agent: *\nDisallow:\n::::\n";
	r = adt_robots_parse(junk, strlen(junk), "weft-autodata");
	assert_true(adt_robots_allowed(r, "/x", NULL));
	adt_robots_free(r);
}

static void test_robots_hostile_pattern_is_fast(void **state)
{
	(void)state;
	/* a pattern of many stars against a long path: linear, not exponential */
	char pat[300] = "User-agent: *\nDisallow: /";
	for (int i = 0; i < 100; i++)
		strcat(pat, "*a");
	strcat(pat, "b\n");
	char path[5001];
	path[0] = '/';
	memset(path + 1, 'a', 4999);
	path[5000] = 0;
	adt_robots *r = adt_robots_parse(pat, strlen(pat), "x");
	assert_true(adt_robots_allowed(r, path, NULL));
	adt_robots_free(r);
}

/* ------------------------------------------------------------ rate limit */

static void test_limiter_spaces_requests_per_host(void **state)
{
	(void)state;
	adt_limiter *l = adt_limiter_new(4); /* 0.25 s apart */
	assert_non_null(l);
	assert_true(fabs(adt_limiter_reserve(l, "a", 100.0) - 0) < 1e-9);
	assert_true(fabs(adt_limiter_reserve(l, "a", 100.0) - 0.25) < 1e-9);
	assert_true(fabs(adt_limiter_reserve(l, "a", 100.1) - 0.4) < 1e-9);
	/* another host has its own slots */
	assert_true(fabs(adt_limiter_reserve(l, "b", 100.1) - 0) < 1e-9);
	/* a Retry-After closes the host until then */
	assert_int_equal(adt_limiter_block(l, "b", 110.0), 0);
	assert_true(fabs(adt_limiter_reserve(l, "b", 101.0) - 9.0) < 1e-9);
	/* a Crawl-delay longer than the rate's spacing wins */
	assert_int_equal(adt_limiter_set_interval(l, "c", 2.0), 0);
	adt_limiter_reserve(l, "c", 0);
	assert_true(fabs(adt_limiter_reserve(l, "c", 0) - 2.0) < 1e-9);
	adt_limiter_free(l);
	assert_null(adt_limiter_new(0));
}

/* ------------------------------------------------------------------ HTML */

static void test_html_text_paths_and_urls(void **state)
{
	(void)state;
	const char *doc = "<html><body><div class=a><p>One\n  two&nbsp;<b>three</b></p><p>x</p>"
			  "<script>var no = 1;</script><ul><li>a</li><li>b<br>c</li></ul></div></body></html>";
	htmlDocPtr d = adt_html_parse(doc, strlen(doc), "http://h/x/");
	assert_non_null(d);
	xmlXPathObjectPtr o = adt_html_xpath(d, NULL, "//p");
	assert_int_equal(o->nodesetval->nodeNr, 2);
	char *t = adt_html_text(o->nodesetval->nodeTab[0]);
	assert_string_equal(t, "One two three");
	free(t);
	xmlNodePtr body = adt_html_body(d);
	char *p = adt_html_relpath(body, o->nodesetval->nodeTab[1]);
	assert_string_equal(p, "div[1]/p[2]");
	free(p);
	xmlXPathFreeObject(o);
	o = adt_html_xpath(d, NULL, "//div");
	t = adt_html_text(o->nodesetval->nodeTab[0]);
	assert_null(strstr(t, "var no")); /* scripts are not text */
	assert_non_null(strstr(t, "b c"));
	free(t);
	xmlXPathFreeObject(o);
	xmlFreeDoc(d);
	char *u = adt_url_resolve("http://h/a/b.html", "../c?x=1#frag");
	assert_string_equal(u, "http://h/c?x=1");
	free(u);
	assert_null(adt_url_resolve("http://h/", "mailto:a@b"));
	assert_null(adt_url_resolve("http://h/", "javascript:void(0)"));
	/* not HTML at all still parses into something, or is refused cleanly */
	d = adt_html_parse("\x00\x01\x02", 3, "http://h/");
	xmlFreeDoc(d);
}

/* --------------------------------------------------------------- lexicon */

static void test_lexicon_names_and_types(void **state)
{
	(void)state;
	const char *others[] = {"home", "away", "away_score"};
	/* the compound label belongs to the compound field */
	assert_true(adt_name_score("home_score", "Home goals", others + 1, 2) > 0.95);
	const char *o2[] = {"home_score", "away", "away_score"};
	assert_true(adt_name_score("home", "Home goals", o2, 3) < 0.7);
	assert_true(adt_name_score("home", "Home team", o2, 3) > 0.95);
	assert_true(adt_name_score("high", "Day high", NULL, 0) > 0.95);
	assert_true(adt_name_score("authors", "Written by", NULL, 0) > 0.95);
	assert_true(adt_name_score("open", "o", NULL, 0) > 0.3);
	assert_true(adt_name_score("title", "Volume", NULL, 0) == 0);
	assert_int_equal(adt_type_guess("pdf"), ADT_URL);
	assert_int_equal(adt_type_guess("home_score"), ADT_NUMBER);
	assert_int_equal(adt_type_guess("authors"), ADT_LIST);
	assert_int_equal(adt_type_guess("date"), ADT_DATE);
	assert_int_equal(adt_type_guess("venue"), ADT_TEXT);
	char buf[64];
	assert_int_equal(adt_value_norm(ADT_DATE, "Mar 03, 2024", buf, sizeof buf), 0);
	assert_string_equal(buf, "2024-03-03");
	assert_int_equal(adt_value_norm(ADT_DATE, "03/10/2023", buf, sizeof buf), 0);
	assert_string_equal(buf, "2023-10-03");
	assert_int_equal(adt_value_norm(ADT_NUMBER, "$1,234.50", buf, sizeof buf), 0);
	assert_string_equal(buf, "1234.5");
	assert_int_equal(adt_value_norm(ADT_NUMBER, "12 apples", buf, sizeof buf), -1);
	/* a date followed by more words is text, not a date */
	assert_false(adt_value_is(ADT_DATE, "2023-10-25 291.19 305.63"));
	assert_true(adt_value_is(ADT_DATE, "2023-10-25 12:30"));
}

/* ---------------------------------------------------- induction fixtures */

static char tmpdir[256];

static void put(const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* A site of two list pages (a table with a header row, and a link to each
 * detail page) and four detail pages (label/value pairs in a dl). */
static void write_fixture(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/adt-test.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	char path[512];
	snprintf(path, sizeof path, "%s/pages", tmpdir);
	assert_int_equal(mkdir(path, 0755), 0);
	const char *names[4] = {"Alpha", "Beta", "Gamma", "Delta"};
	const char *teams[4] = {"Reds", "Blues", "Greens", "Golds"};
	FILE *idx = fopen((snprintf(path, sizeof path, "%s/pages.jsonl", tmpdir), path), "w");
	assert_non_null(idx);
	for (int pg = 0; pg < 2; pg++) {
		char html[4096];
		int n = snprintf(html, sizeof html,
				 "<html><body><nav><a href='/'>Home</a></nav><h1>Players</h1><table class='roster'>"
				 "<thead><tr><th>Name</th><th>Team</th><th>Born</th><th></th></tr></thead><tbody>");
		for (int i = 0; i < 2; i++) {
			int k = pg * 2 + i;
			n += snprintf(html + n, sizeof html - (size_t)n,
				      "<tr><td>%s</td><td>%s</td><td>19%02d-0%d-1%d</td><td><a href='/p/%d'>more</a></td></tr>",
				      names[k], teams[k], 80 + k, k + 1, k, k);
		}
		/* one more row so that a page has three records */
		n += snprintf(html + n, sizeof html - (size_t)n,
			      "<tr><td>Extra%d</td><td>Whites</td><td>1999-01-0%d</td><td></td></tr></tbody></table>"
			      "</body></html>",
			      pg, pg + 1);
		char name[64];
		snprintf(name, sizeof name, "pages/l%d.html", pg);
		put(name, html);
		fprintf(idx, "{\"url\":\"http://site/list?page=%d\",\"file\":\"%s\",\"status\":200}\n", pg + 1, name);
	}
	for (int k = 0; k < 4; k++) {
		char html[1024], name[64];
		snprintf(html, sizeof html,
			 "<html><body><h1>%s</h1><dl><dt>Height</dt><dd>1%d0 cm</dd><dt>Position</dt><dd>%s</dd></dl>"
			 "</body></html>",
			 names[k], 7 + k % 3, k % 2 ? "guard" : "forward");
		snprintf(name, sizeof name, "pages/d%d.html", k);
		put(name, html);
		fprintf(idx, "{\"url\":\"http://site/p/%d\",\"file\":\"%s\",\"status\":200}\n", k, name);
	}
	fclose(idx);
}

static void remove_fixture(void)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
}

static void test_induction_maps_fields_and_joins_details(void **state)
{
	(void)state;
	write_fixture();
	adt_site site;
	char err[256];
	assert_int_equal(adt_site_load(&site, tmpdir, NULL, 100, err, sizeof err), 0);
	assert_int_equal(site.n_pages, 6);
	json_t *fields = json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "name", "name", "type", "text",
				   "name", "team", "type", "text", "name", "born", "type", "date", "name", "position",
				   "type", "text");
	json_t *prog = adt_induce(&site, fields, NULL, err, sizeof err);
	assert_non_null(prog);
	json_t *src = json_array_get(json_object_get(prog, "sources"), 0);
	assert_string_equal(json_string_value(json_object_get(src, "kind")), "list");
	assert_string_equal(json_string_value(json_object_get(src, "records")), "//table[@class='roster']/tbody[1]/tr[td]");
	/* the header names the columns; the detail page supplies the position */
	json_t *map = json_object_get(src, "map");
	assert_string_equal(json_string_value(json_object_get(json_object_get(map, "team"), "path")), "td[2]");
	assert_string_equal(json_string_value(json_object_get(json_object_get(map, "born"), "path")), "td[3]");
	json_t *jm = json_object_get(json_object_get(src, "join"), "map");
	assert_non_null(json_object_get(jm, "position"));
	json_t *stats = NULL;
	json_t *recs = adt_extract(&site, prog, &stats, err, sizeof err);
	assert_non_null(recs);
	assert_int_equal(json_array_size(recs), 6);
	json_t *beta = json_array_get(recs, 1);
	assert_string_equal(json_string_value(json_object_get(beta, "name")), "Beta");
	assert_string_equal(json_string_value(json_object_get(beta, "team")), "Blues");
	assert_string_equal(json_string_value(json_object_get(beta, "born")), "1981-02-11");
	assert_string_equal(json_string_value(json_object_get(beta, "position")), "guard");
	/* a row without a detail link has no position: the validator says so */
	json_t *v = adt_validate(recs, prog, 0.9, 0.9);
	assert_false(json_is_true(json_object_get(v, "ok")));
	assert_true(json_array_size(json_object_get(v, "reject")) >= 1);
	json_t *rj = json_array_get(json_object_get(v, "reject"), 0);
	assert_string_equal(json_string_value(json_object_get(rj, "field")), "position");
	/* rejected, the mapping is not offered again */
	json_t *prog2 = adt_induce(&site, fields, json_object_get(v, "reject"), err, sizeof err);
	json_t *src2 = json_array_get(json_object_get(prog2, "sources"), 0);
	json_t *jm2 = json_object_get(json_object_get(src2, "join"), "map");
	const char *again = json_string_value(json_object_get(json_object_get(jm2, "position"), "path"));
	const char *before = json_string_value(json_object_get(json_object_get(jm, "position"), "path"));
	assert_true(!again || strcmp(again, before));
	json_decref(prog2);
	json_decref(v);
	json_decref(recs);
	json_decref(stats);
	json_decref(prog);
	json_decref(fields);
	adt_site_free(&site);
	remove_fixture();
}

static void test_validator_counts_types_and_duplicates(void **state)
{
	(void)state;
	json_t *prog = json_pack("{s:[{s:s, s:s}, {s:s, s:s}], s:[]}", "fields", "name", "a", "type", "number", "name", "b",
				 "type", "date", "sources");
	json_t *recs = json_pack("[{s:i, s:s}, {s:i, s:s}, {s:s, s:s}, {s:i, s:s}]", "a", 1, "b", "2024-01-02", "a", 1, "b",
				 "2024-01-02", "a", "x", "b", "yesterday", "a", 2, "b", "2024-01-03");
	json_t *v = adt_validate(recs, prog, 0.9, 0.9);
	assert_false(json_is_true(json_object_get(v, "ok")));
	assert_int_equal(json_integer_value(json_object_get(v, "duplicates")), 1);
	json_t *fa = json_object_get(json_object_get(v, "fields"), "a");
	assert_true(fabs(json_real_value(json_object_get(fa, "valid")) - 0.75) < 1e-9);
	json_decref(v);
	json_t *empty = json_array();
	v = adt_validate(empty, prog, 0.9, 0.9);
	assert_false(json_is_true(json_object_get(v, "ok")));
	json_decref(v);
	json_decref(empty);
	json_decref(recs);
	json_decref(prog);
	json_t *u1 = json_string("http://x/y.pdf"), *u2 = json_string("y.pdf");
	assert_true(adt_json_has_type(u1, "url"));
	assert_false(adt_json_has_type(u2, "url"));
	json_decref(u1);
	json_decref(u2);
}

static void test_url_templates(void **state)
{
	(void)state;
	char *t = adt_url_template("http://h:8/a/papers?page=2&sort=x");
	assert_string_equal(t, "/a/*?page=*&sort=*");
	free(t);
	t = adt_url_template("http://h/a/paper/p17");
	assert_string_equal(t, "/a/paper/*");
	free(t);
}

static void test_script_calls(void **state)
{
	(void)state;
	const char *src = "// older prices\nconst API_KEY = 'k-1';\n"
			  "async function more(p) { const r = await fetch('/api/h?symbol=XYZ&page=' + p, "
			  "{headers: {'X-API-Key': API_KEY, 'Authorization': 'Bearer ' + API_KEY}}); return r.json(); }\n"
			  "more(1);\n/* a comment: fetch('/nope') */\n"
			  "function load(n) { fetch(\"/api/fixtures?round=\" + n).then(r => r.json()); } load(4); load(5);\n"
			  "var x = new XMLHttpRequest(); x.open('GET', 'feed.json');\n"
			  "fetch('http://elsewhere.example/track');\n";
	json_t *calls = adt_script_calls("http://h:8/site/page.html", src);
	assert_int_equal(json_array_size(calls), 3); /* the other origin is left out */
	json_t *c = json_array_get(calls, 0);
	assert_string_equal(json_string_value(json_object_get(c, "url")), "http://h:8/api/h?symbol=XYZ&page={p}");
	json_t *h = json_object_get(c, "headers");
	assert_int_equal(json_array_size(h), 2);
	assert_string_equal(json_string_value(json_array_get(h, 0)), "X-API-Key: k-1");
	assert_string_equal(json_string_value(json_array_get(h, 1)), "Authorization: Bearer k-1");
	assert_string_equal(json_string_value(json_array_get(json_object_get(c, "values"), 0)), "1");
	c = json_array_get(calls, 1);
	assert_string_equal(json_string_value(json_object_get(c, "url")), "http://h:8/api/fixtures?round={n}");
	assert_int_equal(json_array_size(json_object_get(c, "values")), 2);
	c = json_array_get(calls, 2);
	assert_string_equal(json_string_value(json_object_get(c, "url")), "http://h:8/site/feed.json");
	json_decref(calls);
	/* garbage, unterminated strings and deep nesting are no calls */
	calls = adt_script_calls("http://h/", "fetch(fetch(fetch('unterminated");
	assert_true(json_array_size(calls) <= 1);
	json_decref(calls);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_robots_groups_and_longest_match),
		cmocka_unit_test(test_robots_star_group_and_tie),
		cmocka_unit_test(test_robots_hostile_pattern_is_fast),
		cmocka_unit_test(test_limiter_spaces_requests_per_host),
		cmocka_unit_test(test_html_text_paths_and_urls),
		cmocka_unit_test(test_lexicon_names_and_types),
		cmocka_unit_test(test_induction_maps_fields_and_joins_details),
		cmocka_unit_test(test_validator_counts_types_and_duplicates),
		cmocka_unit_test(test_url_templates),
		cmocka_unit_test(test_script_calls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
