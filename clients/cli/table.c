/*
 * table.c - display width and aligned tables for terminals.
 *
 * Columns must line up by what the eye sees, not by bytes or characters:
 * a Chinese character takes two terminal columns.  text_width() decodes
 * UTF-8 itself (the server always sends UTF-8) and asks wcwidth() for each
 * code point when the locale (set by main with setlocale(LC_ALL, "")) is a
 * UTF-8 one; in the C locale, where wcwidth() knows nothing beyond ASCII,
 * it falls back to its own table of East Asian wide and full-width ranges.
 * Control characters are shown as spaces and invalid bytes as "?" so they
 * can never break the layout.
 *
 * A table keeps copies of its cells; table_print() sizes each column to its
 * widest cell (capped by the column's maximum), shrinks the widest capped
 * columns (free text; uncapped ones hold ids and codes and stay whole)
 * further when the terminal is narrower than the table, and truncates cells
 * that do not fit with "…".  Columns are two spaces apart; the last column
 * is not padded.
 *
 * A column may also have a minimum width (table_layout: a title should
 * stay readable) and a drop rank: when the columns cannot fit at their
 * minimums, the ones with the highest rank are left out, one by one, so an
 * 80-column terminal shows fewer columns rather than unreadable ones.
 */
#include <langinfo.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "cli.h"

#define TABLE_GAP 2
#define TABLE_MIN_COL 6

struct range {
    uint32_t lo, hi;
};

/* East Asian Wide (W) and Fullwidth (F) ranges, condensed from Unicode's
 * EastAsianWidth.txt: CJK, kana, hangul, full-width forms, common emoji. */
static const struct range WIDE[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
    {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
    {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
    {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
    {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
    {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
    {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},
    {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4},
    {0x17000, 0x18AFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF},
    {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F265}, {0x1F300, 0x1F320},
    {0x1F32D, 0x1F335}, {0x1F337, 0x1F37C}, {0x1F37E, 0x1F393}, {0x1F3A0, 0x1F3CA},
    {0x1F3CF, 0x1F3D3}, {0x1F3E0, 0x1F3F0}, {0x1F3F4, 0x1F3F4}, {0x1F3F8, 0x1F43E},
    {0x1F440, 0x1F440}, {0x1F442, 0x1F4FC}, {0x1F4FF, 0x1F53D}, {0x1F54B, 0x1F54E},
    {0x1F550, 0x1F567}, {0x1F57A, 0x1F57A}, {0x1F595, 0x1F596}, {0x1F5A4, 0x1F5A4},
    {0x1F5FB, 0x1F64F}, {0x1F680, 0x1F6C5}, {0x1F6CC, 0x1F6CC}, {0x1F6D0, 0x1F6D2},
    {0x1F6D5, 0x1F6D7}, {0x1F6EB, 0x1F6EC}, {0x1F6F4, 0x1F6FC}, {0x1F7E0, 0x1F7EB},
    {0x1F90C, 0x1F93A}, {0x1F93C, 0x1F945}, {0x1F947, 0x1F9FF}, {0x1FA70, 0x1FAFF},
    {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

/* Zero-width: combining marks, zero-width spaces and joiners, variation selectors. */
static const struct range ZERO[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x200B, 0x200F},
    {0x2028, 0x202E}, {0x2060, 0x2064}, {0x20D0, 0x20FF}, {0x302A, 0x302D},
    {0x3099, 0x309A}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF},
    {0xE0100, 0xE01EF},
};

static int in_ranges(const struct range *r, size_t n, uint32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < r[mid].lo)
            hi = mid;
        else if (cp > r[mid].hi)
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

static int locale_is_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* Columns one printable code point takes. */
static int cp_width(uint32_t cp, int utf8)
{
    if (utf8) {
        int w = wcwidth((wchar_t)cp);
        if (w >= 0)
            return w;
    }
    if (in_ranges(ZERO, sizeof ZERO / sizeof ZERO[0], cp))
        return 0;
    return in_ranges(WIDE, sizeof WIDE / sizeof WIDE[0], cp) ? 2 : 1;
}

/*
 * Decode one UTF-8 sequence at s (n bytes left).  Returns its length (≥ 1)
 * and the code point in *cp, or 1 with *cp = UINT32_MAX for an invalid byte.
 */
static int utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    int len;
    uint32_t c = s[0], min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, c &= 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, c &= 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, c &= 0x07, min = 0x10000;
    } else {
        *cp = UINT32_MAX;
        return 1;
    }
    if ((size_t)len > n) {
        *cp = UINT32_MAX;
        return 1;
    }
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = UINT32_MAX;
            return 1;
        }
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        *cp = UINT32_MAX;
        return 1;
    }
    *cp = c;
    return len;
}

/* One displayable unit: its bytes (or a substitute) and its width. */
struct glyph {
    const char *bytes;
    int len;
    int width;
};

static int glyph_next(const unsigned char *s, size_t n, int utf8, struct glyph *g)
{
    uint32_t cp;
    int len = utf8_next(s, n, &cp);
    g->bytes = (const char *)s;
    g->len = len;
    if (cp == UINT32_MAX) {
        g->bytes = "?", g->len = 1, g->width = 1;
    } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
        g->bytes = " ", g->len = 1, g->width = 1;
    } else {
        g->width = cp_width(cp, utf8);
    }
    return len;
}

int text_width(const char *s)
{
    int utf8 = locale_is_utf8(), w = 0;
    size_t n = strlen(s);
    const unsigned char *p = (const unsigned char *)s;
    struct glyph g;
    while (n) {
        int len = glyph_next(p, n, utf8, &g);
        w += g.width;
        p += len;
        n -= (size_t)len;
    }
    return w;
}

void text_fit(FILE *out, const char *s, int width, int pad)
{
    int utf8 = locale_is_utf8();
    int total = text_width(s);
    int budget = total <= width ? width : width - 1; /* room for "…" */
    int used = 0;
    size_t n = strlen(s);
    const unsigned char *p = (const unsigned char *)s;
    struct glyph g;
    while (n) {
        int len = glyph_next(p, n, utf8, &g);
        if (used + g.width > budget)
            break;
        fwrite(g.bytes, 1, (size_t)g.len, out);
        used += g.width;
        p += len;
        n -= (size_t)len;
    }
    if (total > width && width > 0) {
        fputs("…", out);
        used++;
    }
    while (pad && used < width) {
        fputc(' ', out);
        used++;
    }
}

struct table {
    int ncols;
    char **headers;
    int *maxw;
    int *minw;        /* 0: TABLE_MIN_COL or the header */
    int *drop;        /* 0: never left out; higher goes first */
    char **cells;     /* nrows * ncols */
    int nrows, cap;
};

struct table *table_new(int ncols, const char *const *headers, const int *maxw)
{
    struct table *t = xcalloc(1, sizeof *t);
    t->ncols = ncols;
    t->headers = xcalloc((size_t)ncols, sizeof *t->headers);
    t->maxw = xcalloc((size_t)ncols, sizeof *t->maxw);
    t->minw = xcalloc((size_t)ncols, sizeof *t->minw);
    t->drop = xcalloc((size_t)ncols, sizeof *t->drop);
    for (int i = 0; i < ncols; i++) {
        t->headers[i] = xstrdup(headers[i]);
        t->maxw[i] = maxw ? maxw[i] : 0;
    }
    return t;
}

void table_layout(struct table *t, const int *minw, const int *drop)
{
    for (int i = 0; i < t->ncols; i++) {
        t->minw[i] = minw ? minw[i] : 0;
        t->drop[i] = drop ? drop[i] : 0;
    }
}

void table_add(struct table *t, const char *const *cells)
{
    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->cells = xrealloc(t->cells, (size_t)t->cap * (size_t)t->ncols * sizeof *t->cells);
    }
    for (int i = 0; i < t->ncols; i++) {
        const char *c = cells[i] && *cells[i] ? cells[i] : "-";
        t->cells[(size_t)t->nrows * (size_t)t->ncols + (size_t)i] = xstrdup(c);
    }
    t->nrows++;
}

/* Shrinks the capped columns that are shown toward their floors so the
 * row fits termw: first the ones that could be left out (drop rank > 0),
 * each in proportion to its width above its floor, then the ones that
 * always stay (the title), so a title keeps what the others can give.
 * Returns the width still over (0 when it fits). */
static int shrink(const struct table *t, int termw, int *w, const int *floor)
{
    int total = 0, shown = 0;
    for (int c = 0; c < t->ncols; c++)
        if (w[c] >= 0) {
            shown++;
            total += w[c];
        }
    total += TABLE_GAP * (shown - 1);
    int excess = total - termw;
    for (int phase = 0; phase < 2 && excess > 0; phase++) {
        int slack = 0;
        for (int c = 0; c < t->ncols; c++)
            if (w[c] >= 0 && t->maxw[c] > 0 && w[c] > floor[c] && (t->drop[c] > 0) == (phase == 0))
                slack += w[c] - floor[c];
        int give_all = excess > slack ? slack : excess;
        for (int c = 0; give_all > 0 && c < t->ncols; c++) {
            if (w[c] >= 0 && t->maxw[c] > 0 && w[c] > floor[c] && (t->drop[c] > 0) == (phase == 0)) {
                int give = w[c] - floor[c];
                int take = (give * give_all + slack - 1) / slack; /* rounded up: never too wide */
                if (take > give)
                    take = give;
                w[c] -= take;
                excess -= take;
            }
        }
    }
    return excess > 0 ? excess : 0;
}

/* Column widths: widest cell or header, capped, then shrunk to fit termw;
 * a column left out has width -1. */
static void table_widths(const struct table *t, int termw, int *w)
{
    for (int c = 0; c < t->ncols; c++) {
        w[c] = text_width(t->headers[c]);
        for (int r = 0; r < t->nrows; r++) {
            int cw = text_width(t->cells[(size_t)r * (size_t)t->ncols + (size_t)c]);
            if (cw > w[c])
                w[c] = cw;
        }
        if (t->maxw[c] > 0 && w[c] > t->maxw[c])
            w[c] = t->maxw[c];
    }
    if (termw <= 0)
        return;
    /* Only capped (free-text) columns give way, each in proportion to its
     * width above its floor (its minimum, TABLE_MIN_COL or its header,
     * whichever is widest); ids and codes stay whole.  When that is not
     * enough, columns are left out by drop rank, then the minimums go. */
    int *floor = xcalloc((size_t)t->ncols, sizeof *floor);
    int *natural = xcalloc((size_t)t->ncols, sizeof *natural);
    for (int c = 0; c < t->ncols; c++) {
        int hw = text_width(t->headers[c]);
        floor[c] = hw > TABLE_MIN_COL ? hw : TABLE_MIN_COL;
        if (t->minw[c] > floor[c])
            floor[c] = t->minw[c];
        if (floor[c] > w[c])
            floor[c] = w[c];
        natural[c] = w[c];
    }
    int *save = xcalloc((size_t)t->ncols, sizeof *save);
    for (;;) {
        memcpy(save, w, (size_t)t->ncols * sizeof *w);
        if (shrink(t, termw, w, floor) == 0)
            break;
        memcpy(w, save, (size_t)t->ncols * sizeof *w);
        int worst = -1;
        for (int c = 0; c < t->ncols; c++)
            if (w[c] >= 0 && t->drop[c] > 0 && (worst < 0 || t->drop[c] > t->drop[worst]))
                worst = c;
        if (worst < 0) { /* nothing left to leave out: the minimums give way */
            for (int c = 0; c < t->ncols; c++) {
                int hw = text_width(t->headers[c]);
                floor[c] = hw > TABLE_MIN_COL ? hw : TABLE_MIN_COL;
                if (floor[c] > natural[c])
                    floor[c] = natural[c];
            }
            shrink(t, termw, w, floor);
            break;
        }
        w[worst] = -1;
    }
    free(save);
    free(natural);
    free(floor);
}

static void table_row(FILE *out, int ncols, char *const *cells, const int *w)
{
    int last = ncols - 1;
    while (last > 0 && w[last] < 0)
        last--;
    for (int c = 0; c <= last; c++) {
        if (w[c] < 0)
            continue; /* left out */
        text_fit(out, cells[c], w[c], c != last);
        if (c != last)
            fprintf(out, "%*s", TABLE_GAP, "");
    }
    fputc('\n', out);
}

void table_print(const struct table *t, FILE *out, int termw)
{
    int *w = xcalloc((size_t)t->ncols, sizeof *w);
    table_widths(t, termw, w);
    table_row(out, t->ncols, t->headers, w);
    for (int r = 0; r < t->nrows; r++)
        table_row(out, t->ncols, t->cells + (size_t)r * (size_t)t->ncols, w);
    free(w);
}

void table_free(struct table *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->ncols; i++)
        free(t->headers[i]);
    for (size_t i = 0; i < (size_t)t->nrows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    free(t->headers);
    free(t->maxw);
    free(t->minw);
    free(t->drop);
    free(t->cells);
    free(t);
}
