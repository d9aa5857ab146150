/*
 * topk.h - the best k items of a stream, for a page of results.
 *
 * A bounded max-heap on (key, -id): its root is the worst item kept, so
 * an item that cannot enter the top k costs one comparison.  Lower keys
 * are better; among equal keys the larger id is better (newer rows first,
 * the order search pages by).  Invariant: every kept item is no worse
 * than every item pushed and not kept.
 */
#ifndef SHUCU_TOPK_H
#define SHUCU_TOPK_H

#include <stddef.h>
#include <stdint.h>

struct topk_item {
    double key;   /* lower is better */
    double score; /* carried along, not compared */
    int64_t id;
};

struct topk {
    struct topk_item *v;
    size_t n, cap;
};

/* Keeps at most k items (k may be 0: nothing is kept). */
void topk_init(struct topk *t, size_t k);
void topk_free(struct topk *t);
void topk_push(struct topk *t, struct topk_item it);
/* Sorts the kept items best first, in place (t->v[0 .. t->n)); the heap
 * property is gone afterwards: push no more. */
void topk_sort(struct topk *t);

#endif
