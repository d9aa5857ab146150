/*
 * qtext.h - the query builder's internals, shared by its four files and
 * nothing else: a growable buffer, a string -> int map, the units a text
 * is cut into (query_units.c), and the synonym dictionary's layout
 * (synonyms.c), and the builder's own state, read by the builder (query.c
 * for a search box, query_any.c for a long text).  See query.c for the
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


/* ---- the builder (query.c, query_any.c) ---------------------------------- */

extern const char16_t QUERY_FILLER_CHARS[];
extern const char16_t QUERY_PARTICLES[];

struct seg {
    int u0, nu;  /* units */
    int term;    /* dictionary term, -1 none */
    int filler;  /* 0 a real word, FILL_GENERIC or FILL_STOP */
    int key, klen; /* text in builder.keys */
    long df;     /* estimated document frequency, -1 unknown */
    int keep;
};

enum { FILL_GENERIC = 1, FILL_STOP = 2 };

struct cand {
    int key, klen; /* text in builder.cmap.pool */
    int term;
    int tf, first;
    long df;
    double score;
    double weight; /* 1 for the text's own words; an extra term's weight */
};

/* The weight of one phrase of a piece: w times the IDF of the phrase
 * back phrases earlier (0: its own).  See bm25.h for the spec. */
struct phrase_w {
    double w;
    int back;
};

struct builder {
    const struct query_opts *o;
    int nown;
    const struct syn *syn;
    struct units u;
    struct seg *segs; /* QUERY_ALL */
    int nsegs, scap;
    struct buf keys;
    struct cand *cands; /* QUERY_ANY */
    int ncands, ccap;
    struct map cmap; /* cand key -> index */
    struct map seen; /* rendered phrases or pieces already in the expression */
    struct buf expr;
    struct buf piece;
    struct phrase_w pw[QUERY_MAX_ALTS]; /* the phrases of piece */
    int npw;
    struct buf wts;   /* phrase weights of expr (bm25.h) */
    int nphrase;      /* phrases in expr */
    struct buf pwts;  /* phrase weights of piece, as text */
    json_t *terms;
    struct query_part *parts; /* QUERY_ALL */
    int nparts, pcap;
    double *idf;      /* per term of terms */
    int nidf, icap;
    int stop_only;
    char *corr_from, *corr_to; /* the correction made (seg_correct) */
};


int render_phrase(struct buf *b, const char *key, int klen);
const char *term_key(const struct builder *b, int t, int *klen);
long phrase_df(const struct query_opts *o, const char *key, int klen);
long term_df(const struct builder *b, int term, const char *key, int klen);
int term_order(const struct syn *s, int term, int order[QUERY_MAX_ALTS]);
int render_term(struct builder *b, int term, const char *key, int klen, double w);
int expr_append(struct builder *b, const char *sep);
int terms_add(struct builder *b, const char *key, int klen, double idf);
double idf_of(const struct query_opts *o, long df);
int seg_lookup(struct builder *b, int i, int *kend, int *ld, int *term, int *fill);
int query_any(struct builder *b, int max_terms);

#endif
