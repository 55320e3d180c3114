// SPDX-License-Identifier: GPL-2.0-only
/*
 * dev.c --- the one device lifecycle: allocate, init, reset, map, destroy
 *
 * Every device of libdevices is created and destroyed here from its
 * struct dev_ops, so no device carries allocation, port mapping and
 * unwinding code of its own.  The device's state follows a small header
 * (struct dev_inst) in the same allocation: the header remembers the type
 * and where the fixed ranges were mapped, so dev_reset() and dev_destroy()
 * need only the device pointer.
 */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "devices/devices.h"

struct dev_inst {
	const struct dev_ops	*ops;		/* the device type */
	struct iospace		*pio;		/* where its ranges are mapped */
	uint64_t		shift;		/* dev_cfg.base - ranges[0].base */
	bool			mapped;		/* the fixed ranges are mapped */
	max_align_t		state[];	/* the device, ops->size bytes */
};

static struct dev_inst *dev_inst(void *dev)
{
	struct dev_inst *di = (struct dev_inst *)
			      ((char *)dev - offsetof(struct dev_inst, state));

	assert(di->ops && di->ops->init);	/* made by dev_create() */
	return di;
}

int dev_create(const struct dev_ops *ops, const struct dev_env *env,
	       const struct dev_cfg *cfg, void **out)
{
	struct dev_inst *di;
	int err;

	*out = NULL;
	assert(ops->size && ops->init && (ops->ranges || !ops->nranges));
	di = calloc(1, sizeof(*di) + ops->size);
	if (!di)
		return -ENOMEM;
	di->ops = ops;
	di->pio = env->pio;
	if (cfg->base && ops->nranges)
		di->shift = cfg->base - ops->ranges[0].base;
	err = ops->init(di->state, env, cfg);
	if (err)
		goto out_free;
	if (ops->reset)
		ops->reset(di->state);
	err = iospace_map_set(di->pio, ops->ranges, ops->nranges, di->shift,
			      di->state);
	if (err)
		goto out_fini;
	di->mapped = true;
	*out = di->state;
	return 0;

out_fini:
	if (ops->fini)
		ops->fini(di->state);
out_free:
	free(di);
	return err;
}

void dev_reset(void *dev)
{
	struct dev_inst *di = dev_inst(dev);

	if (di->ops->reset)
		di->ops->reset(dev);
}

void dev_destroy(void *dev)
{
	struct dev_inst *di;

	if (!dev)
		return;
	di = dev_inst(dev);
	if (di->mapped)
		iospace_unmap_set(di->pio, di->ops->ranges, di->ops->nranges,
				  di->shift);
	if (di->ops->fini)
		di->ops->fini(dev);
	free(di);
}

const struct dev_ops *dev_type(void *dev)
{
	return dev_inst(dev)->ops;
}
