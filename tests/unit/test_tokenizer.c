/*
 * test_tokenizer.c - the shucu tokenizer: tokens, runs and byte offsets
 * from tok_run, robustness on broken UTF-8, tok_normalize, and the FTS5
 * behaviour users see (matching 2-character words, highlight marks).
 */
#include "test.h"
#include "tokenizer.h"

#include <sqlite3.h>

/* Renders every token as "run:token@start-end", space separated. */
struct collect {
    char out[8192];
    size_t len;
    int count;
    int stop_after; /* return 7 after this many tokens (0: never) */
};

static int collect_token(void *ctx, int run, const char *token, int len,
                         int start, int end)
{
    struct collect *c = ctx;
    int n = snprintf(c->out + c->len, sizeof c->out - c->len, "%s%d:%.*s@%d-%d",
                     c->len ? " " : "", run, len, token, start, end);
    if (n > 0 && (size_t)n < sizeof c->out - c->len)
        c->len += (size_t)n;
    c->count++;
    return c->stop_after && c->count >= c->stop_after ? 7 : 0;
}

static const char *toks(const char *text)
{
    static struct collect c;
    memset(&c, 0, sizeof c);
    int rc = tok_run(text, (int)strlen(text), collect_token, &c);
    return rc == 0 ? c.out : "(error)";
}

TEST(han_bigrams)
{
    ASSERT_STR_EQ(toks("质量检测"), "0:质量@0-6 0:量检@3-9 0:检测@6-12");
    ASSERT_STR_EQ(toks("质检"), "0:质检@0-6");
}

TEST(lone_han_is_unigram)
{
    ASSERT_STR_EQ(toks("钢"), "0:钢@0-3");
    ASSERT_STR_EQ(toks("钢 铁"), "0:钢@0-3 1:铁@4-7");
    /* 〇 counts as Han; Ext A and compatibility ideographs too */
    ASSERT_STR_EQ(toks("二〇二六"), "0:二〇@0-6 0:〇二@3-9 0:二六@6-12");
    ASSERT_STR_EQ(toks("\xe3\x90\x80\xef\xa4\x80"), /* U+3400 U+F900 */
                  "0:\xe3\x90\x80\xef\xa4\x80@0-6");
}

TEST(latin_words_and_digits)
{
    ASSERT_STR_EQ(toks("OPC UA"), "0:opc@0-3 1:ua@4-6");
    ASSERT_STR_EQ(toks("5G"), "0:5g@0-2");
    ASSERT_STR_EQ(toks("ISO9001:2015"), "0:iso9001@0-7 1:2015@8-12");
}

TEST(mixed_scripts_are_separate_runs)
{
    ASSERT_STR_EQ(toks("MES系统"), "0:mes@0-3 1:系统@3-9");
    ASSERT_STR_EQ(toks("5G专网"), "0:5g@0-2 1:专网@2-8");
    ASSERT_STR_EQ(toks("AI质检"), "0:ai@0-2 1:质检@2-8");
    ASSERT_STR_EQ(toks("上MES"), "0:上@0-3 1:mes@3-6");
}

TEST(full_width_folds_with_original_offsets)
{
    /* Ｍ Ｅ Ｓ are 3 bytes each: the token spans the 9 original bytes */
    ASSERT_STR_EQ(toks("ＭＥＳ系统"), "0:mes@0-9 1:系统@9-15");
    ASSERT_STR_EQ(toks("５Ｇ专网"), "0:5g@0-6 1:专网@6-12");
    /* U+3000 is a space; full-width punctuation is a break */
    ASSERT_STR_EQ(toks("ＥＲＰ\xe3\x80\x80系统"), "0:erp@0-9 1:系统@12-18");
    ASSERT_STR_EQ(toks("Ａ！Ｂ"), "0:a@0-3 1:b@6-9");
}

TEST(punctuation_breaks)
{
    ASSERT_STR_EQ(toks("质检，系统"), "0:质检@0-6 1:系统@9-15");
    ASSERT_STR_EQ(toks("《数字化》、转型。"), "0:数字@3-9 0:字化@6-12 1:转型@18-24");
    ASSERT_STR_EQ(toks("a-b_c"), "0:a@0-1 1:b@2-3 2:c@4-5");
    ASSERT_STR_EQ(toks("，。！？、"), "");
}

TEST(emoji_and_other_scripts_break)
{
    ASSERT_STR_EQ(toks("质检😀系统"), "0:质检@0-6 1:系统@10-16");
    ASSERT_STR_EQ(toks("😀😀"), "");
    ASSERT_STR_EQ(toks("café"), "0:caf@0-3");
}

TEST(empty_input)
{
    struct collect c = {0};
    ASSERT_EQ(tok_run("", 0, collect_token, &c), 0);
    ASSERT_EQ(tok_run(NULL, 0, collect_token, &c), 0);
    ASSERT_EQ(tok_run("   ", 3, collect_token, &c), 0);
    ASSERT_EQ(c.count, 0);
    /* len < 0: NUL-terminated */
    ASSERT_EQ(tok_run("质检", -1, collect_token, &c), 0);
    ASSERT_EQ(c.count, 1);
}

TEST(long_latin_word_truncated)
{
    char word[201];
    memset(word, 'A', 200);
    word[200] = '\0';
    struct collect c = {0};
    ASSERT_EQ(tok_run(word, 200, collect_token, &c), 0);
    ASSERT_EQ(c.count, 1);
    char want[128];
    snprintf(want, sizeof want, "0:%.*s@0-200", TOK_MAX_WORD,
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    ASSERT_STR_EQ(c.out, want);
}

TEST(callback_value_stops_tokenizing)
{
    struct collect c = {.stop_after = 2};
    ASSERT_EQ(tok_run("质量检测系统", -1, collect_token, &c), 7);
    ASSERT_EQ(c.count, 2);
    struct collect d = {.stop_after = 1};
    ASSERT_EQ(tok_run("abc def", -1, collect_token, &d), 7);
    ASSERT_EQ(d.count, 1);
}

/* Checks the contract on any input: offsets in range and in order, token
 * text non-empty and short, Han tokens equal to their original bytes. */
struct check {
    const char *text;
    int len, last_start, bad, count;
};

static int check_token(void *ctx, int run, const char *token, int len, int start,
                       int end)
{
    struct check *c = ctx;
    c->count++;
    if (start < 0 || end > c->len || start >= end || start < c->last_start ||
        len <= 0 || len > TOK_MAX_WORD)
        c->bad++;
    if ((unsigned char)token[0] >= 0x80 &&
        (end - start != len || memcmp(c->text + start, token, (size_t)len) != 0))
        c->bad++;
    c->last_start = start;
    return 0;
}

static int check_text(const char *text, int len)
{
    struct check c = {text, len, 0, 0, 0};
    /* copy to an exact-size heap block so ASan catches any over-read */
    char *copy = malloc(len ? (size_t)len : 1);
    memcpy(copy, text, (size_t)len);
    c.text = copy;
    int rc = tok_run(copy, len, check_token, &c);
    free(copy);
    return rc == 0 && c.bad == 0 ? c.count : -1;
}

TEST(invalid_utf8_is_a_break)
{
    /* truncated 3-byte sequence at the end */
    ASSERT_EQ(check_text("\xe8\xb4\xa8\xe6", 4), 1);
    ASSERT_STR_EQ(toks("质\xe6"), "0:质@0-3");
    /* truncated sequence in the middle splits the run */
    ASSERT_STR_EQ(toks("质\xe6\xa3检测"), "0:质@0-3 1:检测@5-11");
    /* lone continuation bytes */
    ASSERT_STR_EQ(toks("ab\x80\xbf" "cd"), "0:ab@0-2 1:cd@4-6");
    /* overlong encodings of '/' and of U+4E00, surrogate, > U+10FFFF */
    ASSERT_STR_EQ(toks("a\xc0\xaf" "b"), "0:a@0-1 1:b@3-4");
    ASSERT_STR_EQ(toks("\xf0\x84\xb8\x80"), "");
    ASSERT_STR_EQ(toks("\xe0\x9f\xbf" "x"), "0:x@3-4");
    ASSERT_STR_EQ(toks("\xed\xa0\x80" "x"), "0:x@3-4");
    ASSERT_STR_EQ(toks("\xf4\x90\x80\x80" "x"), "0:x@4-5");
    ASSERT_STR_EQ(toks("\xff\xfe" "x"), "0:x@2-3");
    /* every prefix of a long mixed text tokenizes within bounds */
    const char *mix = "ＭＥＳ系统\xe6\xa3 5G专网😀质\x80量检测，AI";
    int n = (int)strlen(mix);
    for (int i = 0; i <= n; i++)
        ASSERT_GE(check_text(mix, i), 0);
    /* embedded NUL is a break */
    ASSERT_EQ(check_text("ab\0cd", 5), 2);
}

TEST(normalize)
{
    struct {
        const char *in, *want;
    } cases[] = {
        {"  ＭＥＳ  系统\t\n", "mes 系统"},
        {"5Ｇ\xe3\x80\x80专网", "5g 专网"},
        {"OPC   UA", "opc ua"},
        {"", ""},
        {" \xe3\x80\x80 ", ""},
        {"a\xff" "b", "a b"},
        {"质检，系统", "质检,系统"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = tok_normalize(cases[i].in, strlen(cases[i].in));
        ASSERT(got != NULL);
        int same = strcmp(got, cases[i].want) == 0;
        if (!same)
            fprintf(stderr, "  normalize(\"%s\") = \"%s\"\n", cases[i].in, got);
        free(got);
        ASSERT(same);
    }
    char *e = tok_normalize(NULL, 0);
    ASSERT_STR_EQ(e, "");
    free(e);
}

/* ---- through SQLite ------------------------------------------------------ */

static sqlite3 *open_fts(void)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK || tok_register(db) != SQLITE_OK ||
        sqlite3_exec(db,
                     "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='shucu some args');"
                     "INSERT INTO t(rowid, x) VALUES"
                     " (1, '视觉质检系统'),"
                     " (2, '注塑车间高级计划与排程'),"
                     " (3, 'MES制造执行系统，适合离散制造'),"
                     " (4, '能耗管理平台'),"
                     " (5, '钢铁行业质量检测');",
                     NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

/* Rowids matching q, as "1,3", or an error message. */
static const char *match_ids(sqlite3 *db, const char *q)
{
    static char out[256];
    sqlite3_stmt *st = NULL;
    size_t len = 0;
    out[0] = '\0';
    if (sqlite3_prepare_v2(db, "SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY rowid",
                           -1, &st, NULL) != SQLITE_OK)
        return sqlite3_errmsg(db);
    sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        len += (size_t)snprintf(out + len, sizeof out - len, "%s%lld", len ? "," : "",
                                sqlite3_column_int64(st, 0));
    if (rc != SQLITE_DONE)
        snprintf(out, sizeof out, "error: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return out;
}

static const char *highlight(sqlite3 *db, const char *q)
{
    static char out[512];
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    if (sqlite3_prepare_v2(db,
                           "SELECT highlight(t, 0, '<mark>', '</mark>') FROM t "
                           "WHERE t MATCH ?1 ORDER BY rowid LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return sqlite3_errmsg(db);
    sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

TEST(fts5_matches_words_inside_runs)
{
    sqlite3 *db = open_fts();
    ASSERT(db != NULL);
    ASSERT_STR_EQ(match_ids(db, "\"质检\""), "1");
    /* a 2-character word inside a longer run */
    ASSERT_STR_EQ(match_ids(db, "\"排程\""), "2");
    ASSERT_STR_EQ(match_ids(db, "\"注塑\""), "2");
    ASSERT_STR_EQ(match_ids(db, "\"质量检测\""), "5");
    ASSERT_STR_EQ(match_ids(db, "\"执行系统\""), "3");
    /* no bigram across punctuation: 系统，适合 has no 统适 */
    ASSERT_STR_EQ(match_ids(db, "\"统适\""), "");
    /* full-width query finds ASCII text, and case does not matter */
    ASSERT_STR_EQ(match_ids(db, "\"ＭＥＳ\""), "3");
    ASSERT_STR_EQ(match_ids(db, "mes"), "3");
    /* a lone Han character as a prefix matches the bigrams it starts */
    ASSERT_STR_EQ(match_ids(db, "\"钢\"*"), "5");
    ASSERT_STR_EQ(match_ids(db, "\"系统\""), "1,3");
    sqlite3_close(db);
}

TEST(fts5_highlight_offsets)
{
    sqlite3 *db = open_fts();
    ASSERT(db != NULL);
    ASSERT_STR_EQ(highlight(db, "\"质检\""), "视觉<mark>质检</mark>系统");
    ASSERT_STR_EQ(highlight(db, "\"计划与排程\""), "注塑车间高级<mark>计划与排程</mark>");
    ASSERT_STR_EQ(highlight(db, "\"ＭＥＳ\""), "<mark>MES</mark>制造执行系统，适合离散制造");
    ASSERT_EQ(sqlite3_exec(db, "INSERT INTO t(rowid, x) VALUES (9, 'ＡＩ视觉')", NULL, NULL,
                           NULL),
              SQLITE_OK);
    ASSERT_STR_EQ(highlight(db, "ai"), "<mark>ＡＩ</mark>视觉");
    sqlite3_close(db);
}

TEST(fts5_register_twice_and_many_tables)
{
    sqlite3 *db = NULL;
    ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
    ASSERT_EQ(tok_register(db), SQLITE_OK);
    ASSERT_EQ(tok_register(db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE VIRTUAL TABLE a USING fts5(x, tokenize=shucu);"
                           "CREATE VIRTUAL TABLE b USING fts5(x, y, tokenize='shucu');"
                           "INSERT INTO b VALUES ('数字孪生', 'OPC UA');"
                           "DROP TABLE a;",
                           NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_close(db); /* ASan: every xCreate handle freed by xDelete */
}

TEST(traditional_folds_to_simplified)
{
    /* issue 22: 繁体 and 简体 give the same tokens; offsets stay those of
     * the original bytes, so a highlight marks what the document says. */
    ASSERT_STR_EQ(toks("質檢"), "0:质检@0-6");
    ASSERT_STR_EQ(toks("質量檢測"), "0:质量@0-6 0:量检@3-9 0:检测@6-12");
    ASSERT_STR_EQ(toks("設備"), "0:设备@0-6");
    ASSERT_STR_EQ(toks("發"), "0:发@0-3");
    ASSERT_STR_EQ(toks("ＭＥＳ系統"), "0:mes@0-9 1:系统@9-15");
    /* simplified text is unchanged, and folding twice changes nothing */
    ASSERT_STR_EQ(toks("质量检测"), "0:质量@0-6 0:量检@3-9 0:检测@6-12");
    for (uint32_t cp = 0x3400; cp < 0xA000; cp++)
        ASSERT_EQ(tok_t2s(tok_t2s(cp)), tok_t2s(cp));
    ASSERT_EQ(tok_t2s('a'), 'a');
    char *f = tok_fold("質檢 ＭＥＳ 設備", strlen("質檢 ＭＥＳ 設備"));
    ASSERT_STR_EQ(f, "质检 mes 设备");
    free(f);
    sqlite3 *db = NULL;
    ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
    ASSERT_EQ(tok_register(db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='shucu');"
                           "INSERT INTO t(rowid, x) VALUES (1, '视觉质检系统'), (2, '設備點檢管理');",
                           NULL, NULL, NULL),
              SQLITE_OK);
    ASSERT_STR_EQ(match_ids(db, "\"質檢\""), "1");   /* 繁体 query, 简体 text */
    ASSERT_STR_EQ(match_ids(db, "\"设备点检\""), "2"); /* 简体 query, 繁体 text */
    ASSERT_STR_EQ(highlight(db, "\"设备\""), "<mark>設備</mark>點檢管理");
    sqlite3_close(db);
}

TEST(every_common_han_character_is_one_token)
{
    /* The decoder's fast path for U+5000..U+9FFF must agree with the
     * general one on every character around it: each alone is one token
     * (its simplified form) when Han, and nothing when not (U+4DC0..U+4DFF
     * are hexagram symbols, U+A000 on Yi). */
    for (uint32_t cp = 0x4000; cp < 0xA100; cp++) {
        char text[4] = {(char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3F)),
                        (char)(0x80 | (cp & 0x3F)), 0};
        uint32_t w = tok_t2s(cp); /* may be outside the BMP (偢 -> U+25062) */
        char exp[32] = "";
        if (((cp >= 0x4000 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF)) && w < 0x10000)
            snprintf(exp, sizeof exp, "0:%c%c%c@0-3", (char)(0xE0 | (w >> 12)),
                     (char)(0x80 | ((w >> 6) & 0x3F)), (char)(0x80 | (w & 0x3F)));
        else if ((cp >= 0x4000 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF))
            snprintf(exp, sizeof exp, "0:%c%c%c%c@0-3", (char)(0xF0 | (w >> 18)),
                     (char)(0x80 | ((w >> 12) & 0x3F)), (char)(0x80 | ((w >> 6) & 0x3F)),
                     (char)(0x80 | (w & 0x3F)));
        ASSERT_STR_EQ(toks(text), exp);
    }
    /* a lead byte of the fast range with a broken or missing tail */
    ASSERT_STR_EQ(toks("\xe8\xb4"), "");
    ASSERT_STR_EQ(toks("\xe5" "AB"), "0:ab@1-3");
    ASSERT_STR_EQ(toks("\xe9\xbf" "x"), "0:x@2-3");
}

TEST_MAIN(T(han_bigrams), T(lone_han_is_unigram), T(latin_words_and_digits),
          T(mixed_scripts_are_separate_runs), T(full_width_folds_with_original_offsets),
          T(punctuation_breaks), T(emoji_and_other_scripts_break), T(empty_input),
          T(long_latin_word_truncated), T(callback_value_stops_tokenizing),
          T(invalid_utf8_is_a_break), T(normalize), T(fts5_matches_words_inside_runs),
          T(fts5_highlight_offsets), T(fts5_register_twice_and_many_tables),
          T(traditional_folds_to_simplified), T(every_common_han_character_is_one_token))
