// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The PCP server's ANNOUNCE rounds, without I/O (pcp_announce.h). */
#include <stdlib.h>
#include <string.h>

#include "pcp_announce.h"

static int to_cmp(const void *x, const void *y)
{
	const struct pcp_announce_to *a = x, *b = y;

	return memcmp(&a->b4, &b->b4, sizeof(a->b4));
}

void pcp_announce_init(struct pcp_announce *a, uint32_t rate)
{
	memset(a, 0, sizeof(*a));
	a->rate = rate;
}

void pcp_announce_free(struct pcp_announce *a)
{
	free(a->to);
	a->to = NULL;
	a->n = a->next = a->left = 0;
	a->active = false;
}

long pcp_announce_begin(struct pcp_announce *a, const struct mapping_b4 *b4s,
			size_t n, unsigned int passes, int64_t now_ms)
{
	struct pcp_announce_to *to = n ? calloc(n, sizeof(*to)) : NULL;
	size_t i, k = 0;

	if (n && !to)
		return -1;
	for (i = 0; i < n; i++) {
		if (b4s[i].via == MAPPING_VIA_DHCP4O6)
			continue;
		to[k].b4 = b4s[i].b4;
		to[k++].via = b4s[i].via;
	}
	qsort(to, k, sizeof(*to), to_cmp);
	n = k;
	for (i = k = 0; i < n; i++)
		if (!k || to_cmp(&to[k - 1], &to[i]))
			to[k++] = to[i];
	pcp_announce_free(a);
	a->to = to;
	a->n = a->left = k;
	a->pass = 0;
	a->passes = passes < 1 ? 1 : passes > PCP_ANNOUNCE_PASSES ?
		    PCP_ANNOUNCE_PASSES : passes;
	a->began = now_ms;
	a->first_ms = 0;
	a->slice_left = 0;
	a->sent = 0;
	a->active = k > 0;
	return (long)k;
}

bool pcp_announce_heard(struct pcp_announce *a, const struct in6_addr *b4)
{
	struct pcp_announce_to key = { .b4 = *b4 }, *t;

	if (!a->active)
		return false;
	t = bsearch(&key, a->to, a->n, sizeof(*a->to), to_cmp);
	if (!t || t->heard)
		return false;
	t->heard = true;
	if (--a->left)
		return false;
	/* nobody left to tell: the passes still due would send nothing */
	if (a->next || a->slice_left)
		a->pass++;	/* the one under way counts */
	a->active = false;
	return true;
}

/* When pass a->pass is due: 0, 250, 750, 1750 ... ms after the start. */
static int64_t pass_due(const struct pcp_announce *a)
{
	return a->began +
	       PCP_ANNOUNCE_GAP_MS * (((int64_t)1 << a->pass) - 1);
}

struct pcp_announce_step pcp_announce_run(struct pcp_announce *a,
					  int64_t now_ms,
					  pcp_announce_send_fn *send,
					  void *arg)
{
	struct pcp_announce_step st = { .wait_ms = -1 };
	size_t per = a->rate / (1000 / PCP_ANNOUNCE_SLICE_MS), chunk;
	int64_t due;

	if (!a->active)
		return st;
	if (!per)
		per = 1;
	if (!a->next && !a->slice_left) {
		/* a pass begins: when it is due */
		due = pass_due(a);
		if (now_ms < due) {
			st.wait_ms = due - now_ms;
			return st;
		}
		a->slice_at = now_ms;
		a->slice_left = per;
	}
	chunk = a->slice_left < PCP_ANNOUNCE_CHUNK ? a->slice_left :
		PCP_ANNOUNCE_CHUNK;
	while (chunk && a->next < a->n) {
		const struct pcp_announce_to *t = &a->to[a->next++];

		if (t->heard)
			continue;
		send(t, arg);
		a->sent++;
		chunk--;
		a->slice_left--;
	}
	if (a->next < a->n) {
		if (a->slice_left) {		/* the rest of this slice: next turn */
			st.wait_ms = 0;
			return st;
		}
		a->slice_at += PCP_ANNOUNCE_SLICE_MS;
		a->slice_left = per;
		st.wait_ms = a->slice_at > now_ms ? a->slice_at - now_ms : 0;
		return st;
	}
	/* This pass is out. */
	if (!a->pass) {
		a->first_ms = now_ms - a->began;
		st.first_pass_done = true;
	}
	a->next = 0;
	a->slice_left = 0;
	if (++a->pass == a->passes || !a->left) {
		a->active = false;
		st.over = true;
		return st;
	}
	/* The next: when due, and not before this slice is over (the pace). */
	due = pass_due(a);
	if (due < a->slice_at + PCP_ANNOUNCE_SLICE_MS)
		due = a->slice_at + PCP_ANNOUNCE_SLICE_MS;
	st.wait_ms = due > now_ms ? due - now_ms : 0;
	return st;
}
