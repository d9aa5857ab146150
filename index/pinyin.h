/*
 * pinyin.h - which common characters sound alike, for correcting the
 * slips of a pinyin input method (排厂 typed for 排产: pai chang, pai chan).
 *
 * The data is schemas/pinyin.txt (scripts/gen_pinyin.py, from Unihan's
 * kTGHZ2013 readings of the 8,105 characters of the 通用规范汉字表): one
 * toneless syllable per line and the characters read that way.  Two
 * characters sound alike when one of their readings has the same fuzzy
 * key: the syllable with zh/ch/sh read as z/c/s and a final ang/eng/ing
 * read as an/en/in, the confusions input methods forgive ("fuzzy pinyin"),
 * tones ignored.
 *
 * Pure: loaded once, then read-only and shared between threads.
 */
#ifndef SHUCU_PINYIN_H
#define SHUCU_PINYIN_H

#include <stddef.h>
#include <stdint.h>

struct pinyin;

/*
 * Loads a file in the format of schemas/pinyin.txt ('#' lines are
 * comments).  On success stores the table in *out (free with py_free) and
 * returns 0; on a bad or unreadable file returns -1 and writes into err a
 * message naming the file and the line.
 */
int py_load(const char *path, struct pinyin **out, char *err, size_t errlen);
void py_free(struct pinyin *py);

/* Characters in the table. */
int py_count(const struct pinyin *py);

/*
 * Stores in out[0..max) the characters that sound like cp (fuzzy key of
 * any reading), cp itself excluded, in code point order; returns how many
 * were stored (0 when cp is not in the table or py is NULL).
 */
int py_alike(const struct pinyin *py, uint32_t cp, uint32_t *out, int max);

#endif
