/*
 * qtext.h - the query builder's internals, shared by its three files and
 * nothing else: a growable buffer, a string -> int map, the units a text
 * is cut into (query_units.c), and the synonym dictionary's layout
 * (synonyms.c), read by the builder (query.c).  See query.c for the
 * design: units, keys, segmentation.
 */
#ifndef SHUCU_QTEXT_H
#define SHUCU_QTEXT_H

#include "query.h"
#include "tokenizer.h"

#include <stddef.h>
#include <stdint.h>
#include <uchar.h>

#define QUERY_MAX_TERMS 256  /* cap on max_terms */
#define QUERY_MAX_ALTS 12    /* phrases in one synonym group, at most */
#define QUERY_PHRASE_MAX 16  /* Han characters in one unknown phrase */
#define QUERY_STOP 1         /* unit collection is full */
#define SYN_PREFIX (-1)      /* map value: a proper prefix of some key */
#define KEY_MAX (SYN_MAX_UNITS * (TOK_MAX_WORD + 1))


struct buf {
    char *p;
    size_t len, cap;
};

struct map_slot {
    uint32_t hash;
    int key; /* offset in pool; -1: empty slot */
    int klen;
    int val;
};

enum unit_kind { UNIT_HAN, UNIT_LATIN };

struct map {
    struct map_slot *slots;
    int cap; /* a power of two, or 0 */
    int n;
    struct buf pool;
};

struct unit {
    int off, len;   /* text in units.text */
    int start, end; /* bytes in the original text */
    int run;
    int kind;
    uint32_t cp;    /* UNIT_HAN: the code point; UNIT_LATIN: 0 */
    int keep;       /* part of a protected word: never a filler or particle */
};

struct units {
    struct unit *v;
    int n, cap, max;
    int han_run; /* run of the last Han token seen, -1 none */
    struct buf text;
};

struct syn_term {
    int key, klen; /* in map.pool */
    int alt0, nalts; /* synonyms (itself included) in syn->alts */
};

struct syn {
    struct map map; /* key -> term index, or SYN_PREFIX */
    struct syn_term *terms;
    int nterms, tcap;
    int *alts;
    int nalts, acap;
};

int buf_add(struct buf *b, const char *s, size_t n);
int buf_str(struct buf *b, const char *s);
int array_grow(void *v, int *cap, int need, size_t size);
int map_find(const struct map *m, const char *k, int klen, uint32_t h);
int map_put(struct map *m, const char *k, int klen, uint32_t h, int val,
                   int *slot);
void map_free(struct map *m);
int key_is_char(const char *key, int klen);
int units_collect(struct units *u, const char *text, size_t len, int max);
const char *unit_text(const struct units *u, int i);
int key_add(char *key, int klen, const struct units *u, int i, int first);
int key_build(char *key, const struct units *u, int a, int n);
int unit_in(const struct units *u, int i, const char16_t *set);
int filler_len(const struct units *u, int i, int *stop);
int keep_len(const struct units *u, int i);
int dict_len(const struct syn *s, const struct units *u, int i, int *term);

#endif
