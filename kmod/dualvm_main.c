// SPDX-License-Identifier: GPL-2.0-only
/*
 * dualvm_main.c --- the dualvm kernel module: a misc character device
 *
 * For now the module only registers /dev/dualvm and answers one ioctl with
 * its interface version, so user space can detect it.  The world switch
 * arrives in a later step.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#define DUALVM_IOCTL_VERSION	_IOR('D', 0, __u32)
#define DUALVM_API_VERSION	1

static long dualvm_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	__u32 v = DUALVM_API_VERSION;

	switch (cmd) {
	case DUALVM_IOCTL_VERSION:
		return copy_to_user((void __user *)arg, &v, sizeof(v)) ?
		       -EFAULT : 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations dualvm_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= dualvm_ioctl,
};

static struct miscdevice dualvm_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "dualvm",
	.fops	= &dualvm_fops,
};

static int __init dualvm_init(void)
{
	int err = misc_register(&dualvm_dev);

	if (!err)
		pr_info("dualvm: loaded (api %d)\n", DUALVM_API_VERSION);
	return err;
}

static void __exit dualvm_exit(void)
{
	misc_deregister(&dualvm_dev);
}

module_init(dualvm_init);
module_exit(dualvm_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("dualvm virtual machine monitor support");
