/* A plugin whose descriptor points at garbage: reading its ops segfaults.
 * The engine must describe it in a child process and report the crash
 * instead of crashing itself (tests/unit/test_opindex.c). */
#include <stdint.h>

#include "weft/plugin.h"

static const weft_plugin_desc desc = {
	.struct_size = sizeof(weft_plugin_desc),
	.abi_major = WEFT_ABI_MAJOR,
	.abi_minor = WEFT_ABI_MINOR,
	.name = "baddesc",
	.version = "1",
	.ops = (const weft_op_desc *const *)(uintptr_t)0x10,
	.n_ops = 3,
};

WEFT_PLUGIN_EXPORT const weft_plugin_desc *weft_plugin_entry(const weft_host_api *api)
{
	(void)api;
	return &desc;
}
