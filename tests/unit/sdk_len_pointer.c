/* Must NOT compile: WEFT_LEN given a pointer instead of an array (the
 * count would silently be 1 or 2). ctest runs the compiler on this file
 * and expects it to fail (tests/CMakeLists.txt, sdk_len_refuses_pointer);
 * with WEFT_LEN_ARRAY it must compile (sdk_len_takes_array). */
#include <weft/ophelp.h>

static const weft_param_spec table[] = {{"a", WEFT_T_INT, "1", "a"}, {"b", WEFT_T_INT, "2", "b"}};
static const weft_param_spec *const ptr = table;
#ifdef WEFT_LEN_ARRAY
size_t n_params = WEFT_LEN(table);
#else
size_t n_params = WEFT_LEN(ptr);
#endif
