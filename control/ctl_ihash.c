/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_ihash.c: the incrementally growing chained hash (ctl_ihash.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_ihash.h"

int ctl_ihash_init(struct ctl_ihash *t, uint32_t nb, uint32_t (*hash)(const struct ctl_hlink *l))
{
	memset(t, 0, sizeof(*t));
	if (nb == 0 || (nb & (nb - 1)) != 0 || hash == NULL)
		return -EINVAL;
	t->tab = calloc(nb, sizeof(*t->tab));
	if (t->tab == NULL)
		return -ENOMEM;
	t->nb = nb;
	t->hash = hash;
	return 0;
}

void ctl_ihash_fini(struct ctl_ihash *t)
{
	free(t->tab);
	free(t->old);
	memset(t, 0, sizeof(*t));
}

/* Move old bucket t->moved into the new table. */
static void move_one(struct ctl_ihash *t)
{
	struct ctl_hlink *l = t->old[t->moved], *next;

	for (; l != NULL; l = next) {
		uint32_t i = t->hash(l) & (t->nb - 1);

		next = l->next;
		l->next = t->tab[i];
		t->tab[i] = l;
	}
	t->old[t->moved++] = NULL;
	if (t->moved == t->onb) {
		free(t->old);
		t->old = NULL;
		t->onb = 0;
		t->moved = 0;
	}
}

void ctl_ihash_settle(struct ctl_ihash *t)
{
	while (t->old != NULL)
		move_one(t);
}

int ctl_ihash_reserve(struct ctl_ihash *t)
{
	if (t->n >= t->nb && t->nb < (UINT32_C(1) << 31)) {
		struct ctl_hlink **tab;

		/* Cannot happen with CTL_IHASH_STEP >= 2, but a table must never
		 * have three generations. */
		ctl_ihash_settle(t);
		tab = calloc((size_t)t->nb * 2, sizeof(*tab));
		if (tab == NULL)
			return -ENOMEM;
		t->old = t->tab;
		t->onb = t->nb;
		t->moved = 0;
		t->tab = tab;
		t->nb *= 2;
	}
	for (unsigned int i = 0; i < CTL_IHASH_STEP && t->old != NULL; i++)
		move_one(t);
	return 0;
}

static struct ctl_hlink **chain_ref(struct ctl_ihash *t, uint32_t h)
{
	if (t->old != NULL && (h & (t->onb - 1)) >= t->moved)
		return &t->old[h & (t->onb - 1)];
	return &t->tab[h & (t->nb - 1)];
}

void ctl_ihash_insert(struct ctl_ihash *t, struct ctl_hlink *l, uint32_t h)
{
	struct ctl_hlink **head = chain_ref(t, h);

	l->next = *head;
	*head = l;
	t->n++;
}

bool ctl_ihash_remove(struct ctl_ihash *t, struct ctl_hlink *l, uint32_t h)
{
	struct ctl_hlink **pp = chain_ref(t, h);

	for (; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == l) {
			*pp = l->next;
			l->next = NULL;
			t->n--;
			return true;
		}
	}
	return false;
}

void ctl_ihash_clear(struct ctl_ihash *t)
{
	free(t->old);
	t->old = NULL;
	t->onb = 0;
	t->moved = 0;
	if (t->tab != NULL)
		memset(t->tab, 0, (size_t)t->nb * sizeof(*t->tab));
	t->n = 0;
}

static void each_chain(struct ctl_hlink **tab, uint32_t from, uint32_t to,
	void (*each)(struct ctl_hlink *l, void *arg), void *arg)
{
	for (uint32_t i = from; i < to; i++) {
		struct ctl_hlink *l = tab[i], *next;

		for (; l != NULL; l = next) {
			next = l->next;
			each(l, arg);
		}
	}
}

void ctl_ihash_each(struct ctl_ihash *t, void (*each)(struct ctl_hlink *l, void *arg),
	void *arg)
{
	if (t->old != NULL)
		each_chain(t->old, t->moved, t->onb, each, arg);
	each_chain(t->tab, 0, t->nb, each, arg);
}
