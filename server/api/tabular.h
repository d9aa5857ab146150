/*
 * tabular.h - a table of rows as the console reads it (JSON) or as people
 * open it in Excel: CSV (UTF-8 with a BOM, RFC 4180 quoting, a header
 * row) or XLSX (libxlsxwriter: real cells, numbers as numbers, shares as
 * percentages, a bold frozen header, column widths that fit Chinese).
 * Every report (reports.c) and every list export (?format=csv|xlsx on
 * the enterprises, needs, resources and participants lists) answers
 * through it, so a table looks the same wherever it comes from.
 *
 * Rows are added one at a time and written at once: a CSV grows in
 * memory (about 150 bytes a row), an XLSX of more than TAB_XLSX_SHARED
 * rows is written in libxlsxwriter's constant-memory mode into a
 * temporary file (inline strings instead of the shared-string table, so
 * memory stays flat) and read back once closed.  A table takes at most
 * TAB_MAX_ROWS rows; tab_add refuses the next one (the caller answers
 * 413: narrow the filter).
 */
#ifndef SHUCU_TABULAR_H
#define SHUCU_TABULAR_H

#include <jansson.h>

struct req;

#define TAB_MAX_ROWS 200000
#define TAB_XLSX_SHARED 20000

enum tab_type {
    TAB_TEXT, /* a string; an array of strings is joined with "、" */
    TAB_INT,  /* an integer */
    TAB_NUM,  /* a number, two decimals in Excel */
    TAB_PCT,  /* a share 0..1, shown as a percentage with one decimal */
};

struct tab_col {
    const char *key;   /* the member of each row object; for tab_project a
                        * dotted path into a record ("org.name") */
    const char *title; /* the header cell (Chinese) */
    enum tab_type type;
    int names;         /* tab_project: 1 + a vocabulary of taxonomy.h whose
                        * codes (a string or an array) become their
                        * Chinese names; 0: as they are */
};

enum tab_format { TAB_JSON, TAB_CSV, TAB_XLSX };

/* The ?format= of r: json (or absent), csv or xlsx.  0, or -1 after
 * answering 400. */
int tab_format_param(struct req *r, enum tab_format *f);

struct tab;

/* A new table of ncols columns (cols borrowed: static tables), named
 * name (the file's stem and the sheet's title, ASCII for the file). */
struct tab *tab_new(enum tab_format f, const char *name, const char *sheet,
                    const struct tab_col *cols, int ncols);
/* Adds row (an object keyed by column key; stolen).  0, or -1 when the
 * table already holds TAB_MAX_ROWS rows (row is freed). */
int tab_add(struct tab *t, json_t *row);
long tab_rows(const struct tab *t);
/* Answers r with the table and frees t: for JSON {"columns", "rows"}
 * plus the members of extra (stolen, may be NULL); for CSV and XLSX the
 * file (extra is dropped), with Content-Disposition. */
void tab_reply(struct req *r, struct tab *t, json_t *extra);
/* A row of cols from a record (an item of a list, borrowed): each
 * column's dotted path, codes named (new reference). */
json_t *tab_project(const json_t *record, const struct tab_col *cols, int ncols);
/* List exports (?format=csv|xlsx) are for centers, admins and
 * authorities: 1, or 0 after answering 403. */
int tab_may_export(struct req *r);

/* Frees t without answering. */
void tab_free(struct tab *t);
/* Answers 413 for a table over TAB_MAX_ROWS and frees t. */
void tab_reply_too_many(struct req *r, struct tab *t);

/* Display width of UTF-8 text, a CJK (or other wide) character counting
 * as 2: what a column needs to show it. */
int tab_text_width(const char *s);

#endif
