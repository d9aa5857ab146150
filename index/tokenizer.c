/*
 * tokenizer.c - the shucu tokenizer (see tokenizer.h for the rules).
 *
 * Design.  tok_run walks the text once, one UTF-8 character at a time,
 * classifies each character as Han, Latin (an ASCII letter or digit after
 * full-width folding) or a break, and keeps just enough state to emit
 * tokens in text order without looking ahead:
 *   - in a Han run it remembers the previous character; each new character
 *     emits the bigram (previous, new), which spans the original bytes of
 *     both.  A run that ends after one character emits it as a unigram.
 *   - in a Latin run it appends the folded, lower-cased byte to a fixed
 *     TOK_MAX_WORD buffer (dropping bytes past the cap) and emits the word
 *     when the run ends; its offsets span the whole original word, so a
 *     full-width ＭＥＳ is highlighted as the 9 bytes the user typed.
 * Han characters fold from traditional to simplified (tok_t2s, a table
 * generated from OpenCC: t2s_table.h), so 質檢 and 质检 give the same
 * tokens; a Han token is built in a small buffer of the folded
 * characters, and its offsets are still those of the original text.
 *
 * Robustness.  The UTF-8 decoder accepts only complete shortest-form
 * sequences of scalar values and never reads past len; any other byte is
 * consumed alone and acts as a break.  Offsets therefore always lie on
 * the boundaries of characters that were decoded.
 *
 * The FTS5 glue (tok_register) wraps tok_run: xCreate allocates a dummy
 * handle so that xDelete has exactly one thing to free, xTokenize forwards
 * every token to xToken and returns at once whatever non-OK value xToken
 * returns.  All tokenization flags give the same tokens: a prefix query
 * "钢"* asks FTS5 for every bigram that starts with 钢.
 */
#include "tokenizer.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum tok_class { TOK_BREAK, TOK_HAN, TOK_LATIN };

struct tok_range {
    uint32_t lo, hi;
};

/* Code points tokenized as Han: CJK Unified Ideographs and extensions A-H,
 * the compatibility ideographs, and 〇 (U+3007), which is used as a digit. */
static const struct tok_range TOK_HAN_RANGES[] = {
    {0x3007, 0x3007},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},
    {0xF900, 0xFAFF},   {0x20000, 0x2A6DF}, {0x2A700, 0x2EBEF},
    {0x2F800, 0x2FA1F}, {0x30000, 0x323AF},
};

/* Valid UTF-8 lead bytes: sequence length and the range allowed for the
 * second byte, which rules out overlongs, surrogates and > U+10FFFF. */
struct tok_lead {
    unsigned char lo, hi, len, next_lo, next_hi;
};

static const struct tok_lead TOK_UTF8_LEADS[] = {
    {0xC2, 0xDF, 2, 0x80, 0xBF}, {0xE0, 0xE0, 3, 0xA0, 0xBF},
    {0xE1, 0xEC, 3, 0x80, 0xBF}, {0xED, 0xED, 3, 0x80, 0x9F},
    {0xEE, 0xEF, 3, 0x80, 0xBF}, {0xF0, 0xF0, 4, 0x90, 0xBF},
    {0xF1, 0xF3, 4, 0x80, 0xBF}, {0xF4, 0xF4, 4, 0x80, 0x8F},
};

#define TOK_FW_FIRST 0xFF01 /* full-width ！ ... ～ fold to ! ... ~ */
#define TOK_FW_LAST 0xFF5E
#define TOK_FW_SHIFT 0xFEE0
#define TOK_IDEO_SPACE 0x3000

/*
 * Decodes the character at s[0..n), n >= 1.  Returns its length in bytes
 * and stores the code point in *cp; for a byte that does not start a
 * valid, complete, shortest-form sequence returns 1 and stores -1.
 */
static int tok_utf8_next(const unsigned char *s, int n, long *cp)
{
    *cp = -1;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    for (size_t i = 0; i < sizeof TOK_UTF8_LEADS / sizeof TOK_UTF8_LEADS[0]; i++) {
        const struct tok_lead *l = &TOK_UTF8_LEADS[i];
        if (s[0] < l->lo || s[0] > l->hi)
            continue;
        if (n < l->len || s[1] < l->next_lo || s[1] > l->next_hi)
            return 1;
        long c = s[0] & (0x7F >> l->len);
        for (int k = 1; k < l->len; k++) {
            if ((s[k] & 0xC0) != 0x80)
                return 1;
            c = (c << 6) | (s[k] & 0x3F);
        }
        *cp = c;
        return l->len;
    }
    return 1;
}

/* Classifies a code point (-1 = invalid byte).  For TOK_LATIN stores the
 * folded, lower-case ASCII byte in *ascii. */
static enum tok_class tok_classify(long cp, char *ascii)
{
    if (cp >= TOK_FW_FIRST && cp <= TOK_FW_LAST)
        cp -= TOK_FW_SHIFT;
    if (cp >= 0 && cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z')
            cp += 'a' - 'A';
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
            *ascii = (char)cp;
            return TOK_LATIN;
        }
        return TOK_BREAK;
    }
    for (size_t i = 0; i < sizeof TOK_HAN_RANGES / sizeof TOK_HAN_RANGES[0]; i++)
        if (cp >= (long)TOK_HAN_RANGES[i].lo && cp <= (long)TOK_HAN_RANGES[i].hi)
            return TOK_HAN;
    return TOK_BREAK;
}

#include "t2s_table.h"

#define T2S_N (sizeof TOK_T2S / sizeof TOK_T2S[0])

/* Bit c of t2s_bmp: BMP code point c is a key of TOK_T2S (most text has
 * none, so most characters cost one bit test). */
static uint64_t t2s_bmp[1024];
static pthread_once_t t2s_once = PTHREAD_ONCE_INIT;

static void t2s_init(void)
{
    for (size_t i = 0; i < T2S_N; i++)
        if (TOK_T2S[i][0] < 0x10000)
            t2s_bmp[TOK_T2S[i][0] >> 6] |= (uint64_t)1 << (TOK_T2S[i][0] & 63);
}

/* tok_t2s once the table is ready (tok_run readies it once per text). */
static uint32_t t2s_ready(uint32_t cp)
{
    if (cp < 0x10000 && !(t2s_bmp[cp >> 6] & ((uint64_t)1 << (cp & 63))))
        return cp;
    size_t lo = 0, hi = T2S_N;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (TOK_T2S[mid][0] < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < T2S_N && TOK_T2S[lo][0] == cp ? TOK_T2S[lo][1] : cp;
}

uint32_t tok_t2s(uint32_t cp)
{
    pthread_once(&t2s_once, t2s_init);
    return t2s_ready(cp);
}

/* Encodes cp (a scalar value) as UTF-8 into out; returns its length. */
static int utf8_put(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

struct tok_state {
    const char *text;
    tok_fn fn;
    void *ctx;
    int run;            /* number of the current or last run; -1 before any */
    enum tok_class cls; /* class of the current run, TOK_BREAK between runs */
    int prev_start;     /* Han: previous character [prev_start, prev_end) */
    int prev_end;
    char han[8];        /* Han: the previous folded character, then the
                           bigram being emitted */
    int han_len;        /* bytes of the previous folded character */
    int han_chars;      /* Han: characters so far in this run */
    int word_start;     /* Latin: original offsets of the word so far */
    int word_end;
    int word_len;       /* Latin: bytes in word (at most TOK_MAX_WORD) */
    char word[TOK_MAX_WORD];
};

/* Ends the current run, emitting a lone Han character or the Latin word.
 * Returns 0 or the callback's non-zero value. */
static int tok_flush(struct tok_state *st)
{
    int rc = 0;

    if (st->cls == TOK_HAN && st->han_chars == 1)
        rc = st->fn(st->ctx, st->run, st->han, st->han_len, st->prev_start, st->prev_end);
    else if (st->cls == TOK_LATIN)
        rc = st->fn(st->ctx, st->run, st->word, st->word_len, st->word_start,
                    st->word_end);
    st->cls = TOK_BREAK;
    return rc;
}

/* Adds the Han character cp at [start, end): emits the bigram it closes
 * (of the folded characters). */
static int tok_han(struct tok_state *st, uint32_t cp, int start, int end)
{
    int rc = 0, n = utf8_put(t2s_ready(cp), st->han + st->han_len);

    if (st->han_chars > 0)
        rc = st->fn(st->ctx, st->run, st->han, st->han_len + n, st->prev_start, end);
    memmove(st->han, st->han + st->han_len, (size_t)n);
    st->han_len = n;
    st->prev_start = start;
    st->prev_end = end;
    st->han_chars++;
    return rc;
}

/* Adds the folded Latin byte c whose original is [start, end). */
static void tok_latin(struct tok_state *st, char c, int start, int end)
{
    if (st->word_len == 0)
        st->word_start = start;
    if (st->word_len < TOK_MAX_WORD)
        st->word[st->word_len++] = c;
    st->word_end = end;
}

int tok_run(const char *text, int len, tok_fn fn, void *ctx)
{
    struct tok_state st = {.text = text, .fn = fn, .ctx = ctx, .run = -1,
                           .cls = TOK_BREAK};
    const unsigned char *s = (const unsigned char *)text;
    int rc = 0;

    if (text == NULL)
        return 0;
    if (len < 0)
        len = (int)strnlen(text, INT32_MAX);
    pthread_once(&t2s_once, t2s_init);
    for (int i = 0, n; i < len; i += n) {
        long cp;
        char c = 0;
        enum tok_class cls;
        if (s[i] >= 0xE5 && s[i] <= 0xE9 && len - i >= 3 && (s[i + 1] & 0xC0) == 0x80 &&
            (s[i + 2] & 0xC0) == 0x80) {
            /* Most of the text: U+5000..U+9FFF, all of it Han (the
             * general path below gives the same answer, more slowly). */
            cp = ((long)(s[i] & 0x0F) << 12) | ((long)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
            n = 3;
            cls = TOK_HAN;
        } else {
            n = tok_utf8_next(s + i, len - i, &cp);
            cls = tok_classify(cp, &c);
        }
        if (cls != st.cls) {
            if ((rc = tok_flush(&st)) != 0)
                return rc;
            if (cls != TOK_BREAK) {
                st.cls = cls;
                st.run++;
                st.han_chars = 0;
                st.han_len = 0;
                st.word_len = 0;
            }
        }
        if (cls == TOK_HAN && (rc = tok_han(&st, (uint32_t)cp, i, i + n)) != 0)
            return rc;
        if (cls == TOK_LATIN)
            tok_latin(&st, c, i, i + n);
    }
    return tok_flush(&st);
}

char *tok_normalize(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    char *out = malloc(len + 1);
    size_t o = 0;
    int space = 0; /* a space is pending before the next character */

    if (out == NULL)
        return NULL;
    for (size_t i = 0, n; i < len; i += n) {
        long cp;
        n = (size_t)tok_utf8_next(s + i, len - i < 4 ? (int)(len - i) : 4, &cp);
        if (cp >= TOK_FW_FIRST && cp <= TOK_FW_LAST)
            cp -= TOK_FW_SHIFT;
        if (cp < 0x21 || cp == 0x7F || cp == TOK_IDEO_SPACE) {
            space = o > 0;
            continue;
        }
        if (space)
            out[o++] = ' ';
        space = 0;
        if (cp < 0x80) {
            out[o++] = (char)(cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp);
        } else {
            memcpy(out + o, s + i, n);
            o += n;
        }
    }
    out[o] = '\0';
    return out;
}

char *tok_fold(const char *text, size_t len)
{
    char *norm = tok_normalize(text, len), *out;
    if (!norm)
        return NULL;
    size_t n = strlen(norm), o = 0;
    /* a folded character is at most one byte longer (3 -> 4) */
    if ((out = malloc(n + n / 3 + 2)) == NULL) {
        free(norm);
        return NULL;
    }
    const unsigned char *s = (const unsigned char *)norm;
    for (size_t i = 0, k; i < n; i += k) {
        long cp;
        char c;
        k = (size_t)tok_utf8_next(s + i, (int)(n - i < 4 ? n - i : 4), &cp);
        if (tok_classify(cp, &c) == TOK_HAN) {
            o += (size_t)utf8_put(tok_t2s((uint32_t)cp), out + o);
        } else {
            memcpy(out + o, s + i, k);
            o += k;
        }
    }
    out[o] = '\0';
    free(norm);
    return out;
}

/* ---- FTS5 glue ---------------------------------------------------------- */

struct tok_fts5 {
    int unused; /* handle with nothing in it: there is no per-table state */
};

struct tok_fts5_call {
    void *pctx;
    int (*xtoken)(void *, int, const char *, int, int, int);
};

static int tok_fts5_create(void *udata, const char **argv, int argc,
                           Fts5Tokenizer **out)
{
    struct tok_fts5 *t = calloc(1, sizeof *t);

    if (t == NULL)
        return SQLITE_NOMEM;
    *out = (Fts5Tokenizer *)t;
    return SQLITE_OK;
}

static void tok_fts5_delete(Fts5Tokenizer *t)
{
    free(t);
}

static int tok_fts5_emit(void *ctx, int run, const char *token, int len,
                         int start, int end)
{
    struct tok_fts5_call *c = ctx;
    return c->xtoken(c->pctx, 0, token, len, start, end);
}

static int tok_fts5_tokenize(Fts5Tokenizer *t, void *pctx, int flags,
                             const char *text, int len,
                             int (*xtoken)(void *, int, const char *, int, int,
                                           int))
{
    struct tok_fts5_call c = {pctx, xtoken};
    return tok_run(text, len < 0 ? 0 : len, tok_fts5_emit, &c);
}

fts5_api *tok_fts5_api(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, NULL) != SQLITE_OK)
        return NULL;
    if (sqlite3_bind_pointer(stmt, 1, (void *)&api, "fts5_api_ptr", NULL) != SQLITE_OK ||
        sqlite3_step(stmt) != SQLITE_ROW)
        api = NULL;
    sqlite3_finalize(stmt);
    return api && api->iVersion >= 2 ? api : NULL;
}

int tok_register(sqlite3 *db)
{
    fts5_tokenizer tokenizer = {tok_fts5_create, tok_fts5_delete, tok_fts5_tokenize};
    fts5_api *api = tok_fts5_api(db);
    if (!api)
        return SQLITE_ERROR;
    return api->xCreateTokenizer(api, "shucu", NULL, &tokenizer, NULL);
}
