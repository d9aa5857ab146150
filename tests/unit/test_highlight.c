/*
 * Unit tests of highlight.c: marks cover exactly the matched characters,
 * overlapping bigram matches merge, and no text is ever repeated or lost.
 */
#include "highlight.h"
#include "test.h"
#include "tokenizer.h"

static char *hl(const char *doc, const char *match)
{
    static char out[1024];
    sqlite3 *db;
    sqlite3_stmt *st;
    out[0] = '\0';
    sqlite3_open(":memory:", &db);
    tok_register(db);
    hl_register(db);
    sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='shucu')", NULL, NULL, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?1)", -1, &st, NULL);
    sqlite3_bind_text(st, 1, doc, -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_finalize(st);
    sqlite3_prepare_v2(db, "SELECT shucu_highlight(t, 0) FROM t WHERE t MATCH ?1", -1, &st, NULL);
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(st, 0);
        size_t n = 0;
        for (; s && *s && n < sizeof out - 8; s++) { /* markers as [ ] for readability */
            out[n++] = *s == '\x01' ? '[' : *s == '\x02' ? ']' : *s;
        }
        out[n] = '\0';
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

TEST(marks_two_char_word)
{
    ASSERT_STR_EQ(hl("基于机器视觉的AI质检系统", "\"质检\""), "基于机器视觉的AI[质检]系统");
}

TEST(overlapping_phrases_merge_without_repeating_text)
{
    /* 质量检测 and 检测数据 share 检测: one mark, text once. */
    ASSERT_STR_EQ(hl("质量检测数据管理", "\"质量检测\" OR \"检测数据\""), "[质量检测数据]管理");
    ASSERT_STR_EQ(hl("来料检验、不合格品评审", "\"检验\" OR \"不合格品\" OR \"验、\""),
                  "来料[检验]、[不合格品]评审");
}

TEST(full_width_and_latin_offsets)
{
    ASSERT_STR_EQ(hl("轻量化ＭＥＳ系统", "\"mes\""), "轻量化[ＭＥＳ]系统");
    ASSERT_STR_EQ(hl("OPC UA 网关", "\"opc ua\""), "[OPC UA] 网关");
}

TEST(adjacent_matches_touching)
{
    ASSERT_STR_EQ(hl("设备联网数据采集", "\"设备联网\" OR \"数据采集\""), "[设备联网数据采集]");  /* touching ranges merge */
}

TEST_MAIN(T(marks_two_char_word), T(overlapping_phrases_merge_without_repeating_text),
          T(full_width_and_latin_offsets), T(adjacent_matches_touching))
