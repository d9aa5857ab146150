/*
 * fuzz_query.c - libFuzzer target for index/query.c.
 *
 * The first input byte picks the options (mode, synonyms, df callback,
 * max_terms, df ratio); the rest is the user's text.  Every expression
 * built must be inert (outside quotes only AND, OR, ( ) * and spaces),
 * at most QUERY_MAX_EXPR bytes, accepted by SQLite's FTS5 parser on a
 * table with the shucu tokenizer, and keep at most max_terms terms.
 * When the first byte is 0xFF the rest is instead a synonym file:
 * syn_load must either reject it with a message naming the file or load
 * it, and the loaded dictionary then drives a few queries, including one
 * on the file's own text.
 */
#include "query.h"
#include "tokenizer.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char SYN_JSON[] =
    "{\"version\": 1, \"groups\": ["
    "[\"MES\", \"制造执行系统\", \"生产执行系统\"],"
    "[\"APS\", \"高级计划与排程\", \"高级排程\", \"排产\", \"智能排产\"],"
    "[\"质检\", \"质量检测\", \"品质检测\", \"质量检验\"],"
    "[\"OPC UA\", \"OPC统一架构\"], [\"5G专网\", \"5G工业专网\"],"
    "[\"质检\", \"视觉检测\"], [\"钢\", \"钢铁\"], [\"a\", \"NEAR\", \"\\\"x\\\"\"]]}";

static const char *const DOCS[] = {
    "视觉质检系统", "APS高级计划与排程系统 注塑行业版", "MES制造执行系统，适合离散制造",
    "能源管理系统 EMS", "钢铁行业质量检测", "OPC UA 数据采集网关", "5G工业专网建设",
};

static sqlite3 *db;
static sqlite3_stmt *count_stmt, *df_stmt;
static struct syn *fixture;
static char tmp_path[64];

static long fuzz_df(void *ctx, const char *token, int len)
{
    long n = 0;
    sqlite3_bind_text(df_stmt, 1, token, len, SQLITE_STATIC);
    if (sqlite3_step(df_stmt) == SQLITE_ROW)
        n = sqlite3_column_int64(df_stmt, 0);
    sqlite3_reset(df_stmt);
    return n;
}

/* Writes len bytes to a fresh temporary file and loads it. */
static int load_syn(const char *text, size_t len, struct syn **out)
{
    char err[256] = "";
    FILE *f = fopen(tmp_path, "wb");
    if (f == NULL || fwrite(text, 1, len, f) != len)
        abort();
    fclose(f);
    int rc = syn_load(tmp_path, out, err, sizeof err);
    if (rc != 0 && (rc != -1 || *out != NULL || strstr(err, tmp_path) == NULL))
        abort();
    return rc;
}

static void init(void)
{
    snprintf(tmp_path, sizeof tmp_path, "/tmp/fuzz_query_%d.json", (int)getpid());
    if (load_syn(SYN_JSON, strlen(SYN_JSON), &fixture) != 0)
        abort();
    if (sqlite3_open(":memory:", &db) != SQLITE_OK || tok_register(db) != SQLITE_OK ||
        sqlite3_exec(db,
                     "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='shucu');"
                     "CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row');",
                     NULL, NULL, NULL) != SQLITE_OK)
        abort();
    for (size_t i = 0; i < sizeof DOCS / sizeof DOCS[0]; i++) {
        char *sql = sqlite3_mprintf("INSERT INTO t(x) VALUES (%Q)", DOCS[i]);
        if (sql == NULL || sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
            abort();
        sqlite3_free(sql);
    }
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?1", -1, &count_stmt,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT doc FROM v WHERE term = ?1", -1, &df_stmt, NULL) !=
            SQLITE_OK)
        abort();
}

/* 1 if outside quoted strings e holds only AND, OR, balanced ( ), * and
 * spaces. */
static int inert(const char *e)
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

static void check(const char *text, size_t len, const struct query_opts *o)
{
    struct query q;
    if (query_build(text, len, o, &q) != 0 || !json_is_array(q.terms))
        abort();
    if (q.match != NULL) {
        if (strlen(q.match) > QUERY_MAX_EXPR || !inert(q.match))
            abort();
        int max = o->max_terms > 0 ? o->max_terms : o->mode == QUERY_ANY ? 32 : 16;
        if (json_array_size(q.terms) > (size_t)max)
            abort();
        sqlite3_bind_text(count_stmt, 1, q.match, -1, SQLITE_STATIC);
        int rc = sqlite3_step(count_stmt);
        if (rc != SQLITE_ROW) {
            fprintf(stderr, "SQLite rejected: %s\n%s\n", sqlite3_errmsg(db), q.match);
            abort();
        }
        sqlite3_reset(count_stmt);
    } else if (json_array_size(q.terms) != 0) {
        abort();
    }
    query_free(&q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const double ratios[] = {0, 0.2, 0.5, 1};

    if (db == NULL)
        init();
    if (size == 0)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    unsigned op = data[0];

    if (op == 0xFF) {
        struct syn *s = NULL;
        static const char *const probes[] = {"MES系统", "注塑车间排产软件", "a b c", "钢"};
        if (load_syn(text, len, &s) != 0)
            return 0;
        for (int mode = 0; mode < 2; mode++) {
            struct query_opts o = {.mode = mode ? QUERY_ANY : QUERY_ALL, .syn = s,
                                   .df = fuzz_df, .ndocs = 7, .max_df_ratio = 0.5};
            check(text, len, &o);
            for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
                check(probes[i], strlen(probes[i]), &o);
        }
        syn_free(s);
        return 0;
    }
    struct query_opts o = {
        .mode = op & 1 ? QUERY_ANY : QUERY_ALL,
        .syn = op & 2 ? fixture : NULL,
        .df = op & 4 ? fuzz_df : NULL,
        .ndocs = op & 4 ? 7 : 0,
        .max_terms = (int)((op >> 3) & 7) * 3, /* 0 = default */
        .max_df_ratio = ratios[(op >> 6) & 3],
    };
    check(text, len, &o);
    return 0;
}
