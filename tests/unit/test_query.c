/*
 * test_query.c - the MATCH-expression builder and the synonym dictionary.
 *
 * What a user would notice: a search that finds nothing because a word
 * was not split or expanded (注塑车间排产软件 vs "APS ... 注塑行业版"), an
 * error page because typed text became FTS5 syntax, or a slow match on a
 * long need.  Every expression built here is run through SQLite on an
 * FTS5 table with the shucu tokenizer.
 */
#include "test.h"
#include "query.h"
#include "tokenizer.h"

#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

static const char SYN_JSON[] =
    "{\"version\": 1, \"groups\": [\n"
    "  [\"MES\", \"制造执行系统\", \"生产执行系统\"],\n"
    "  [\"APS\", \"高级计划与排程\", \"高级排程\", \"排产\", \"智能排产\"],\n"
    "  [\"质检\", \"质量检测\", \"品质检测\", \"质量检验\"],\n"
    "  [\"OPC UA\", \"OPC统一架构\"],\n"
    "  [\"５Ｇ专网\", \"5G工业专网\"],\n"
    "  [\"质检\", \"视觉检测\"],\n"
    "  [\"能耗管理\", \"EMS\", \"能源管理系统\"]\n"
    "]}\n";

static const char *const DOCS[] = {
    /* 1 */ "视觉质检系统",
    /* 2 */ "APS高级计划与排程系统 注塑行业版",
    /* 3 */ "MES制造执行系统，适合离散制造",
    /* 4 */ "能源管理系统 EMS 数字化",
    /* 5 */ "钢铁行业质量检测 数字化",
    /* 6 */ "OPC UA 数据采集网关 数字化",
    /* 7 */ "5G工业专网建设 数字化",
    /* 8 */ "注塑机联网与数据采集 数字化",
    /* 9 */ "食品行业追溯 数字化",
    /* 10 */ "仓储管理WMS 数字化",
};
#define NDOCS ((long)(sizeof DOCS / sizeof DOCS[0]))

/* Writes content to a fresh file under /tmp and returns its path. */
static const char *tmp_file(const char *tag, const char *content)
{
    static char path[4][128];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "/tmp/shucu_test_query_%d_%s.json", (int)getpid(), tag);
    FILE *f = fopen(p, "w");
    if (f == NULL)
        return NULL;
    fputs(content, f);
    fclose(f);
    return p;
}

static struct syn *load_fixture(void)
{
    char err[256];
    struct syn *s = NULL;
    const char *path = tmp_file("syn", SYN_JSON);
    if (path == NULL || syn_load(path, &s, err, sizeof err) != 0) {
        fprintf(stderr, "  syn_load: %s\n", err);
        s = NULL;
    }
    if (path)
        unlink(path);
    return s;
}

struct fts {
    sqlite3 *db;
    sqlite3_stmt *count, *ids, *df;
};

static int fts_open(struct fts *f)
{
    memset(f, 0, sizeof *f);
    if (sqlite3_open(":memory:", &f->db) != SQLITE_OK || tok_register(f->db) != SQLITE_OK ||
        sqlite3_exec(f->db,
                     "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='shucu');"
                     "CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row');",
                     NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(f->db, "INSERT INTO t(rowid, x) VALUES (?1, ?2)", -1, &ins,
                           NULL) != SQLITE_OK)
        return -1;
    for (long i = 0; i < NDOCS; i++) {
        sqlite3_bind_int64(ins, 1, i + 1);
        sqlite3_bind_text(ins, 2, DOCS[i], -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE)
            return -1;
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    if (sqlite3_prepare_v2(f->db, "SELECT count(*) FROM t WHERE t MATCH ?1", -1,
                           &f->count, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(f->db,
                           "SELECT group_concat(rowid) FROM "
                           "(SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY rowid)",
                           -1, &f->ids, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(f->db, "SELECT doc FROM v WHERE term = ?1", -1, &f->df,
                           NULL) != SQLITE_OK)
        return -1;
    return 0;
}

static void fts_close(struct fts *f)
{
    sqlite3_finalize(f->count);
    sqlite3_finalize(f->ids);
    sqlite3_finalize(f->df);
    sqlite3_close(f->db);
}

static long fts_df(void *ctx, const char *token, int len)
{
    struct fts *f = ctx;
    long n = 0;
    sqlite3_bind_text(f->df, 1, token, len, SQLITE_STATIC);
    if (sqlite3_step(f->df) == SQLITE_ROW)
        n = sqlite3_column_int64(f->df, 0);
    sqlite3_reset(f->df);
    return n;
}

/* Rowids matched by expr ("2,8"), "" for none, or "error: ...". */
static const char *fts_ids(struct fts *f, const char *expr)
{
    static char out[256];
    sqlite3_bind_text(f->ids, 1, expr, -1, SQLITE_STATIC);
    int rc = sqlite3_step(f->ids);
    if (rc == SQLITE_ROW) {
        const unsigned char *s = sqlite3_column_text(f->ids, 0);
        snprintf(out, sizeof out, "%s", s ? (const char *)s : "");
    } else {
        snprintf(out, sizeof out, "error: %s", sqlite3_errmsg(f->db));
    }
    sqlite3_reset(f->ids);
    return out;
}

/* Builds the expression for text with the fixture's options. */
static char *build(const char *text, enum query_mode mode, const struct syn *s,
                   json_t **terms)
{
    struct query_opts o = {.mode = mode, .syn = s};
    struct query q;
    if (query_build(text, strlen(text), &o, &q) != 0)
        return strdup("(query_build failed)");
    char *m = q.match ? strdup(q.match) : NULL;
    if (terms)
        *terms = json_incref(q.terms);
    query_free(&q);
    return m;
}

static int expr_is(const char *text, enum query_mode mode, const struct syn *s,
                   const char *want)
{
    char *got = build(text, mode, s, NULL);
    int ok = want == NULL ? got == NULL : got != NULL && strcmp(got, want) == 0;
    if (!ok)
        fprintf(stderr, "  %s \"%s\":\n    got  %s\n    want %s\n",
                mode == QUERY_ALL ? "ALL" : "ANY", text, got ? got : "(null)",
                want ? want : "(null)");
    free(got);
    return ok;
}

static int terms_are(json_t *terms, const char *want)
{
    char *got = json_dumps(terms, JSON_COMPACT);
    int ok = got && strcmp(got, want) == 0;
    if (!ok)
        fprintf(stderr, "  terms %s, want %s\n", got ? got : "(null)", want);
    free(got);
    return ok;
}

/* Outside quoted strings an expression may only hold AND, OR, ( ) * and
 * spaces: the builder's own syntax, never the user's. */
static int expr_is_inert(const char *e)
{
    int depth = 0;
    for (const char *p = e; *p;) {
        if (*p == '"') {
            for (p++;; p++) {
                if (*p == '\0')
                    return 0;
                if (*p == '"' && p[1] == '"')
                    p++;
                else if (*p == '"')
                    break;
            }
            p++;
        } else if (*p == ' ' || *p == '*') {
            p++;
        } else if (*p == '(' || *p == ')') {
            depth += *p++ == '(' ? 1 : -1;
            if (depth < 0)
                return 0;
        } else if (strncmp(p, "AND ", 4) == 0) {
            p += 4;
        } else if (strncmp(p, "OR ", 3) == 0) {
            p += 3;
        } else {
            return 0;
        }
    }
    return depth == 0;
}

TEST(plain_terms)
{
    ASSERT(expr_is("质量检测", QUERY_ALL, NULL, "\"质量检测\""));
    ASSERT(expr_is("钢", QUERY_ALL, NULL, "\"钢\"*"));
    ASSERT(expr_is("ＭＥＳ", QUERY_ALL, NULL, "\"mes\""));
    ASSERT(expr_is("OPC UA 网关", QUERY_ALL, NULL, "\"opc\" AND \"ua\" AND \"网关\""));
    ASSERT(expr_is("5G专网", QUERY_ALL, NULL, "\"5g\" AND \"专网\""));
    ASSERT(expr_is("质检，质检 质检", QUERY_ALL, NULL, "\"质检\""));
    ASSERT(expr_is("", QUERY_ALL, NULL, NULL));
    ASSERT(expr_is("，。！ *** ()", QUERY_ALL, NULL, NULL));
    ASSERT(expr_is("😀", QUERY_ANY, NULL, NULL));
}

TEST(fillers_dropped_but_never_everything)
{
    ASSERT(expr_is("我们想找一套注塑车间排产软件", QUERY_ALL, NULL, "\"注塑\" AND \"排产\""));
    ASSERT(expr_is("视觉质检系统", QUERY_ALL, NULL, "\"视觉质检\""));
    ASSERT(expr_is("便宜的能耗", QUERY_ALL, NULL, "\"便宜\" AND \"能耗\""));
    ASSERT(expr_is("好的能耗", QUERY_ALL, NULL, "\"能耗\""));
    ASSERT(expr_is("钢的", QUERY_ALL, NULL, "\"钢\"*"));
    ASSERT(expr_is("钢的我你", QUERY_ALL, NULL, "\"钢\"*"));
    /* issue 22: 上料 is a real word, no longer cut to 料机 */
    ASSERT(expr_is("上料机", QUERY_ALL, NULL, "\"上料机\""));
    ASSERT(expr_is("上料", QUERY_ALL, NULL, "\"上料\""));
    ASSERT(expr_is("便宜的 能耗", QUERY_ALL, NULL, "\"便宜\" AND \"能耗\""));
    ASSERT(expr_is("系统", QUERY_ALL, NULL, "\"系统\""));
    ASSERT(expr_is("想上", QUERY_ALL, NULL, "\"想上\""));
    ASSERT(expr_is("软件 平台", QUERY_ANY, NULL, "\"软件\" OR \"平台\""));
    /* FTS5 operator words typed by the user are words, dropped as fillers */
    ASSERT(expr_is("MES OR ERP NOT WMS", QUERY_ALL, NULL,
                   "\"mes\" AND \"erp\" AND \"wms\""));
    ASSERT(expr_is("AND", QUERY_ALL, NULL, "\"and\""));
}

TEST(long_han_run_cut_into_phrases)
{
    /* 40 characters with no dictionary word: 3 phrases of 14/13/13 */
    const char *run = "一二三四五六七八九十一二三四五六七八九十"
                      "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉";
    char *e = build(run, QUERY_ALL, NULL, NULL);
    ASSERT(e != NULL);
    int phrases = 0;
    for (char *p = e; (p = strstr(p, " AND ")) != NULL; p++)
        phrases++;
    ASSERT_EQ(phrases + 1, 3);
    free(e);
}

TEST(synonyms_expand)
{
    struct syn *s = load_fixture();
    ASSERT(s != NULL);
    /* 智能排产 is left out: every document with it has 排产 */
    ASSERT(expr_is("APS", QUERY_ALL, s,
                   "(\"aps\" OR \"高级计划与排程\" OR \"高级排程\" OR \"排产\")"));
    ASSERT(expr_is("高级计划与排程", QUERY_ALL, s,
                   "(\"高级计划与排程\" OR \"aps\" OR \"高级排程\" OR \"排产\")"));
    /* 排产 found inside a longer run; 车间/软件 are fillers */
    ASSERT(expr_is("注塑车间排产软件", QUERY_ALL, s,
                   "\"注塑\" AND (\"排产\" OR \"aps\" OR \"高级计划与排程\" OR \"高级排程\")"));
    ASSERT(expr_is("想上MES系统", QUERY_ALL, s,
                   "(\"mes\" OR \"制造执行系统\" OR \"生产执行系统\")"));
    /* two spellings of one concept give one group */
    ASSERT(expr_is("MES 制造执行系统", QUERY_ALL, s,
                   "(\"mes\" OR \"制造执行系统\" OR \"生产执行系统\")"));
    /* multi-word and mixed-script entries; case and width folded */
    ASSERT(expr_is("opc  ua", QUERY_ALL, s, "(\"opc ua\" OR \"opc统一架构\")"));
    ASSERT(expr_is("5g专网建设", QUERY_ALL, s, "(\"5g专网\" OR \"5g工业专网\") AND \"建设\""));
    /* a term in two groups gets the union (品质检测 holds the bigram 质检) */
    ASSERT(expr_is("质检", QUERY_ALL, s,
                   "(\"质检\" OR \"质量检测\" OR \"质量检验\" OR \"视觉检测\")"));
    ASSERT(expr_is("智能排产", QUERY_ANY, s,
                   "\"智能排产\" OR \"aps\" OR \"高级计划与排程\" OR \"高级排程\" OR \"排产\""));
    syn_free(s);
}

TEST(synonyms_left_out_when_covered)
{
    /* a phrase whose tokens contain another phrase of the group adds
     * nothing to the OR: keep the short ones, and never a lone character's
     * prefix as a cover */
    const char *path = tmp_file("cover",
                                "{\"version\": 1, \"groups\": ["
                                "[\"排产\", \"排程\", \"车间排产\", \"高级计划与排程\", \"APS\", "
                                "\"APS系统\", \"games\"],"
                                "[\"钢\", \"钢铁\"]]}");
    char err[256];
    struct syn *s = NULL;
    ASSERT_EQ(syn_load(path, &s, err, sizeof err), 0);
    unlink(path);
    /* The typed term stays first (so highlight marks all of it); the
     * covered synonyms 高级计划与排程 and aps系统 are left out. */
    ASSERT(expr_is("车间排产", QUERY_ALL, s,
                   "(\"车间排产\" OR \"排产\" OR \"排程\" OR \"aps\" OR \"games\")"));
    ASSERT(expr_is("钢", QUERY_ALL, s, "(\"钢\"* OR \"钢铁\")"));
    syn_free(s);
}

TEST(synonyms_find_documents)
{
    struct syn *s = load_fixture();
    struct fts f;
    ASSERT(s != NULL);
    ASSERT_EQ(fts_open(&f), 0);
    struct {
        const char *text, *ids;
    } cases[] = {
        {"注塑车间排产软件", "2"},
        {"我们想找一套注塑车间排产软件", "2"},
        {"高级排程", "2"},
        {"制造执行系统", "3"},
        {"ＭＥＳ", "3"},
        {"能耗管理", "4"},
        {"质检", "1,5"},
        {"5G专网", "7"},
        {"opc ua", "6"},
        {"数据采集", "6,8"},
        {"钢", "5"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *e = build(cases[i].text, QUERY_ALL, s, NULL);
        const char *ids = e ? fts_ids(&f, e) : "(null)";
        if (strcmp(ids, cases[i].ids) != 0)
            fprintf(stderr, "  \"%s\" -> %s -> %s, want %s\n", cases[i].text,
                    e ? e : "(null)", ids, cases[i].ids);
        int ok = strcmp(ids, cases[i].ids) == 0;
        free(e);
        ASSERT(ok);
    }
    fts_close(&f);
    syn_free(s);
}

TEST(terms_json)
{
    struct syn *s = load_fixture();
    json_t *terms = NULL;
    ASSERT(s != NULL);
    char *e = build("视觉 质检", QUERY_ALL, s, &terms);
    free(e);
    ASSERT(terms_are(terms, "[\"视觉\",\"质检\"]"));
    json_decref(terms);
    e = build("，，，", QUERY_ALL, s, &terms);
    ASSERT(e == NULL);
    ASSERT(terms_are(terms, "[]"));
    json_decref(terms);
    syn_free(s);
}

TEST(df_drops_common_terms_but_never_all)
{
    struct fts f;
    ASSERT_EQ(fts_open(&f), 0);
    struct query_opts o = {.mode = QUERY_ALL, .max_df_ratio = 0.5, .df = fts_df,
                           .df_ctx = &f, .ndocs = NDOCS};
    struct query q;
    /* 数字化 is in 7 of 10 documents */
    ASSERT_EQ(query_build("数字化 注塑", strlen("数字化 注塑"), &o, &q), 0);
    ASSERT_STR_EQ(q.match, "\"注塑\"");
    query_free(&q);
    ASSERT_EQ(query_build("数字化", strlen("数字化"), &o, &q), 0);
    ASSERT_STR_EQ(q.match, "\"数字化\"");
    query_free(&q);
    /* max_terms keeps the rarest segments */
    o.max_terms = 1;
    o.max_df_ratio = 0;
    ASSERT_EQ(query_build("数字化 食品", strlen("数字化 食品"), &o, &q), 0);
    ASSERT_STR_EQ(q.match, "\"食品\"");
    query_free(&q);
    fts_close(&f);
}

TEST(match_any_scores_by_tf_idf)
{
    struct syn *s = load_fixture();
    struct fts f;
    ASSERT(s != NULL);
    ASSERT_EQ(fts_open(&f), 0);
    const char *need = "我们是一家注塑企业，注塑机三十台，想做排产和质检。数字化数字化数字化。"
                       "火箭发动机";
    struct query_opts o = {.mode = QUERY_ANY, .syn = s, .max_terms = 3, .df = fts_df,
                           .df_ctx = &f, .ndocs = NDOCS, .max_df_ratio = 0.5};
    struct query q;
    ASSERT_EQ(query_build(need, strlen(need), &o, &q), 0);
    /* 注塑 (tf 2) first, then the rarest; 数字化 (tf 3) is in too many
     * documents and 火箭 in none */
    ASSERT(terms_are(q.terms, "[\"注塑\",\"塑机\",\"排产\"]"));
    ASSERT(strstr(q.match, "火箭") == NULL);
    ASSERT_STR_EQ(fts_ids(&f, q.match), "2,8");
    query_free(&q);
    /* without df: tf alone */
    o.df = NULL;
    o.max_terms = 1;
    ASSERT_EQ(query_build(need, strlen(need), &o, &q), 0);
    ASSERT(terms_are(q.terms, "[\"数字\"]"));
    query_free(&q);
    fts_close(&f);
    syn_free(s);
}

/* A long need's OR query makes FTS5 rank every row any term matches; the
 * postings budget keeps the best terms whose documents fit in it, so a
 * match on a common word cannot take seconds on a large pool. */
TEST(match_any_postings_budget)
{
    struct fts f;
    ASSERT_EQ(fts_open(&f), 0);
    const char *need = "注塑车间 数字化 食品追溯";
    struct query_opts o = {.mode = QUERY_ANY, .max_terms = 8, .df = fts_df, .df_ctx = &f,
                           .ndocs = NDOCS};
    struct query q;
    ASSERT_EQ(query_build(need, strlen(need), &o, &q), 0);
    ASSERT(strstr(q.match, "\"数字\"") != NULL); /* no budget: 数字 (7 documents) is in */
    query_free(&q);
    /* Best first (rarest): 食品 and 追溯 (1 document each) fit in 3;
     * 注塑 (2) would take the sum to 4, 数字 (7) far past it. */
    o.max_postings = 3;
    ASSERT_EQ(query_build(need, strlen(need), &o, &q), 0);
    ASSERT_STR_EQ(q.match, "\"食品\" OR \"追溯\"");
    query_free(&q);
    o.max_postings = 4;
    ASSERT_EQ(query_build(need, strlen(need), &o, &q), 0);
    ASSERT(strstr(q.match, "\"注塑\"") != NULL);
    ASSERT(strstr(q.match, "\"数字\"") == NULL);
    query_free(&q);
    /* The best term is kept even when it alone is over the budget. */
    o.max_postings = 1;
    ASSERT_EQ(query_build("数字化", strlen("数字化"), &o, &q), 0);
    ASSERT(q.match != NULL);
    query_free(&q);
    fts_close(&f);
}

/* Deterministic junk. */
static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return rnd_state >> 8;
}

/* Appends the UTF-8 of code point cp to p; returns bytes written. */
static int put_utf8(char *p, uint32_t cp)
{
    if (cp < 0x80)
        return p[0] = (char)cp, 1;
    if (cp < 0x800)
        return p[0] = (char)(0xC0 | cp >> 6), p[1] = (char)(0x80 | (cp & 0x3F)), 2;
    if (cp < 0x10000)
        return p[0] = (char)(0xE0 | cp >> 12), p[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
               p[2] = (char)(0x80 | (cp & 0x3F)), 3;
    return p[0] = (char)(0xF0 | cp >> 18), p[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
           p[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), p[3] = (char)(0x80 | (cp & 0x3F)), 4;
}

/* A need text of nchars characters: domain words, fillers, punctuation and
 * random Han characters (so there are thousands of distinct bigrams). */
static char *long_need(int nchars)
{
    static const char *const words[] = {"注塑", "排产", "质检", "MES", "车间", "我们",
                                        "，", "。", "设备", "数据采集", " ", "OPC UA"};
    char *s = malloc((size_t)nchars * 4 + 64), *p = s;
    for (int n = 0; n < nchars;) {
        if (rnd() % 3 == 0) {
            const char *w = words[rnd() % (sizeof words / sizeof words[0])];
            p += strlen(strcpy(p, w));
            n += 2;
        } else {
            p += put_utf8(p, 0x4E00 + rnd() % 0x5000);
            n++;
        }
    }
    *p = '\0';
    return s;
}

TEST(match_any_long_text_is_fast_and_capped)
{
    struct syn *s = load_fixture();
    struct fts f;
    ASSERT(s != NULL);
    ASSERT_EQ(fts_open(&f), 0);
    char *need = long_need(20000);
    struct query_opts o = {.mode = QUERY_ANY, .syn = s, .max_terms = 24, .df = fts_df,
                           .df_ctx = &f, .ndocs = NDOCS, .max_df_ratio = 0.5};
    struct query q;
    clock_t t0 = clock();
    ASSERT_EQ(query_build(need, strlen(need), &o, &q), 0);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    ASSERT(secs < 2.0); /* under ASan; about 10 ms without */
    ASSERT(q.match != NULL);
    ASSERT_LE(json_array_size(q.terms), 24);
    ASSERT_GE(json_array_size(q.terms), 1);
    ASSERT_LE(strlen(q.match), QUERY_MAX_EXPR);
    ASSERT(strncmp(fts_ids(&f, q.match), "error", 5) != 0);
    query_free(&q);
    /* no df: tf only, still capped */
    o.df = NULL;
    o.max_terms = 5;
    ASSERT_EQ(query_build(need, strlen(need), &o, &q), 0);
    ASSERT_LE(json_array_size(q.terms), 5);
    query_free(&q);
    free(need);
    fts_close(&f);
    syn_free(s);
}

/* Runs text through both modes (with and without synonyms and df) and
 * checks the expression is inert, bounded, and accepted by SQLite. */
static int hostile_ok(struct fts *f, const struct syn *s, const char *text, size_t len)
{
    for (int variant = 0; variant < 4; variant++) {
        struct query_opts o = {.mode = variant & 1 ? QUERY_ANY : QUERY_ALL,
                               .syn = variant & 2 ? s : NULL};
        if (variant == 3) {
            o.df = fts_df;
            o.df_ctx = f;
            o.ndocs = NDOCS;
            o.max_df_ratio = 0.3;
        }
        struct query q;
        if (query_build(text, len, &o, &q) != 0)
            return 0;
        int ok = q.terms != NULL;
        if (ok && q.match != NULL) {
            ok = strlen(q.match) <= QUERY_MAX_EXPR && expr_is_inert(q.match);
            sqlite3_bind_text(f->count, 1, q.match, -1, SQLITE_STATIC);
            int rc = sqlite3_step(f->count);
            if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
                fprintf(stderr, "  SQLite: %s\n  on: %.300s\n", sqlite3_errmsg(f->db), q.match);
                ok = 0;
            }
            sqlite3_reset(f->count);
        }
        if (!ok)
            fprintf(stderr, "  rejected (variant %d): %.200s\n", variant,
                    q.match ? q.match : "(null)");
        query_free(&q);
        if (!ok)
            return 0;
    }
    return 1;
}

TEST(hostile_input_never_becomes_syntax)
{
    static const char *const cases[] = {
        "\"", "\"\"", "\"\"\"", "\"质检", "质检\"", "a\"b", "\"a\" \"b", "'", "''",
        "*", "**", "质检*", "*质检", "mes*", "-", "--", "-mes", "质检 -视觉", "^",
        "^mes", "^质检", ":", "title:x", "x:title", "{x y}:mes", "{", "}", "x : y",
        "AND", "OR", "NOT", "NEAR", "NEAR(", "NEAR(a b", "NEAR(a b, 3)", "a AND",
        "OR b", "a OR OR b", "NOT NOT", "(", ")", "()", "(()", "(a OR b", "a) OR (b",
        "[", "]", "[a]", "\\", "\\\"", "\\\\\"\\", "'; DROP TABLE t;--",
        "\" OR 1=1 --", "x'); DELETE FROM t; --", "😀", "😀\"😀", "质检😀*😀",
        "+", "a + b", "\"a\" + \"b\"", "%", "_", "$", "@", "#", "~", "`", "|",
        "&", "<script>", "mes\tNEAR/2\nerp", "ＮＥＡＲ（ａ　ｂ）", "＂质检＂",
        "\xef\xbc\x82", "MES\"*\"", "\xc0\xaf", "\xed\xa0\x80", "\xff\xfe\xfd",
        "\xe8\xb4", "\x80\x80\x80", "\x01\x02\x1f\x7f", "OPC UA\"", "5G专网\"*:^",
        "col:质检", "t:mes", "x:(a OR b)", "rank:1", "- -", "*\"*\"*",
        "质\"检", "高级\"计划与排程", "NEAR(\"质检\" \"视觉\", 0)",
    };
    struct syn *s = load_fixture();
    struct fts f;
    ASSERT(s != NULL);
    ASSERT_EQ(fts_open(&f), 0);
    size_t n = sizeof cases / sizeof cases[0];
    ASSERT_GE(n, 50);
    for (size_t i = 0; i < n; i++) {
        int ok = hostile_ok(&f, s, cases[i], strlen(cases[i]));
        if (!ok)
            fprintf(stderr, "  case %zu: %s\n", i, cases[i]);
        ASSERT(ok);
    }
    /* 10,000-character strings */
    static const char *const units[] = {"\"", "*", "NEAR(", "质", "质检", "😀", "a",
                                        "a ", "\"a\" OR ", "(", "-", "\xff", "ＭＥＳ"};
    char *big = malloc(10000 * 10 + 1);
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        size_t len = 0;
        for (int k = 0; k < 10000; k++) {
            memcpy(big + len, units[u], strlen(units[u]));
            len += strlen(units[u]);
        }
        big[len] = '\0';
        int ok = hostile_ok(&f, s, big, len);
        if (!ok)
            fprintf(stderr, "  10,000 x \"%s\"\n", units[u]);
        ASSERT(ok);
    }
    /* binary junk without NUL, and random Han/ASCII/punctuation soup */
    for (int round = 0; round < 200; round++) {
        size_t len = rnd() % 2000 + 1;
        for (size_t k = 0; k < len; k++) {
            big[k] = (char)(rnd() % 255 + 1);
            if (round % 2 && rnd() % 2)
                big[k] = "\"*()-^:ANDORNEAR{} "[rnd() % 20];
        }
        big[len] = '\0';
        ASSERT(hostile_ok(&f, s, big, len));
    }
    free(big);
    char *need = long_need(10000);
    ASSERT(hostile_ok(&f, s, need, strlen(need)));
    free(need);
    fts_close(&f);
    syn_free(s);
}

TEST(project_dictionary)
{
    /* schemas/synonyms.json, when present (tests run from the repo root) */
    char err[256];
    struct syn *s = NULL;
    struct fts f;
    if (access("schemas/synonyms.json", R_OK) != 0)
        return;
    int rc = syn_load("schemas/synonyms.json", &s, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "  %s\n", err);
    ASSERT_EQ(rc, 0);
    ASSERT_EQ(fts_open(&f), 0);
    static const char *const texts[] = {"注塑车间排产软件", "我们想找一套注塑车间排产软件",
                                        "APS 注塑", "高级排程"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char *e = build(texts[i], QUERY_ALL, s, NULL);
        const char *ids = e ? fts_ids(&f, e) : "(null)";
        int ok = strstr(ids, "2") == ids; /* document 2 found (and first) */
        if (!ok)
            fprintf(stderr, "  \"%s\" -> %s -> %s\n", texts[i], e ? e : "(null)", ids);
        free(e);
        ASSERT(ok);
    }
    ASSERT(hostile_ok(&f, s, "\"MES\" OR NEAR(质检*", strlen("\"MES\" OR NEAR(质检*")));
    fts_close(&f);
    syn_free(s);
}

static int load_error(const char *content, const char *want)
{
    char err[512] = "";
    struct syn *s = NULL;
    const char *path = tmp_file("bad", content);
    int rc = path ? syn_load(path, &s, err, sizeof err) : 0;
    int ok = rc == -1 && s == NULL && path && strstr(err, path) && strstr(err, want);
    if (!ok)
        fprintf(stderr, "  syn_load -> %d \"%s\", want \"%s\"\n", rc, err, want);
    if (path)
        unlink(path);
    syn_free(s);
    return ok;
}

TEST(syn_load_errors_name_file_and_problem)
{
    ASSERT(load_error("{\"version\": 1, \"groups\": [\n  [\"a\", \"b\"],\n  [\"c\" \"d\"]]}", ":3:"));
    ASSERT(load_error("[]", "\"version\": 1"));
    ASSERT(load_error("{\"version\": 2, \"groups\": []}", "\"version\": 1"));
    ASSERT(load_error("{\"version\": 1}", "\"groups\""));
    ASSERT(load_error("{\"version\": 1, \"groups\": [[\"a\", \"b\"], [\"c\"]]}", "groups[1]"));
    ASSERT(load_error("{\"version\": 1, \"groups\": [[\"a\", 3]]}", "groups[0][1] is not a string"));
    ASSERT(load_error("{\"version\": 1, \"groups\": [[\"a\", \"，。\"]]}", "groups[0][1]"));
    ASSERT(load_error("{\"version\": 1, \"groups\": [[\"a\", \"b\"]], \"version\": 1}", "duplicate"));
    char err[256] = "";
    struct syn *s = NULL;
    ASSERT_EQ(syn_load("/nonexistent/synonyms.json", &s, err, sizeof err), -1);
    ASSERT(strstr(err, "/nonexistent/synonyms.json") != NULL);
    ASSERT(s == NULL);
    /* an empty dictionary is fine */
    const char *path = tmp_file("empty", "{\"version\": 1, \"groups\": []}");
    ASSERT_EQ(syn_load(path, &s, err, sizeof err), 0);
    unlink(path);
    ASSERT(expr_is("质检", QUERY_ALL, s, "\"质检\""));
    syn_free(s);
    syn_free(NULL);
}

TEST(bad_arguments)
{
    struct query q = {.match = (char *)1, .terms = (json_t *)1};
    struct query_opts o = {0};
    ASSERT_EQ(query_build("x", 1, NULL, &q), -EINVAL);
    ASSERT(q.match == NULL && q.terms == NULL);
    ASSERT_EQ(query_build(NULL, 3, &o, &q), -EINVAL);
    ASSERT_EQ(query_build("x", 1, &o, NULL), -EINVAL);
    ASSERT_EQ(query_build(NULL, 0, &o, &q), 0);
    ASSERT(q.match == NULL);
    query_free(&q);
    query_free(NULL);
}

TEST_MAIN(T(plain_terms), T(match_any_postings_budget), T(fillers_dropped_but_never_everything),
          T(long_han_run_cut_into_phrases), T(synonyms_expand), T(synonyms_left_out_when_covered),
          T(synonyms_find_documents),
          T(terms_json), T(df_drops_common_terms_but_never_all),
          T(match_any_scores_by_tf_idf), T(match_any_long_text_is_fast_and_capped),
          T(hostile_input_never_becomes_syntax), T(project_dictionary), T(syn_load_errors_name_file_and_problem),
          T(bad_arguments))
