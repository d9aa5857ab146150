/*
 * tabular.c - one table as JSON, CSV or XLSX (see tabular.h).
 *
 * Invariants:
 *  - rows are kept as JSON only up to TAB_XLSX_SHARED (the JSON answer,
 *    and an XLSX small enough for the shared-string table); past that a
 *    CSV is appended to its buffer row by row and an XLSX is streamed in
 *    constant-memory mode, so a 100,000-row export never holds 100,000
 *    JSON objects;
 *  - a text cell is never a formula: CSV text starting with = + - @ is
 *    prefixed with ' (Excel's own escape), and XLSX text is written as a
 *    string cell;
 *  - column widths come from the header and the rows kept (the first
 *    TAB_XLSX_SHARED), a CJK character counting as 2, between 6 and 60.
 */
#include "tabular.h"

#include "log.h"
#include "req.h"
#include "taxonomy.h"
#include "util.h"

#include <event2/buffer.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define TAB_MAX_COLS 40

struct tab {
    enum tab_format f;
    char name[64], sheet[32];
    const struct tab_col *cols;
    int ncols;
    long rows;
    json_t *kept;          /* the first TAB_XLSX_SHARED rows */
    int width[TAB_MAX_COLS];
    struct evbuffer *csv;  /* CSV: the file so far */
    /* XLSX past TAB_XLSX_SHARED rows: the constant-memory workbook */
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *fmt[4], *bold;
    char path[64];
};

int tab_format_param(struct req *r, enum tab_format *f)
{
    const char *v = req_query(r, "format");
    *f = TAB_JSON;
    if (!v || !*v || strcmp(v, "json") == 0)
        return 0;
    if (strcmp(v, "csv") == 0)
        *f = TAB_CSV;
    else if (strcmp(v, "xlsx") == 0)
        *f = TAB_XLSX;
    else {
        reply_error(r, ERR_BAD_PARAM, "format", "format must be json, csv or xlsx");
        return -1;
    }
    return 0;
}

int tab_text_width(const char *s)
{
    int w = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        /* three- and four-byte characters are CJK, full-width or emoji
         * in what a center writes: two columns each */
        w += n >= 3 ? 2 : 1;
        for (int i = 0; i < n && *p; i++)
            p++;
    }
    return w;
}

struct tab *tab_new(enum tab_format f, const char *name, const char *sheet,
                    const struct tab_col *cols, int ncols)
{
    struct tab *t = xcalloc(1, sizeof *t);
    t->f = f;
    snprintf(t->name, sizeof t->name, "%s", name);
    snprintf(t->sheet, sizeof t->sheet, "%s", sheet);
    t->sheet[util_utf8_cut(t->sheet, strlen(t->sheet))] = '\0';
    t->cols = cols;
    t->ncols = ncols < TAB_MAX_COLS ? ncols : TAB_MAX_COLS;
    t->kept = json_array();
    for (int i = 0; i < t->ncols; i++)
        t->width[i] = tab_text_width(cols[i].title) + 2;
    if (f == TAB_CSV) {
        t->csv = evbuffer_new();
        if (!t->csv)
            abort();
        evbuffer_add(t->csv, "\xEF\xBB\xBF", 3); /* the BOM: Excel reads UTF-8 then */
        for (int i = 0; i < t->ncols; i++) {
            if (i)
                evbuffer_add(t->csv, ",", 1);
            evbuffer_add(t->csv, cols[i].title, strlen(cols[i].title));
        }
        evbuffer_add(t->csv, "\r\n", 2);
    }
    return t;
}

long tab_rows(const struct tab *t)
{
    return t->rows;
}

/* The text of a text cell (an array of strings joined by 、); to free. */
static char *cell_text(const json_t *v)
{
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    if (json_is_array(v)) {
        struct evbuffer *b = evbuffer_new();
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            if (i)
                evbuffer_add(b, "、", strlen("、"));
            const char *s = json_string_value(x);
            if (s)
                evbuffer_add(b, s, strlen(s));
        }
        evbuffer_add(b, "", 1);
        char *out = xstrdup((const char *)evbuffer_pullup(b, -1));
        evbuffer_free(b);
        return out;
    }
    if (json_is_integer(v))
        return xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
    if (json_is_real(v))
        return xasprintf("%g", json_real_value(v));
    if (json_is_boolean(v))
        return xstrdup(json_is_true(v) ? "是" : "否");
    return xstrdup("");
}

static void csv_cell(struct evbuffer *b, const struct tab_col *c, const json_t *v)
{
    char num[64];
    if (json_is_null(v) || !v)
        return;
    if (c->type != TAB_TEXT && json_is_number(v)) {
        double d = json_number_value(v);
        if (c->type == TAB_INT)
            snprintf(num, sizeof num, "%lld", (long long)llround(d));
        else if (c->type == TAB_PCT)
            snprintf(num, sizeof num, "%.1f%%", d * 100.0);
        else
            snprintf(num, sizeof num, "%.2f", d);
        evbuffer_add(b, num, strlen(num));
        return;
    }
    char *s = cell_text(v);
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    int formula = strchr("=+-@", s[0]) && s[0];
    if (quote)
        evbuffer_add(b, "\"", 1);
    if (formula)
        evbuffer_add(b, "'", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            evbuffer_add(b, "\"", 1);
        evbuffer_add(b, p, 1);
    }
    if (quote)
        evbuffer_add(b, "\"", 1);
    free(s);
}

/* Opens the XLSX workbook (constant memory when big) with its formats
 * and the header row.  0 or -1. */
static int xlsx_open(struct tab *t, int constant)
{
    const char *dir = getenv("TMPDIR");
    snprintf(t->path, sizeof t->path, "%s/shucu-xlsx-XXXXXX", dir && strlen(dir) < 30 ? dir : "/tmp");
    int fd = mkstemp(t->path);
    if (fd < 0)
        return -1;
    close(fd);
    lxw_workbook_options opt = {.constant_memory = (uint8_t)constant, .tmpdir = NULL,
                                .use_zip64 = LXW_FALSE};
    t->wb = workbook_new_opt(t->path, &opt);
    if (!t->wb)
        return -1;
    t->ws = workbook_add_worksheet(t->wb, t->sheet[0] ? t->sheet : NULL);
    if (!t->ws)
        t->ws = workbook_add_worksheet(t->wb, NULL);
    t->bold = workbook_add_format(t->wb);
    format_set_bold(t->bold);
    format_set_bg_color(t->bold, 0xEEF2F7);
    format_set_bottom(t->bold, LXW_BORDER_THIN);
    t->fmt[TAB_TEXT] = NULL;
    t->fmt[TAB_INT] = workbook_add_format(t->wb);
    format_set_num_format(t->fmt[TAB_INT], "0");
    t->fmt[TAB_NUM] = workbook_add_format(t->wb);
    format_set_num_format(t->fmt[TAB_NUM], "#,##0.00");
    t->fmt[TAB_PCT] = workbook_add_format(t->wb);
    format_set_num_format(t->fmt[TAB_PCT], "0.0%");
    for (int i = 0; i < t->ncols; i++) {
        /* the widths are known before the first row in constant mode:
         * they come from the rows kept so far */
        int w = t->width[i] < 6 ? 6 : t->width[i] > 60 ? 60 : t->width[i];
        worksheet_set_column(t->ws, (lxw_col_t)i, (lxw_col_t)i, w, NULL);
        worksheet_write_string(t->ws, 0, (lxw_col_t)i, t->cols[i].title, t->bold);
    }
    worksheet_freeze_panes(t->ws, 1, 0);
    return 0;
}

static void xlsx_row(struct tab *t, const json_t *row, long n)
{
    for (int i = 0; i < t->ncols; i++) {
        const struct tab_col *c = &t->cols[i];
        json_t *v = json_object_get(row, c->key);
        if (!v || json_is_null(v))
            continue;
        if (c->type != TAB_TEXT && json_is_number(v)) {
            worksheet_write_number(t->ws, (lxw_row_t)n, (lxw_col_t)i, json_number_value(v),
                                   t->fmt[c->type]);
        } else {
            char *s = cell_text(v);
            worksheet_write_string(t->ws, (lxw_row_t)n, (lxw_col_t)i, s, NULL);
            free(s);
        }
    }
}

static void widths(struct tab *t, const json_t *row)
{
    for (int i = 0; i < t->ncols; i++) {
        json_t *v = json_object_get(row, t->cols[i].key);
        if (!v || json_is_null(v))
            continue;
        int w;
        if (t->cols[i].type == TAB_PCT)
            w = 8;
        else {
            char *s = cell_text(v);
            w = tab_text_width(s) + (t->cols[i].type == TAB_TEXT ? 2 : 3);
            free(s);
        }
        if (w > t->width[i])
            t->width[i] = w;
    }
}

int tab_add(struct tab *t, json_t *row)
{
    if (t->rows >= TAB_MAX_ROWS) {
        json_decref(row);
        return -1;
    }
    t->rows++;
    if (t->f == TAB_CSV) {
        for (int i = 0; i < t->ncols; i++) {
            if (i)
                evbuffer_add(t->csv, ",", 1);
            csv_cell(t->csv, &t->cols[i], json_object_get(row, t->cols[i].key));
        }
        evbuffer_add(t->csv, "\r\n", 2);
        json_decref(row);
        return 0;
    }
    if (t->rows <= TAB_XLSX_SHARED) {
        widths(t, row);
        json_array_append_new(t->kept, row);
        return 0;
    }
    if (t->f == TAB_JSON) { /* the JSON answers of reports are small; never here in practice */
        json_array_append_new(t->kept, row);
        return 0;
    }
    if (!t->wb) { /* past the shared-string size: stream in constant memory */
        if (xlsx_open(t, 1) < 0) {
            json_decref(row);
            return 0; /* tab_reply answers 503 */
        }
        size_t i;
        json_t *k;
        json_array_foreach(t->kept, i, k) xlsx_row(t, k, (long)i + 1);
        json_array_clear(t->kept);
    }
    xlsx_row(t, row, t->rows);
    json_decref(row);
    return 0;
}

json_t *tab_project(const json_t *record, const struct tab_col *cols, int ncols)
{
    json_t *row = json_object();
    for (int i = 0; i < ncols; i++) {
        char path[96];
        snprintf(path, sizeof path, "%s", cols[i].key);
        const json_t *v = record;
        for (char *s = path, *save = NULL, *seg; v && (seg = strtok_r(s, ".", &save)); s = NULL)
            v = json_object_get(v, seg);
        if (!v || json_is_null(v))
            continue;
        json_t *out = json_deep_copy(v);
        if (cols[i].names) {
            enum tax_vocab voc = (enum tax_vocab)(cols[i].names - 1);
            json_t *codes = json_is_array(out) ? out : NULL;
            size_t k;
            json_t *c;
            if (json_is_string(out)) {
                int x = tax_index(voc, json_string_value(out));
                if (x >= 0)
                    json_string_set(out, tax_name(voc, x));
            }
            json_array_foreach(codes, k, c) {
                int x = tax_index(voc, json_string_value(c));
                if (x >= 0)
                    json_array_set_new(codes, k, json_string(tax_name(voc, x)));
            }
        }
        json_object_set_new(row, cols[i].key, out);
    }
    return row;
}

int tab_may_export(struct req *r)
{
    if (r->who.role & (ROLE_CENTER | ROLE_ADMIN | ROLE_AUTHORITY))
        return 1;
    reply_error(r, r->who.role ? ERR_FORBIDDEN : ERR_UNAUTHORIZED, "format",
                "lists are exported for centers, admins and authorities");
    return 0;
}

void tab_free(struct tab *t)
{
    if (!t)
        return;
    json_decref(t->kept);
    if (t->csv)
        evbuffer_free(t->csv);
    if (t->wb)
        workbook_close(t->wb);
    if (t->path[0])
        unlink(t->path);
    free(t);
}

static void disposition(struct req *r, const struct tab *t, const char *ext)
{
    char v[160];
    snprintf(v, sizeof v, "attachment; filename=\"%s.%s\"", t->name, ext);
    reply_header(r, "Content-Disposition", v);
}

/* Closes the XLSX and reads it: the bytes (to free) and *len, or NULL. */
static char *xlsx_finish(struct tab *t, size_t *len)
{
    if (!t->wb) {
        if (xlsx_open(t, 0) < 0)
            return NULL;
        size_t i;
        json_t *k;
        json_array_foreach(t->kept, i, k) xlsx_row(t, k, (long)i + 1);
    }
    lxw_error e = workbook_close(t->wb);
    t->wb = NULL;
    if (e != LXW_NO_ERROR) {
        log_error("xlsx: %s", lxw_strerror(e));
        return NULL;
    }
    FILE *f = fopen(t->path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n > 0 ? xmalloc((size_t)n) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = buf ? (size_t)n : 0;
    return buf;
}

void tab_reply(struct req *r, struct tab *t, json_t *extra)
{
    if (t->f == TAB_JSON) {
        json_t *cols = json_array();
        static const char *const TYPES[] = {"text", "int", "number", "percent"};
        for (int i = 0; i < t->ncols; i++)
            json_array_append_new(cols, json_pack("{s:s, s:s, s:s}", "key", t->cols[i].key,
                                                  "title", t->cols[i].title, "type",
                                                  TYPES[t->cols[i].type]));
        json_t *out = extra ? extra : json_object();
        json_object_set_new(out, "columns", cols);
        json_object_set(out, "rows", t->kept);
        tab_free(t);
        reply_json(r, 200, out);
        return;
    }
    json_decref(extra);
    if (t->f == TAB_CSV) {
        size_t len = evbuffer_get_length(t->csv);
        disposition(r, t, "csv");
        reply_raw(r, 200, "text/csv; charset=utf-8", evbuffer_pullup(t->csv, -1), len);
        tab_free(t);
        return;
    }
    size_t len = 0;
    char *data = xlsx_finish(t, &len);
    if (!data) {
        tab_free(t);
        reply_error(r, ERR_UNAVAILABLE, NULL, "the spreadsheet cannot be written right now");
        return;
    }
    disposition(r, t, "xlsx");
    reply_raw(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data,
              len);
    free(data);
    tab_free(t);
}

void tab_reply_too_many(struct req *r, struct tab *t)
{
    tab_free(t);
    reply_error(r, ERR_TOO_LARGE, NULL, "an export holds at most %d rows: narrow it with filters",
                TAB_MAX_ROWS);
}
