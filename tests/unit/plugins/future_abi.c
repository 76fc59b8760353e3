/* A plugin built for a newer ABI minor than the host: refused with both
 * versions named (tests/unit/test_opindex.c). */
#include "weft/plugin.h"

static const weft_plugin_desc desc = {
	.struct_size = sizeof(weft_plugin_desc),
	.abi_major = WEFT_ABI_MAJOR,
	.abi_minor = WEFT_ABI_MINOR + 1,
	.name = "future",
	.version = "1",
};

WEFT_PLUGIN_EXPORT const weft_plugin_desc *weft_plugin_entry(const weft_host_api *api)
{
	(void)api;
	return &desc;
}
