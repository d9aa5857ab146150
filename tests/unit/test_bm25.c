/*
 * Unit tests of bm25.c: shucu_bm25 with the %_docsize blob joined in SQL
 * ranks exactly as FTS5's own bm25() does (same scores, weights included),
 * and a missing or foreign blob falls back to the slow path with the same
 * score rather than a wrong one.
 */
#include <math.h>
#include <string.h>

#include "bm25.h"
#include "test.h"
#include "tokenizer.h"

static const char *docs[][2] = {
    {"AI质检系统", "基于机器视觉的AI质检，适用于注塑件外观缺陷检测"},
    {"轻量化MES", "面向中小企业的MES系统，含排产、质检与追溯"},
    {"能耗监测平台", "电表水表联网，能耗分析，节能诊断"},
    {"质检数据集", "注塑件缺陷图片数据集，十万张标注，可用于训练质检模型"},
    {"APS高级计划与排程", "有限产能排产，插单模拟，与MES和ERP对接"},
    {"设备联网网关", "PLC数据采集，OPC UA，5G专网，边缘计算"},
    {"质量追溯", "一物一码，来料检验到出厂全程追溯，质检记录自动归档，质检报告一键生成"},
};

static sqlite3 *corpus(void)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    sqlite3_open(":memory:", &db);
    tok_register(db);
    bm25_register(db);
    sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize='shucu')", NULL, NULL, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO t(title, body) VALUES (?1, ?2)", -1, &st, NULL);
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        sqlite3_bind_text(st, 1, docs[i][0], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, docs[i][1], -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return db;
}

/*
 * Runs `shucu_bm25(t, <sz>, weights) - bm25(t, weights)` over every row
 * the query matches; returns the number of rows, or -1 on an SQL error,
 * and the largest absolute difference in *maxdiff.
 */
static int compare(sqlite3 *db, const char *sz, const char *weights, const char *match,
                   double *maxdiff)
{
    char sql[512];
    sqlite3_stmt *st;
    int rows = 0, rc;
    snprintf(sql, sizeof sql,
             "SELECT shucu_bm25(t, %s%s), bm25(t%s) FROM t LEFT JOIN t_docsize d ON d.id = t.rowid"
             " WHERE t MATCH ?1",
             sz, weights, weights);
    *maxdiff = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        return -1;
    }
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        double a = sqlite3_column_double(st, 0), b = sqlite3_column_double(st, 1);
        if (fabs(a - b) > *maxdiff) {
            *maxdiff = fabs(a - b);
        }
        if (a >= 0) { /* like bm25(): negated, so better rows sort first */
            *maxdiff = 1e9;
        }
        rows++;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? rows : -1;
}

static const char *queries[] = {
    "\"质检\"", "\"质检\" OR \"mes\"", "\"注塑\" AND \"缺陷\"", "\"排产\" OR \"追溯\" OR \"能耗\"",
    "\"opc ua\"", "\"数据\"", "title:\"质检\" OR \"系统\"",
};

TEST(same_scores_as_bm25_with_joined_docsize)
{
    sqlite3 *db = corpus();
    double diff;
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        int n = compare(db, "d.sz", "", queries[i], &diff);
        ASSERT_GT(n, 0);
        ASSERT(diff < 1e-9);
    }
    sqlite3_close(db);
}

TEST(same_scores_with_column_weights)
{
    sqlite3 *db = corpus();
    double diff;
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        ASSERT_GT(compare(db, "d.sz", ", 10.0, 4.0", queries[i], &diff), 0);
        ASSERT(diff < 1e-9);
        ASSERT_GT(compare(db, "d.sz", ", 0.5", queries[i], &diff), 0); /* missing weight = 1 */
        ASSERT(diff < 1e-9);
    }
    sqlite3_close(db);
}

TEST(null_or_foreign_blob_falls_back_to_the_same_score)
{
    /* Rare terms (idf well above 0), so a wrong length shows in the score. */
    sqlite3 *db = corpus();
    double diff;
    ASSERT_GT(compare(db, "NULL", ", 10.0, 4.0", "\"能耗\" OR \"追溯\"", &diff), 0);
    ASSERT(diff < 1e-9);
    ASSERT_GT(compare(db, "x'01'", ", 10.0, 4.0", "\"能耗\" OR \"追溯\"", &diff), 0); /* one column short */
    ASSERT(diff < 1e-9);
    ASSERT_GT(compare(db, "x'ffffffffffffffffffff'", "", "\"能耗\" OR \"追溯\"", &diff), 0); /* bad varint */
    ASSERT(diff < 1e-9);
    ASSERT_GT(compare(db, "'text'", "", "\"能耗\" OR \"追溯\"", &diff), 0);
    ASSERT(diff < 1e-9);
    sqlite3_close(db);
}

TEST(the_joined_blob_sets_the_length)
{
    /* The fast path is taken: a blob saying every row is 254 tokens long
     * (two columns of 127) changes the scores, so equal scores above come
     * from reading the real blob, not from the xColumnSize fallback. */
    sqlite3 *db = corpus();
    double diff;
    ASSERT_GT(compare(db, "x'7f7f'", "", "\"能耗\"", &diff), 0); /* rare: idf well above 0 */
    ASSERT(diff > 0.01);
    sqlite3_close(db);
}

/* The rowids the query matches, best first, as "3,1,7". */
static void order(sqlite3 *db, const char *rank, char *out, size_t size)
{
    char sql[256];
    sqlite3_stmt *st;
    size_t n = 0;
    snprintf(sql, sizeof sql,
             "SELECT t.rowid FROM t JOIN t_docsize d ON d.id = t.rowid WHERE t MATCH '\"质检\" OR \"排产\"'"
             " ORDER BY %s, t.rowid",
             rank);
    out[0] = '\0';
    sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    while (sqlite3_step(st) == SQLITE_ROW && n + 24 < size)
        n += (size_t)snprintf(out + n, size - n, "%lld,", sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
}

TEST(same_order_as_bm25)
{
    /* What a user sees: the hits come back in the same order either way. */
    sqlite3 *db = corpus();
    char a[256], b[256];
    order(db, "shucu_bm25(t, d.sz, 10.0, 4.0)", a, sizeof a);
    order(db, "bm25(t, 10.0, 4.0)", b, sizeof b);
    ASSERT_STR_EQ(a, b);
    ASSERT(strlen(a) >= 8); /* 4+ rows: 质检 in 4 documents, 排产 in 2 */
    sqlite3_close(db);
}

TEST(missing_docsize_argument_is_an_error_not_a_crash)
{
    sqlite3 *db = corpus();
    sqlite3_stmt *st;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT shucu_bm25(t) FROM t WHERE t MATCH '\"质检\"'", -1, &st, NULL),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ERROR);
    ASSERT(strstr(sqlite3_errmsg(db), "shucu_bm25(table, docsize") != NULL);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* shucu_rank (the server's ranking, issue 24) against shucu_bm25 on every
 * row of every query: the same double, whether the phrases' row counts are
 * given (as the server's cache gives them) or counted by the function. */
static const char *rank_queries[][2] = {
    {"\"质检\"", ""},
    {"(\"质检\" OR \"检测\" OR \"检验\")", "1 0.5<1 0.5<2"},
    {"(\"注塑\") AND (\"缺陷\" OR \"质检\")", "1 1 0.5<1"},
    {"\"排产\" OR \"追溯\" OR \"能耗\" OR \"mes\"", ""},
    {"(\"mes\" OR \"质检\") AND (\"mes\" OR \"追溯\")", "1 1 1 0.5<1"},
    {"\"opc ua\"", ""},
};

static long count_hits(sqlite3 *db, const char *phrase, int len)
{
    sqlite3_stmt *st;
    long n = -1;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?1", -1, &st, NULL);
    sqlite3_bind_text(st, 1, phrase, len, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

TEST(shucu_rank_gives_shucu_bm25s_scores)
{
    static const double colw[] = {10.0, 4.0};
    sqlite3 *db = corpus();
    for (size_t q = 0; q < sizeof rank_queries / sizeof rank_queries[0]; q++) {
        for (int given = 0; given < 2; given++) {
            int at[BM25_RANK_MAX][2];
            const char *m = rank_queries[q][0];
            int n = bm25_phrases(m, at, BM25_RANK_MAX);
            ASSERT_GT(n, 0);
            struct bm25_rank r = {.n = n, .spec = rank_queries[q][1], .colw_in = colw, .ncolw = 2};
            for (int i = 0; i < n; i++)
                r.hits[i] = given ? count_hits(db, m + at[i][0], at[i][1]) : -1;
            sqlite3_stmt *st;
            ASSERT_EQ(sqlite3_prepare_v2(db,
                                         "SELECT shucu_rank(t, d.sz, ?2), shucu_bm25(t, d.sz, 10.0, 4.0, ?3)"
                                         " FROM t LEFT JOIN t_docsize d ON d.id = t.rowid WHERE t MATCH ?1",
                                         -1, &st, NULL),
                      SQLITE_OK);
            sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
            sqlite3_bind_pointer(st, 2, &r, BM25_RANK_PTR, NULL);
            sqlite3_bind_text(st, 3, rank_queries[q][1], -1, SQLITE_STATIC);
            int rows = 0, rc;
            while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                ASSERT(sqlite3_column_double(st, 0) == sqlite3_column_double(st, 1));
                ASSERT(sqlite3_column_double(st, 0) < 0);
                rows++;
            }
            ASSERT_EQ(rc, SQLITE_DONE);
            ASSERT_GT(rows, 0);
            ASSERT_EQ(r.rows_scored, rows);
            sqlite3_finalize(st);
        }
    }
    sqlite3_close(db);
}

TEST(top_10_by_shucu_rank_is_the_exhaustive_top_10)
{
    /* More documents than 10, so the best 10 is a choice: the ids, their
     * order and the scores are those of ranking every row by shucu_bm25. */
    static const double colw[] = {10.0, 4.0};
    sqlite3 *db = corpus();
    sqlite3_stmt *ins;
    sqlite3_prepare_v2(db, "INSERT INTO t(title, body) SELECT title, body || ' 质检' FROM t", -1, &ins,
                       NULL);
    for (int i = 0; i < 2; i++) { /* 7 -> 28 documents */
        sqlite3_step(ins);
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    const char *m = "(\"质检\" OR \"检测\" OR \"缺陷\")", *spec = "1 0.5<1 0.5<2";
    int at[BM25_RANK_MAX][2];
    int n = bm25_phrases(m, at, BM25_RANK_MAX);
    struct bm25_rank r = {.n = n, .spec = spec, .colw_in = colw, .ncolw = 2};
    for (int i = 0; i < n; i++)
        r.hits[i] = count_hits(db, m + at[i][0], at[i][1]);
    char a[512] = "", b[512] = "";
    const char *sql[2] = {
        "SELECT t.rowid, shucu_bm25(t, d.sz, 10.0, 4.0, ?3) AS s FROM t LEFT JOIN t_docsize d"
        " ON d.id = t.rowid WHERE t MATCH ?1 ORDER BY s, t.rowid DESC LIMIT 10",
        "SELECT t.rowid, shucu_rank(t, d.sz, ?2) AS s FROM t LEFT JOIN t_docsize d"
        " ON d.id = t.rowid WHERE t MATCH ?1 ORDER BY s, t.rowid DESC LIMIT 10"};
    for (int k = 0; k < 2; k++) {
        sqlite3_stmt *st;
        char *out = k ? b : a;
        size_t len = 0;
        ASSERT_EQ(sqlite3_prepare_v2(db, sql[k], -1, &st, NULL), SQLITE_OK);
        sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
        sqlite3_bind_pointer(st, 2, &r, BM25_RANK_PTR, NULL);
        sqlite3_bind_text(st, 3, spec, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW)
            len += (size_t)snprintf(out + len, 512 - len, "%lld:%.12f,", sqlite3_column_int64(st, 0),
                                    sqlite3_column_double(st, 1));
        sqlite3_finalize(st);
    }
    ASSERT_STR_EQ(a, b);
    ASSERT(strlen(a) > 100); /* 10 rows */
    sqlite3_close(db);
}

TEST(phrases_of_an_expression)
{
    int at[8][2];
    const char *m = "(\"质检\" OR \"a\"\"b\") AND \"钢\"* NOT \"x\"";
    ASSERT_EQ(bm25_phrases(m, at, 8), 4);
    ASSERT_EQ(at[0][1], 8);  /* "质检" */
    ASSERT_EQ(at[1][1], 6);  /* "a""b" */
    ASSERT_EQ(at[2][1], 6);  /* "钢"* with its star */
    ASSERT(strncmp(m + at[3][0], "\"x\"", 3) == 0);
    ASSERT_EQ(bm25_phrases("title:\"质检\"", at, 8), -1); /* not query.c's form */
    ASSERT_EQ(bm25_phrases("\"open", at, 8), -1);
}

TEST(rank_without_its_context_is_an_error)
{
    sqlite3 *db = corpus();
    sqlite3_stmt *st;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT shucu_rank(t, NULL, NULL) FROM t WHERE t MATCH '\"质检\"'", -1,
                                 &st, NULL),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ERROR);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

TEST_MAIN(T(shucu_rank_gives_shucu_bm25s_scores), T(top_10_by_shucu_rank_is_the_exhaustive_top_10),
          T(phrases_of_an_expression), T(rank_without_its_context_is_an_error),
          T(same_scores_as_bm25_with_joined_docsize), T(same_scores_with_column_weights),
          T(null_or_foreign_blob_falls_back_to_the_same_score), T(the_joined_blob_sets_the_length), T(same_order_as_bm25),
          T(missing_docsize_argument_is_an_error_not_a_crash))
