/*
 * fuzz_tokenizer.c - libFuzzer target for index/tokenizer.c.
 *
 * Any bytes go through tok_run, tok_normalize and an FTS5 table that uses
 * the tokenizer (insert, MATCH, highlight, delete).  Besides the
 * sanitizers, it aborts when a contract is broken:
 *   - offsets lie inside the text, tokens come in text order, token text
 *     is 1..TOK_MAX_WORD bytes of a-z0-9 or the original Han bytes folded
 *     to simplified (tok_fold);
 *   - tok_normalize is no longer than its input, has no upper-case ASCII,
 *     no leading, trailing or double spaces, is idempotent, and tokenizes
 *     to the same tokens and runs as the original text.
 */
#include "tokenizer.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
    const char *text;
    int len, last_start, last_run, count;
    char tokens[1 << 16];
    size_t tlen;
};

static int on_token(void *ctx, int run, const char *tok, int len, int start, int end)
{
    struct seen *s = ctx;
    if (start < 0 || end > s->len || start >= end || start < s->last_start ||
        run < s->last_run || len <= 0 || len > TOK_MAX_WORD)
        abort();
    if ((unsigned char)tok[0] >= 0x80) {
        /* issue 22: Han characters fold 繁体 -> 简体, so the token is the
         * original bytes folded, not the original bytes themselves */
        char *f = tok_fold(s->text + start, (size_t)(end - start));
        if (!f || strlen(f) != (size_t)len || memcmp(f, tok, (size_t)len) != 0)
            abort();
        free(f);
    } else {
        for (int i = 0; i < len; i++)
            if (!((tok[i] >= 'a' && tok[i] <= 'z') || (tok[i] >= '0' && tok[i] <= '9')))
                abort();
    }
    /* record the token and whether it starts a new run, for comparison */
    if (s->tlen + (size_t)len + 2 < sizeof s->tokens) {
        s->tokens[s->tlen++] = (char)(run == s->last_run ? '.' : '|');
        memcpy(s->tokens + s->tlen, tok, (size_t)len);
        s->tlen += (size_t)len;
        s->tokens[s->tlen++] = ' ';
    }
    s->last_start = start;
    s->last_run = run;
    s->count++;
    return 0;
}

/* Tokens of text, with run boundaries, written to s->tokens. */
static void tokens_of(struct seen *s, const char *text, int len)
{
    s->text = text;
    s->len = len;
    s->last_start = 0;
    s->last_run = -1;
    s->count = 0;
    s->tlen = 0;
    if (tok_run(text, len, on_token, s) != 0)
        abort();
}

static sqlite3 *db;
static sqlite3_stmt *ins, *sel, *del;

static void db_open(void)
{
    if (sqlite3_open(":memory:", &db) != SQLITE_OK || tok_register(db) != SQLITE_OK ||
        sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='shucu')", NULL,
                     NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO t(rowid, x) VALUES (1, ?1)", -1, &ins, NULL) ||
        sqlite3_prepare_v2(db,
                           "SELECT highlight(t, 0, '[', ']'), snippet(t, 0, '[', ']', '…', 8) "
                           "FROM t WHERE t MATCH ?1",
                           -1, &sel, NULL) ||
        sqlite3_prepare_v2(db, "DELETE FROM t", -1, &del, NULL))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct seen a, b;
    const char *text = (const char *)data;
    int len = size > 1 << 20 ? 1 << 20 : (int)size;

    if (db == NULL)
        db_open();
    tokens_of(&a, text, len);

    char *norm = tok_normalize(text, (size_t)len);
    if (norm == NULL)
        abort();
    size_t nlen = strlen(norm);
    if (nlen > (size_t)len || (nlen && (norm[0] == ' ' || norm[nlen - 1] == ' ')) ||
        strstr(norm, "  "))
        abort();
    for (size_t i = 0; i < nlen; i++)
        if (norm[i] >= 'A' && norm[i] <= 'Z')
            abort();
    char *again = tok_normalize(norm, nlen);
    if (again == NULL || strcmp(again, norm) != 0)
        abort();
    free(again);
    tokens_of(&b, norm, (int)nlen);
    if (a.count != b.count || a.tlen != b.tlen || memcmp(a.tokens, b.tokens, a.tlen) != 0)
        abort();

    /* through FTS5: document, query and auxiliary tokenization */
    sqlite3_bind_text(ins, 1, text, len, SQLITE_STATIC);
    if (sqlite3_step(ins) != SQLITE_DONE)
        abort();
    sqlite3_reset(ins);
    if (a.count > 0) {
        /* first token, quoted: it must find the document */
        char q[TOK_MAX_WORD + 4];
        const char *t = a.tokens + 1, *sp = memchr(t, ' ', a.tlen - 1);
        int tl = (int)(sp - t);
        snprintf(q, sizeof q, "\"%.*s\"", tl, t);
        sqlite3_bind_text(sel, 1, q, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(sel) != SQLITE_ROW || sqlite3_column_text(sel, 0) == NULL)
            abort();
        sqlite3_reset(sel);
    }
    if (sqlite3_step(del) != SQLITE_DONE)
        abort();
    sqlite3_reset(del);
    free(norm);
    return 0;
}
