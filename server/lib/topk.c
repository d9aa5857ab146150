/*
 * topk.c - a bounded heap (see topk.h).
 */
#include "topk.h"

#include "util.h"

#include <stdlib.h>

/* 1 when a ranks after b. */
static int worse(const struct topk_item *a, const struct topk_item *b)
{
    return a->key > b->key || (a->key == b->key && a->id < b->id);
}

static void swap(struct topk_item *a, struct topk_item *b)
{
    struct topk_item t = *a;
    *a = *b;
    *b = t;
}

void topk_init(struct topk *t, size_t k)
{
    t->n = 0;
    t->cap = k;
    t->v = xmalloc((k ? k : 1) * sizeof *t->v);
}

void topk_free(struct topk *t)
{
    free(t->v);
    t->v = NULL;
    t->n = t->cap = 0;
}

void topk_push(struct topk *t, struct topk_item it)
{
    if (t->cap == 0)
        return;
    if (t->n == t->cap) {
        if (!worse(&t->v[0], &it))
            return;
        t->v[0] = it; /* replace the worst, sift down */
        size_t i = 0;
        for (;;) {
            size_t l = 2 * i + 1, r = l + 1, m = i;
            if (l < t->n && worse(&t->v[l], &t->v[m]))
                m = l;
            if (r < t->n && worse(&t->v[r], &t->v[m]))
                m = r;
            if (m == i)
                break;
            swap(&t->v[i], &t->v[m]);
            i = m;
        }
        return;
    }
    size_t i = t->n++;
    t->v[i] = it;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!worse(&t->v[i], &t->v[p]))
            break;
        swap(&t->v[i], &t->v[p]);
        i = p;
    }
}

static int cmp(const void *a, const void *b)
{
    const struct topk_item *x = a, *y = b;
    return worse(x, y) ? 1 : worse(y, x) ? -1 : 0;
}

void topk_sort(struct topk *t)
{
    if (t->n > 1)
        qsort(t->v, t->n, sizeof *t->v, cmp);
}
