/* MinHash's Python lexer on any text: never reads past the end (unclosed
 * strings, a trailing backslash), and a text's signature is the same
 * twice. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "minhash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* no NUL at the end: the lexer must keep to `size` */
	char *src = malloc(size ? size : 1);
	if (!src)
		return 0;
	memcpy(src, data, size);
	sdt_minhash a, b;
	sdt_minhash_code(&a, src, size, 5);
	sdt_minhash_code(&b, src, size, 5);
	if (memcmp(&a, &b, sizeof a) != 0 || (a.n_shingles && sdt_minhash_jaccard(&a, &b) != 1.0))
		abort();
	free(src);
	return 0;
}
