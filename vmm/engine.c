// SPDX-License-Identifier: GPL-2.0-only
/*
 * engine.c --- the registry of CPU engines built into dualvm
 *
 * A const, NULL-terminated table (the only kind of global the house style
 * allows).  Order matters for nothing but listings; `--engine auto` picks
 * KVM when its self-test passes, else the interpreter (vm.c).
 */
#include <string.h>

#include "vmm/engine.h"
#include "vmm/engines.h"
#include "vmm/x86/x86.h"

const struct engine_ops *const engine_registry[] = {
	&kvm_engine_ops,
	&x86_interp_engine_ops,
	&x86_bt_engine_ops,
	NULL,
};

const struct engine_ops *engine_find(const char *name)
{
	unsigned int i;

	for (i = 0; engine_registry[i]; i++)
		if (!strcmp(engine_registry[i]->name, name))
			return engine_registry[i];
	return NULL;
}
