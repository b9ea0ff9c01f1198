// SPDX-License-Identifier: GPL-2.0
/*
 * lw4o6: Lightweight 4over6 (RFC 7596) and DS-Lite (RFC 6333) softwires.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <net/rtnetlink.h>
#include <net/genetlink.h>
#include <uapi/linux/lw4o6.h>

#include "main.h"
#include "b4.h"
#include "device.h"
#include "netlink.h"
#include "load.h"
#include "table.h"

struct workqueue_struct *lw4o6_wq;

unsigned int lw4o6_max_bindings = 1U << 24;

/*
 * A table's bucket arrays are sized from its count; beyond
 * LW4O6_MAX_BINDINGS_LIMIT they would pass kvmalloc()'s INT_MAX, which
 * warns (fatal under panic_on_warn).  Refuse such a value instead.
 */
static int max_bindings_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, LW4O6_MAX_BINDINGS_LIMIT);
}

static const struct kernel_param_ops max_bindings_ops = {
	.set	= max_bindings_set,
	.get	= param_get_uint,
};
module_param_cb(max_bindings, &max_bindings_ops, &lw4o6_max_bindings, 0644);
MODULE_PARM_DESC(max_bindings, "Most bindings one device's table may hold (1 .. 134217728)");

/*
 * Writable only through /sys/module, i.e. by the initial user namespace's
 * root: a user namespace cannot raise its own budget.
 */
unsigned int lw4o6_netns_mem_max = 64;
module_param_named(netns_mem_max_mib, lw4o6_netns_mem_max, uint, 0644);
MODULE_PARM_DESC(netns_mem_max_mib,
		 "MiB the binding tables of one network namespace owned by a non-initial user namespace may use (0: no limit)");

#ifdef DEBUG
static bool lw4o6_selftests(void)
{
	return lw4o6_table_selftest();
}
#else
static bool lw4o6_selftests(void)
{
	return true;
}
#endif

static int __init lw4o6_init(void)
{
	int err;

	lw4o6_wq = alloc_workqueue("lw4o6", WQ_UNBOUND, 0);
	if (!lw4o6_wq)
		return -ENOMEM;

	err = lw4o6_table_init();
	if (err)
		goto err_table;
	if (!lw4o6_selftests()) {
		err = -ENOTRECOVERABLE;
		goto err_load;
	}
	err = lw4o6_load_init();
	if (err)
		goto err_load;
	err = lw4o6_b4_init();
	if (err)
		goto err_b4;
	err = lw4o6_device_init();
	if (err)
		goto err_device;
	err = lw4o6_genl_init();
	if (err)
		goto err_genl;

	pr_info("lw4o6: loaded\n");
	return 0;

err_genl:
	lw4o6_device_uninit();
err_device:
	lw4o6_b4_uninit();
err_b4:
	lw4o6_load_uninit();
err_load:
	lw4o6_table_exit();
err_table:
	destroy_workqueue(lw4o6_wq);
	return err;
}

static void __exit lw4o6_exit(void)
{
	lw4o6_genl_uninit();
	lw4o6_device_uninit();
	lw4o6_b4_uninit();
	lw4o6_load_uninit();
	lw4o6_table_exit();
	destroy_workqueue(lw4o6_wq);
	pr_info("lw4o6: unloaded\n");
}

module_init(lw4o6_init);
module_exit(lw4o6_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Lightweight 4over6 and DS-Lite softwires");
MODULE_AUTHOR("The lw4o6 authors");
MODULE_VERSION(LW4O6_VERSION);
MODULE_ALIAS_RTNL_LINK(LW4O6_LINK_KIND);
MODULE_ALIAS_GENL_FAMILY(LW4O6_GENL_NAME);
