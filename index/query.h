/*
 * query.h - turns what a user typed into an FTS5 MATCH expression, and
 * loads the synonym dictionary it expands terms with.
 *
 * Every term of the expression is a double-quoted FTS5 string, optionally
 * followed by * (a lone Han character: "钢"* matches the bigrams that start
 * with 钢), joined by AND / OR and parentheses that the builder writes
 * itself.  The quoted text consists of tokenizer output only, so no user
 * text ever becomes FTS5 syntax: AND, NEAR(, *, ^, column filters and
 * quotes typed by the user are searched as plain words or dropped as
 * punctuation.
 *
 * Text is cut into units (a Han character or a Latin word, see
 * tokenizer.h) and segmented by greedy longest match against the synonym
 * dictionary and a built-in list of filler words (stopwords such as 我们,
 * 想要, 一套; generic nouns such as 车间, 软件, 系统).  What the dictionary
 * does not know stays as phrases of adjacent Han characters (cut at
 * particles such as 的, trimmed of filler characters such as 想/上 at their
 * edges, at most 16 characters each) or single Latin words.  A built-in
 * list of real words that hold such characters (在线, 在制品, 回款, 有色,
 * 服务器 ...) is never cut or trimmed: 在线监测 stays 在线监测.
 *
 * Phrase weights.  Besides the expression, the builder writes the weight
 * of each of its phrases for shucu_bm25 (bm25.h): a synonym counts
 * QUERY_SYN_WEIGHT of the word typed and takes that word's IDF, so an
 * exact word outranks the same word reached by a synonym; extra terms
 * (QUERY_ANY, e.g. inferred from the problem-phrase lexicon) count their
 * own weight.
 *
 * QUERY_ALL (search box): every kept segment must match.  A dictionary
 * segment becomes an OR group of its synonyms, ("aps" OR "排产" OR ...),
 * leaving out synonyms another one already covers (智能排产 when 排产 is
 * there).  Filler words and terms more common than max_df_ratio are
 * dropped, but never all terms.
 *   注塑车间排产软件 -> "注塑" AND ("排产" OR "aps" OR "高级计划与排程" ...)
 * QUERY_ANY (matching a long need text): candidates are dictionary words,
 * Han bigrams of the rest and Latin words, scored tf x idf; the best
 * max_terms are expanded with synonyms and OR-ed.  Linear in the text
 * (about 3 ms for 20,000 characters).
 */
#ifndef SHUCU_QUERY_H
#define SHUCU_QUERY_H

#include <errno.h> /* query_build returns -EINVAL, -ENOMEM */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define QUERY_MAX_EXPR 8192      /* bytes of one MATCH expression, at most */
#define QUERY_ALL_MAX_UNITS 512  /* QUERY_ALL reads this many units of text */
#define QUERY_ANY_MAX_UNITS 65536 /* QUERY_ANY reads this many units */
#define QUERY_ANY_DF_MAX 1024    /* QUERY_ANY asks df for this many terms */
#define SYN_MAX_UNITS 32         /* units in one dictionary term, at most */
#define QUERY_SYN_WEIGHT 0.5     /* weight of a synonym against the word typed */
#define QUERY_EXTRA_MAX 12       /* extra terms added to a QUERY_ANY query */
#define QUERY_EXTRA_BUDGET_DIV 5 /* their postings: max_postings / this, at most */

/* Synonym dictionary, read-only once loaded: share it between threads. */
struct syn;
struct pinyin;

/*
 * Loads a synonym file such as schemas/synonyms.json:
 *   {"version": 1, "groups": [["MES", "制造执行系统"], ["质检", "质量检测"]]}
 * Each group holds >= 2 equivalent strings; a string may be in several
 * groups (its synonyms are the union).  Strings are compared after
 * tokenization, so case, width and spacing do not matter.  On success
 * stores a new dictionary in *out (free with syn_free) and returns 0; on a
 * bad or unreadable file returns -1 and writes a message naming the file
 * and the problem (line and column, or the JSON path) into err.
 */
int syn_load(const char *path, struct syn **out, char *err, size_t errlen);
void syn_free(struct syn *s);

enum query_mode {
    QUERY_ALL, /* search: all segments must match */
    QUERY_ANY  /* match: any of the most informative terms */
};

/* A term added to a QUERY_ANY query besides the text's own words. */
struct query_extra {
    const char *text; /* any text: tokenized like the query */
    double weight;    /* its phrases' weight, (0, 1] */
};

struct query_opts {
    enum query_mode mode;
    const struct syn *syn; /* may be NULL */
    /* QUERY_ANY: terms kept (by tf x idf); QUERY_ALL: segments kept
     * (the rarest by df when df is given, else the first).
     * <= 0: 32 for QUERY_ANY, 16 for QUERY_ALL; at most 256. */
    int max_terms;
    /* Drop terms found in more than this share of documents (0: keep
     * all); never drops every term. */
    double max_df_ratio;
    /* QUERY_ANY with df: keep terms, best first, while the sum of their
     * df stays within this many documents (the first is always kept);
     * 0: no budget.  Bounds the rows FTS5 must rank for a long text. */
    long max_postings;
    /* Number of documents containing one token (a Han bigram or unigram
     * or a Latin word, as the tokenizer produces it: fts5vocab 'row' doc
     * column).  May be NULL: then no df filtering and QUERY_ANY scores by
     * tf alone.  A phrase's df is estimated as its rarest token's. */
    long (*df)(void *ctx, const char *token, int len);
    void *df_ctx;
    long ndocs;
    /* QUERY_ANY: terms to add after the text's own (see any_extra in
     * query.c); ignored by QUERY_ALL. */
    const struct query_extra *extra;
    int nextra;
    /* QUERY_ALL: a Han phrase of 2 to 4 characters that no document holds
     * is searched as the phrase one character away that sounds alike
     * (pinyin.h) and is in the most documents, at least correct_min_df of
     * them (at least 1): 排厂 -> 排产.  py NULL: no correction. */
    const struct pinyin *py;
    long correct_min_df;
};

/* One required part of a QUERY_ALL query: a segment and its synonyms. */
struct query_part {
    char *term;    /* the normalised term */
    char *match;   /* its FTS5 piece: a phrase or a parenthesised OR group */
    char *weights; /* the piece's phrase weights (bm25.h) */
    long df;       /* estimated document frequency, -1 unknown */
    int dict;      /* a word of the synonym dictionary (a trade term) */
};

struct query {
    char *match;   /* FTS5 expression (malloc'd), NULL: nothing searchable */
    json_t *terms; /* array of the normalised terms kept, e.g. ["质检","视觉"] */
    char *weights; /* phrase weights of match for shucu_bm25 (bm25.h) */
    double *idf;   /* IDF of each term (0: unknown), json_array_size(terms) */
    int nown;      /* QUERY_ANY: the first nown terms are the text's own;
                      the rest are extra terms */
    struct query_part *parts; /* QUERY_ALL: the AND-ed parts, in order */
    int nparts;
    char *corrected_from, *corrected_to; /* QUERY_ALL: the correction made
                      (see query_opts.py), both NULL when none */
    int stop_only; /* QUERY_ALL: the text held only stopwords (的, 我们,
                      the): match searches them, but a caller may prefer
                      to search nothing */
};

/*
 * Builds the MATCH expression for text[0..len) (any bytes; invalid UTF-8
 * is a break).  On success returns 0 and fills *out, which the caller
 * releases with query_free.  Returns -EINVAL for NULL arguments and
 * -ENOMEM when memory runs out; *out is then empty.
 */
int query_build(const char *text, size_t len, const struct query_opts *o,
                struct query *out);

/* Frees what query_build stored in q and empties it; q itself is not freed. */
void query_free(struct query *q);

/*
 * The expression and phrase weights of the parts of a QUERY_ALL query whose
 * bit is set in keep (bit i: q->parts[i]), joined by op (" AND " or
 * " OR "), in *match and *weights (malloc'd; the caller frees both).
 * Returns the number of parts joined (0: *match is NULL), or -ENOMEM.
 */
int query_join(const struct query *q, uint64_t keep, const char *op, char **match,
               char **weights);

#endif
