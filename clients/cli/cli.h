/*
 * cli.h - the modules of `shucu`, the command-line client of shucud.
 *
 * The client is a thin layer over the HTTP API (shared/spec/API.md):
 *
 *   main.c     the verb and option tables, argument parsing, usage text
 *   request.c  turns parsed arguments into one HTTP request (or a run of
 *              pages), maps the outcome to an exit status, picks the output
 *   http.c     libcurl: one request in, status and body out
 *   format.c   human output: key/value records, tables, match explanations
 *   table.c    display-width arithmetic (CJK is two columns) and tables
 *   util.c     allocation that aborts on out-of-memory, a growable buffer
 *
 * Nothing here keeps global mutable state; everything a command needs is
 * passed down in `struct cli_conf` and `struct args`.
 *
 * Exit statuses: 0 success, 1 the server answered 4xx/5xx (or a local
 * operation failed), 2 usage error, 3 the server could not be reached.
 */
#ifndef SHUCU_CLI_H
#define SHUCU_CLI_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Exit statuses, shared with `shucud import` (README, "Bulk import"):
 * 4 is an import some of whose lines failed while the others were saved. */
enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAIL = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_UNREACHABLE = 3,
    CLI_EXIT_PARTIAL = 4,
};

#define CLI_DEFAULT_URL "http://127.0.0.1:8080"
#define CLI_TIMEOUT_S 30L

/* Settings that hold for the whole invocation. */
struct cli_conf {
    const char *url;   /* base URL without trailing slash issues handled in http.c */
    const char *key;   /* API key or NULL */
    int json;          /* --json given */
    int help;          /* --help / -h given */
    int tty;           /* stdout is a terminal */
    int termw;         /* terminal width in columns, 0 if unknown */
};

/* ------------------------------------------------------------ verbs */

enum field_at {
    FA_BODY,   /* goes into the JSON body at `key` (a dotted path) */
    FA_QUERY,  /* goes into the query string as `key` */
    FA_LOCAL,  /* read by the client itself (--file, --all) */
};

enum field_type {
    FT_STR,    /* one string; the last occurrence wins */
    FT_LIST,   /* repeatable; a JSON array, or a repeated query parameter */
    FT_INT,    /* an integer */
    FT_NUM,    /* a number */
    FT_FLAG,   /* takes no value; `key=1` in a query */
    FT_KV,     /* repeatable "NAME=N": member NAME (an integer) of the object at `key` */
};

#define FF_REQUIRED 1

/* One --option of a verb. */
struct field {
    const char *flag;      /* without the leading "--" */
    const char *key;       /* JSON path or query name */
    enum field_at at;
    enum field_type type;
    int flags;             /* FF_* */
    const char *meta;      /* value placeholder in usage, e.g. "CODE" */
    const char *help;
};

enum verb_body {
    VB_NONE,      /* no body (GET, DELETE) */
    VB_JSON,      /* JSON object from --file and/or FA_BODY options; {} if none */
    VB_NDJSON,    /* the file named by the first positional, sent as NDJSON */
};

enum view {
    VIEW_RECORD,     /* one object as key: value lines */
    VIEW_RESOURCES,  /* {"items": [resource]} */
    VIEW_NEEDS,
    VIEW_RESPONSES,
    VIEW_CAMPAIGNS,
    VIEW_SEARCH,     /* search answer: hits */
    VIEW_MATCHES,    /* match answer: matches (+ explain) */
    VIEW_IMPORT,     /* bulk import summary */
    VIEW_DOC,        /* sections: scalars, lists, tables of objects */
    VIEW_ENTERPRISES, /* {"items": [enterprise file], "total"} */
    VIEW_ASSESSMENTS, /* {"items": [assessment summary]} */
    VIEW_ASSESSMENT,  /* one assessment: score, level check, scenes */
    VIEW_GAPS,        /* an assessment's gaps to a level */
    VIEW_PROJECTS,    /* {"items": [project]} (issue 19) */
    VIEW_PROJECT,     /* one project: state, milestones, costs, before/after */
    VIEW_TICKETS,     /* {"items": [ticket]} */
    VIEW_CASES,       /* {"items": [case], "total"} */
    VIEW_FILE,        /* raw bytes (a PDF, an HTML page) written to --out */
};

#define VERB_TABLES 3

#define VF_PAGED 1        /* accepts --all: follow next_cursor */
#define VF_POS_QUERY 2    /* positionals joined with spaces are the `q` parameter */
#define VF_POS_IDS 4      /* positionals joined with commas are the `ids` parameter */

struct verb {
    const char *name;            /* "resources create" */
    const char *method;
    const char *path;            /* "/v1/needs/{0}/responses/{1}/accept" */
    enum verb_body body;
    const char *ctype;           /* body content type */
    int min_pos, max_pos;        /* positional count; max -1 = unlimited */
    const struct field *fields[VERB_TABLES]; /* option tables, each ending
                                                 at flag == NULL; unused are NULL */
    enum view view;
    int flags;                   /* VF_* */
    const char *synopsis;        /* "ID --title T ..." */
    const char *summary;         /* one line */
};

/* One option as given on the command line. */
struct opt {
    const struct field *field;
    const char *value;       /* NULL for FT_FLAG */
};

struct args {
    const struct verb *verb;
    const char **pos;
    int npos;
    struct opt *opts;
    int nopts;
};

/* The last value given for option `flag`, "" for a flag given, NULL if absent. */
const char *args_get(const struct args *a, const char *flag);

/* Print the usage of one verb (its options from the field tables). */
void verb_usage(FILE *out, const struct verb *v);

/* ------------------------------------------------------------ request.c */

/* Run a parsed command: returns an enum cli_exit. */
int request_run(const struct cli_conf *conf, const struct args *a);

/* `shucu changes` (changes.c): the feed as NDJSON, --follow. */
int changes_run(const struct cli_conf *conf, const struct args *a);

/* ------------------------------------------------------------ http.c */

struct http_resp {
    long status;
    char *body;              /* NUL-terminated; owned, free with http_resp_free */
    size_t len;
    char retry_after[32];    /* Retry-After header, "" if none */
};

enum http_rc {
    HTTP_OK = 0,
    HTTP_EUNREACHABLE = -1,  /* connection refused, DNS, timeout, …: err says which */
    HTTP_EINIT = -2,         /* libcurl could not be set up */
};

int http_global_init(void);
void http_global_cleanup(void);

/*
 * Send one request to conf->url + target (target begins with "/").
 * body may be NULL.  On HTTP_OK, *out holds the answer whatever its status;
 * otherwise err holds a short lower-case reason ("connection refused").
 */
int http_request(const struct cli_conf *conf, const char *method, const char *target,
                 const char *ctype, const char *body, size_t body_len,
                 struct http_resp *out, char *err, size_t errlen);
void http_resp_free(struct http_resp *r);

/* ------------------------------------------------------------ util.c */

/* Allocation wrappers: they print a message and abort on out-of-memory,
 * so callers never check for NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

struct sbuf {
    char *s;       /* always NUL-terminated once anything was added */
    size_t len, cap;
};

void sbuf_add(struct sbuf *b, const char *s, size_t n);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s percent-encoded for a URL query or path segment. */
void sbuf_escape(struct sbuf *b, const char *s);
void sbuf_free(struct sbuf *b);

/* Read a whole file ("-" is stdin) into a NUL-terminated buffer the caller
 * frees.  Returns 0, or -errno with *out NULL. */
int util_read_file(const char *path, char **out, size_t *len);

/* ------------------------------------------------------------ table.c */

/* Display width of UTF-8 text: East Asian wide and full-width characters
 * count two columns, combining marks none.  Invalid bytes count one. */
int text_width(const char *s);

/* Write s to out fitted to exactly `width` columns: truncated with "…" if
 * wider, padded with spaces if pad is set. */
void text_fit(FILE *out, const char *s, int width, int pad);

struct table;

/* A table of ncols columns; maxw[i] caps column i (0 = no cap, and the
 * column is never shrunk to fit the terminal). */
struct table *table_new(int ncols, const char *const *headers, const int *maxw);
/* Minimum widths (0: none) and drop ranks (0: always shown; the highest
 * is left out first when the columns cannot fit termw); either may be
 * NULL.  See table.c. */
void table_layout(struct table *t, const int *minw, const int *drop);
/* Add a row; cells are copied (NULL prints as "-"). */
void table_add(struct table *t, const char *const *cells);
/* Print aligned, columns two spaces apart; shrinks capped columns toward
 * termw when termw > 0. */
void table_print(const struct table *t, FILE *out, int termw);
void table_free(struct table *t);

/* ------------------------------------------------------------ format.c */

struct view_opts {
    int termw;
    int explain;   /* matches: draw the explain parts */
};

/* Render doc (an API answer) for a person. */
void fmt_view(FILE *out, enum view v, json_t *doc, const struct view_opts *o);

/* Report a 4xx/5xx answer on stderr: the server's message and field
 * (request.c, which maps every answer to an exit status). */
void fmt_error(FILE *err, const struct http_resp *r);

/* ------------------------------------------------------------ format_assess.c */

/* An assessment, its gaps (views of issue 18's answers). */
void fmt_assessment(FILE *out, json_t *doc, const struct view_opts *o);
void fmt_gaps(FILE *out, json_t *doc, const struct view_opts *o);
/* ------------------------------------------------------------ format_projects.c */

/* Projects, one project, its tickets and cases (views of issue 19's answers). */
void fmt_projects(FILE *out, json_t *doc, const struct view_opts *o);
void fmt_project(FILE *out, json_t *doc, const struct view_opts *o);
void fmt_tickets(FILE *out, json_t *doc, const struct view_opts *o);
void fmt_cases(FILE *out, json_t *doc, const struct view_opts *o);

/* A table of rows: ncols headers, each row's cells from cell(row, col)
 * (text to free, NULL for "-"); maxw caps columns (may be NULL). */
void fmt_rows(FILE *out, json_t *rows, int ncols, const char *const *headers, const int *maxw,
              char *(*cell)(json_t *row, int col), int termw);

#endif
