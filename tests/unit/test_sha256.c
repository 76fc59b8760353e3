/* SHA-256: the FIPS 180-4 test vectors through every compression path (the
 * machine's best, the portable code, the portable code with BMI2), and the
 * other paths against the portable one on random data split at random
 * points. */
#include <fcntl.h>
#include <unistd.h>

#include "test_util.h"

#include "hash.h"
#include "sha256.h"

enum { PATH_BEST, PATH_PORTABLE, PATH_BMI2, N_PATHS };

static void init_path(weft_sha256 *c, int path)
{
	if (path == PATH_PORTABLE)
		weft_sha256_init_portable(c);
	else if (path == PATH_BMI2)
		(void)weft_sha256_init_bmi2(c); /* the portable code without BMI2 */
	else
		weft_sha256_init(c);
}

static void hex_of(char out[65], const void *data, size_t len, int path)
{
	weft_sha256 c;
	unsigned char md[32];
	init_path(&c, path);
	weft_sha256_update(&c, data, len);
	weft_sha256_final(&c, md);
	weft_hash_hex(out, md);
}

static void test_vectors(void **state)
{
	(void)state;
	static const struct {
		const char *msg, *digest;
	} v[] = {
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
		{"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrst"
		 "nopqrstu",
		 "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
	};
	for (int path = 0; path < N_PATHS; path++)
		for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
			char hex[65];
			hex_of(hex, v[i].msg, strlen(v[i].msg), path);
			assert_string_equal(hex, v[i].digest);
		}
	/* One million 'a's, fed in uneven pieces. */
	for (int path = 0; path < N_PATHS; path++) {
		weft_sha256 c;
		init_path(&c, path);
		char chunk[997];
		memset(chunk, 'a', sizeof chunk);
		size_t left = 1000000;
		while (left) {
			size_t n = left < sizeof chunk ? left : sizeof chunk;
			weft_sha256_update(&c, chunk, n);
			left -= n;
		}
		unsigned char md[32];
		char hex[65];
		weft_sha256_final(&c, md);
		weft_hash_hex(hex, md);
		assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	}
}

static void test_paths_agree(void **state)
{
	(void)state;
	unsigned seed = 12345;
	unsigned char *data = malloc(5000);
	assert_non_null(data);
	for (int round = 0; round < 2000; round++) {
		size_t len = (size_t)(round * 37 % 5000);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1664525u + 1013904223u;
			data[i] = (unsigned char)(seed >> 24);
		}
		char a[65], b[65];
		hex_of(a, data, len, PATH_PORTABLE);
		/* The other paths, fed in random pieces. */
		for (int path = PATH_BEST; path < N_PATHS; path += 2) {
			weft_sha256 c;
			init_path(&c, path);
			size_t off = 0;
			while (off < len) {
				seed = seed * 1664525u + 1013904223u;
				size_t n = 1 + (seed >> 16) % 200;
				if (n > len - off)
					n = len - off;
				weft_sha256_update(&c, data + off, n);
				off += n;
			}
			unsigned char md[32];
			weft_sha256_final(&c, md);
			weft_hash_hex(b, md);
			assert_string_equal(a, b);
		}
	}
	free(data);
}

static void test_hasher_api(void **state)
{
	(void)state;
	char hex[65];
	assert_int_equal(weft_hash_bytes(hex, "abc", 3), WEFT_OK);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	weft_hasher *h = weft_hasher_new();
	assert_non_null(h);
	assert_int_equal(weft_hasher_update(h, "a", 1), WEFT_OK);
	assert_int_equal(weft_hasher_update(h, "bc", 2), WEFT_OK);
	assert_int_equal(weft_hasher_final(h, hex), WEFT_OK);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* weft_hash_fd_known stops at a short read that reaches the size the
 * caller saw, without the read that would return 0: on a non-blocking
 * pipe whose writer is still open, that read would fail (EAGAIN). A file
 * longer than the size given is still read to its end. */
static void test_hash_fd_known_skips_the_end_read(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(write(p[1], "abc", 3), 3);
	char hex[65];
	uint64_t size = 0;
	assert_int_equal(weft_hash_fd_known(hex, p[0], 3, &size), WEFT_OK);
	assert_int_equal(size, 3);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* Without a size, the same pipe needs that read, and it fails. */
	assert_int_equal(write(p[1], "abc", 3), 3);
	assert_int_equal(weft_hash_fd(hex, p[0], &size), WEFT_EIO);
	close(p[0]);
	close(p[1]);

	char *dir = tmpdir_new();
	char *f = weft_path_join(dir, "f");
	write_text(f, "abcdef");
	int fd = open(f, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(weft_hash_fd_known(hex, fd, 3, &size), WEFT_OK); /* it grew since: all of it */
	assert_int_equal(size, 6);
	char want[65];
	assert_int_equal(weft_hash_bytes(want, "abcdef", 6), WEFT_OK);
	assert_string_equal(hex, want);
	close(fd);
	weft_rm_rf(dir);
	free(f);
	free(dir);
}

/* A hash's hex form: 64 of 0-9a-f and the end. Every byte value at every
 * place, and the lengths around 64. */
static void test_is_hex(void **state)
{
	(void)state;
	char s[80];
	for (int at = 0; at < 64; at++)
		for (int b = 1; b < 256; b++) {
			memset(s, 'a', 64);
			s[64] = '\0';
			s[at] = (char)b;
			int want = (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f');
			assert_int_equal(weft_hash_is_hex(s), want);
		}
	memset(s, '7', 70);
	s[63] = '\0';
	assert_false(weft_hash_is_hex(s)); /* 63 */
	s[63] = '7';
	s[65] = '\0';
	assert_false(weft_hash_is_hex(s)); /* 65 */
	s[64] = '\0';
	assert_true(weft_hash_is_hex(s));
	s[10] = '\0';
	assert_false(weft_hash_is_hex(s));
	assert_false(weft_hash_is_hex(NULL));
	assert_false(weft_hash_is_hex(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_paths_agree),
		cmocka_unit_test(test_hasher_api),
		cmocka_unit_test(test_is_hex),
		cmocka_unit_test(test_hash_fd_known_skips_the_end_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
