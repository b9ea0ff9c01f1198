/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LW4O6_MAIN_H
#define LW4O6_MAIN_H

#include <linux/workqueue.h>

extern struct workqueue_struct *lw4o6_wq;
extern unsigned int lw4o6_max_bindings;
extern unsigned int lw4o6_netns_mem_max;	/* MiB */

#endif /* LW4O6_MAIN_H */
