/* autosdt's C parts and its AST judge: the notebook reader, AutoSDT's
 * rules, MinHash near-duplicates, the sandbox (timeout, output limit, no
 * network), and share/autosdt/sdt.py's judge on fixture programs written
 * here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "minhash.h"
#include "notebook.h"
#include "rules.h"
#include "sandbox.h"

/* ---------------------------------------------------------------- notebooks */

static void test_notebook_v4_code_cells_and_magics(void **state)
{
	(void)state;
	const char *nb = "{\"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {}, \"cells\": ["
			 "{\"cell_type\": \"markdown\", \"source\": [\"# Title\\n\", \"text\"]},"
			 "{\"cell_type\": \"code\", \"source\": [\"%matplotlib inline\\n\", \"import pandas as pd\\n\","
			 " \"df = pd.read_csv('a.csv')\"], \"outputs\": []},"
			 "{\"cell_type\": \"code\", \"source\": \"!pip install x\\nfiles = !ls\\ndf?\\nprint(df.mean())\"},"
			 "{\"cell_type\": \"code\", \"source\": [\"%%bash\\n\", \"echo hi\\n\"]}]}";
	size_t cells = 0;
	char err[256];
	char *code = sdt_notebook_code(nb, strlen(nb), &cells, err, sizeof err);
	assert_non_null(code);
	assert_int_equal(cells, 3);
	assert_non_null(strstr(code, "# %matplotlib inline\nimport pandas as pd\ndf = pd.read_csv('a.csv')\n"));
	assert_non_null(strstr(code, "# !pip install x\n# files = !ls\n# df?\nprint(df.mean())\n"));
	assert_non_null(strstr(code, "# %%bash\n# echo hi\n"));
	assert_null(strstr(code, "Title")); /* markdown is not code */
	free(code);
}

static void test_notebook_v3_and_bad_input(void **state)
{
	(void)state;
	const char *nb3 = "{\"nbformat\": 3, \"worksheets\": [{\"cells\": [{\"cell_type\": \"code\", \"input\": "
			  "[\"x = 1\\n\", \"print(x)\"]}, {\"cell_type\": \"heading\", \"source\": \"H\"}]}]}";
	size_t cells = 0;
	char err[256];
	char *code = sdt_notebook_code(nb3, strlen(nb3), &cells, err, sizeof err);
	assert_non_null(code);
	assert_int_equal(cells, 1);
	assert_string_equal(code, "x = 1\nprint(x)\n\n");
	free(code);
	assert_null(sdt_notebook_code("{\"cells\": 3}", 12, &cells, err, sizeof err));
	assert_non_null(strstr(err, "no cells"));
	assert_null(sdt_notebook_code("not json", 8, &cells, err, sizeof err));
	assert_non_null(strstr(err, "not a notebook"));
}

/* ---------------------------------------------------------------- rules */

static void test_rules_are_autosdts(void **state)
{
	(void)state;
	char why[256];
	assert_true(sdt_rules_drop("tests/test_fit.py", 10, 1000, why, sizeof why));
	assert_non_null(strstr(why, "test"));
	assert_true(sdt_rules_drop("src/utils/io.py", 10, 1000, why, sizeof why));
	assert_true(sdt_rules_drop("docs/conf.py", 10, 1000, why, sizeof why));
	assert_true(sdt_rules_drop("setup.py", 10, 1000, why, sizeof why));
	assert_true(sdt_rules_drop("pkg/__init__.py", 10, 1000, why, sizeof why));
	assert_true(sdt_rules_drop("model_config.py", 10, 1000, why, sizeof why));
	assert_true(sdt_rules_drop("Scripts/run.py", 10, 1000, why, sizeof why)); /* case-insensitive */
	assert_true(sdt_rules_drop("analysis/plot_test_scores.py", 10, 1000, why, sizeof why)); /* AutoSDT's substring rule */
	assert_true(sdt_rules_drop("analysis/fit.py", 1001, 1000, why, sizeof why));
	assert_non_null(strstr(why, "1001 lines"));
	assert_false(sdt_rules_drop("analysis/fit.py", 1000, 1000, why, sizeof why));
	assert_false(sdt_rules_drop("examples/cluster/plot_kmeans.py", 50, 1000, why, sizeof why));
	assert_false(sdt_rules_drop("notebooks/ols.ipynb", 50, 1000, why, sizeof why));
}

/* ---------------------------------------------------------------- MinHash */

static const char PROG_A[] = "import numpy as np\nimport pandas as pd\n\ndf = pd.read_csv('data/x.csv')\n"
			     "m = df.groupby('site')['value'].mean()\nfor k, v in m.items():\n    print(k, v)\n"
			     "model = np.polyfit(df['t'], df['value'], 2)\nprint('fit', model)\n";

static void test_minhash_similarity(void **state)
{
	(void)state;
	static const char reformatted[] = "# a comment that was added\nimport numpy as np\nimport pandas as pd\n"
					  "df = pd.read_csv('data/x.csv')   # load\n"
					  "m = df.groupby('site')['value'].mean()\nfor k, v in m.items():\n    print(k, v)\n"
					  "model = np.polyfit(df['t'], df['value'], 2)\nprint('fit', model)\n";
	static const char other[] = "from Bio import SeqIO\nfor rec in SeqIO.parse('ls_orchid.fasta', 'fasta'):\n"
				    "    print(rec.id, len(rec.seq), rec.seq.count('G') / len(rec.seq))\n";
	sdt_minhash a, b, c, e;
	sdt_minhash_code(&a, PROG_A, strlen(PROG_A), 5);
	sdt_minhash_code(&b, reformatted, strlen(reformatted), 5);
	sdt_minhash_code(&c, other, strlen(other), 5);
	sdt_minhash_code(&e, "x", 1, 5);
	assert_true(a.n_shingles > 20);
	assert_true(sdt_minhash_jaccard(&a, &a) == 1.0);
	assert_true(sdt_minhash_jaccard(&a, &b) == 1.0); /* comments and spacing are not tokens */
	assert_true(sdt_minhash_jaccard(&a, &c) < 0.1);
	assert_int_equal(e.n_shingles, 0);
	assert_true(sdt_minhash_jaccard(&a, &e) == 0.0);
}

static void test_minhash_dedup(void **state)
{
	(void)state;
	/* b is a with one extra line (near-duplicate), c differs, d repeats a */
	char b[sizeof PROG_A + 64];
	snprintf(b, sizeof b, "%sprint('done')\n", PROG_A);
	static const char c[] = "import scipy.stats as st\nx = st.norm.rvs(size=100, random_state=0)\n"
				"print(st.describe(x))\nprint(st.shapiro(x))\nprint(st.kurtosis(x))\n";
	sdt_minhash s[4];
	sdt_minhash_code(&s[0], PROG_A, strlen(PROG_A), 5);
	sdt_minhash_code(&s[1], b, strlen(b), 5);
	sdt_minhash_code(&s[2], c, strlen(c), 5);
	sdt_minhash_code(&s[3], PROG_A, strlen(PROG_A), 5);
	long dup[4];
	assert_int_equal(sdt_minhash_dedup(s, 4, 32, 0.8, dup), 0);
	assert_int_equal(dup[0], -1);
	assert_int_equal(dup[1], 0);
	assert_int_equal(dup[2], -1);
	assert_int_equal(dup[3], 0);
	/* a high threshold keeps the near-duplicate */
	assert_int_equal(sdt_minhash_dedup(s, 4, 32, 0.99, dup), 0);
	assert_int_equal(dup[1], -1);
	assert_int_equal(dup[3], 0);
}

/* ---------------------------------------------------------------- sandbox */

static char tmpdir[256];

static int setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_autosdt.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	(void)state;
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static int run_py(const char *code, double timeout, uint64_t max_output, int isolate, sdt_run_result *r)
{
	const char *argv[] = {"-c", code, NULL};
	char log[512], err[512];
	snprintf(log, sizeof log, "%s/log", tmpdir);
	sdt_run_opts o = {.python = "python3", .argv = argv, .dir = tmpdir, .log_path = log, .timeout_s = timeout,
			  .max_output = max_output, .isolate = isolate};
	int rc = sdt_sandbox_run(&o, r, err, sizeof err);
	if (rc != 0)
		print_message("sandbox: %s\n", err);
	return rc;
}

static void test_sandbox_exit_and_timeout(void **state)
{
	(void)state;
	sdt_run_result r;
	assert_int_equal(run_py("import sys; sys.exit(3)", 10, 0, 0, &r), 0);
	assert_true(r.exited);
	assert_int_equal(r.code, 3);
	/* a loop that never ends, and a child it started, both stop at the timeout */
	assert_int_equal(run_py("import subprocess; subprocess.Popen(['sleep', '30']); \nwhile True: pass", 1.0, 0, 0, &r),
			 0);
	assert_true(r.timed_out);
	assert_false(r.exited);
	assert_true(r.seconds < 5.0);
}

static void test_sandbox_output_limit(void **state)
{
	(void)state;
	sdt_run_result r;
	/* one file past the limit: SIGXFSZ */
	assert_int_equal(run_py("f = open('big', 'wb')\nwhile True: f.write(b'x' * 65536)", 30, 1 << 20, 0, &r), 0);
	assert_true(r.over_size);
	assert_false(r.exited && r.code == 0);
	unlink("big");
	/* many files under the limit each, over it together: the poll */
	assert_int_equal(run_py("import itertools\nfor i in itertools.count():\n"
				"    open('part%d' % i, 'wb').write(b'x' * 500000)",
				30, 2 << 20, 0, &r),
			 0);
	assert_true(r.over_size);
}

static void test_sandbox_no_network(void **state)
{
	(void)state;
	sdt_run_result r;
	/* a server on the host's loopback is out of reach from inside */
	int rc = run_py("import socket, sys\ns = socket.socket()\ns.settimeout(2)\n"
			"try:\n    s.connect(('127.0.0.1', 9))\nexcept OSError as e:\n    sys.exit(0 if e.errno in (101, 99, 111) and "
			"not [i for i in socket.if_nameindex() if i[1] not in ('lo',)] else 5)\nsys.exit(4)",
			10, 0, 1, &r);
	if (rc != 0)
		skip(); /* no namespaces here: sandbox.c says so to the user */
	assert_true(r.exited);
	assert_int_equal(r.code, 0);
}

/* The same probe as an unprivileged user: the sandbox then makes a user
 * namespace of its own. Run as root, the test drops to nobody in a child;
 * it skips where the kernel gives unprivileged users no namespaces. */
static void test_sandbox_no_network_unprivileged(void **state)
{
	(void)state;
	if (getuid() != 0)
		skip(); /* not root: test_sandbox_no_network took this path already */
	assert_int_equal(chmod(tmpdir, 0777), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
			_exit(3);
		const char *argv[] = {"-c",
				      "import socket, sys\ns = socket.socket()\ns.settimeout(2)\n"
				      "try:\n    s.connect(('127.0.0.1', 9))\nexcept OSError as e:\n"
				      "    sys.exit(0 if [i for i in socket.if_nameindex() if i[1] != 'lo'] == [] else 5)\n"
				      "sys.exit(4)",
				      NULL};
		char log[512], err[512];
		snprintf(log, sizeof log, "%s/log-nobody", tmpdir);
		sdt_run_opts o = {.python = "python3", .argv = argv, .dir = tmpdir, .log_path = log, .timeout_s = 10,
				  .isolate = 1};
		sdt_run_result r;
		if (sdt_sandbox_run(&o, &r, err, sizeof err) != 0) {
			fprintf(stderr, "sandbox as nobody: %s\n", err);
			_exit(strstr(err, "unshare of the user") ? 77 : 2);
		}
		_exit(r.exited && r.code == 0 ? 0 : 1);
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* ---------------------------------------------------------------- the AST judge */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_ast_judge_fixtures(void **state)
{
	(void)state;
	char in[512], out[512], cmd[4096];
	snprintf(in, sizeof in, "%s/in.jsonl", tmpdir);
	snprintf(out, sizeof out, "%s/out.jsonl", tmpdir);
	/* one line per fixture: a task, synthetic data, a library module, no
	 * output, a notebook-style file reading a local CSV, and bad syntax */
	write_file(in,
		   "{\"path\": \"plot_iris.py\", \"code\": \"from sklearn.datasets import load_iris\\nimport matplotlib.pyplot as plt\\n"
		   "X, y = load_iris(return_X_y=True)\\nplt.scatter(X[:, 0], X[:, 1], c=y)\\nplt.show()\\n\"}\n"
		   "{\"path\": \"blobs.py\", \"code\": \"import numpy as np\\nfrom sklearn.datasets import make_blobs\\n"
		   "X, y = make_blobs(random_state=0)\\nprint(np.mean(X))\\n\"}\n"
		   "{\"path\": \"lib.py\", \"code\": \"import pandas as pd\\n\\ndef load(p):\\n    return pd.read_csv(p)\\n\\n"
		   "class Model:\\n    pass\\n\"}\n"
		   "{\"path\": \"quiet.py\", \"code\": \"import pandas as pd\\ndf = pd.read_csv('x.csv')\\nm = df.mean()\\n\"}\n"
		   "{\"path\": \"nb.ipynb\", \"code\": \"# %matplotlib inline\\nimport pandas as pd\\n"
		   "df = pd.read_csv('data/sites.csv')\\ndf.groupby('site').mean().to_csv('means.csv')\\n\"}\n"
		   "{\"path\": \"broken.py\", \"code\": \"def f(:\\n\"}\n");
	char helper[1024];
	snprintf(helper, sizeof helper, "%s/sdt.py", SDT_SHARE_DIR);
	snprintf(cmd, sizeof cmd, "python3 '%s' judge '%s' '%s'", helper, in, out);
	assert_int_equal(system(cmd), 0);
	FILE *f = fopen(out, "r");
	assert_non_null(f);
	char line[65536];
	const char *want[] = {"\"is_task\": true", "\"is_task\": false", "\"is_task\": false", "\"is_task\": false",
			      "\"is_task\": true", "\"is_task\": false"};
	const char *why[] = {"meets all three", "fails dataset", "fails scientific", "fails output", "meets all three",
			     "does not parse"};
	for (int i = 0; i < 6; i++) {
		assert_non_null(fgets(line, sizeof line, f));
		if (!strstr(line, want[i]) || !strstr(line, why[i]))
			print_message("fixture %d: %s\n", i, line);
		assert_non_null(strstr(line, want[i]));
		assert_non_null(strstr(line, why[i]));
	}
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notebook_v4_code_cells_and_magics),
		cmocka_unit_test(test_notebook_v3_and_bad_input),
		cmocka_unit_test(test_rules_are_autosdts),
		cmocka_unit_test(test_minhash_similarity),
		cmocka_unit_test(test_minhash_dedup),
		cmocka_unit_test_setup_teardown(test_sandbox_exit_and_timeout, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_sandbox_output_limit, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_sandbox_no_network, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_sandbox_no_network_unprivileged, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_ast_judge_fixtures, setup_tmp, teardown_tmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
