/*
 * segment.c - shucu's tokenizer (index/tokenizer.c, tok_run) as a filter,
 * for loading the PostgreSQL peer with exactly the tokens FTS5 indexes.
 *
 *   segment docs   stdin: "id<TAB>field<TAB>field..." per line
 *                  stdout: the same line with every field replaced by its
 *                  tokens, space-separated (Han bigrams, lower-cased Latin
 *                  words), ready for to_tsvector('simple', ...)
 *   segment and    stdin: one query per line
 *                  stdout: its tokens AND-ed, "t1 & t2 & ...", for
 *                  to_tsquery('simple', ...) (an empty line when the query
 *                  has no token)
 */
#include "tokenizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct out {
    const char *sep;
    int n;
};

static int emit(void *ctx, int run, const char *tok, int len, int start, int end)
{
    struct out *o = ctx;
    if (o->n++)
        fputs(o->sep, stdout);
    fwrite(tok, 1, (size_t)len, stdout);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "docs") != 0 && strcmp(argv[1], "and") != 0)) {
        fprintf(stderr, "usage: segment docs|and < input > output\n");
        return 2;
    }
    int docs = strcmp(argv[1], "docs") == 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!docs) {
            struct out o = {" & ", 0};
            tok_run(line, (int)len, emit, &o);
            putchar('\n');
            continue;
        }
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        fwrite(line, 1, (size_t)(tab - line), stdout); /* the id */
        char *p = tab + 1;
        for (;;) {
            char *e = strchr(p, '\t');
            int n = e ? (int)(e - p) : (int)strlen(p);
            struct out o = {" ", 0};
            putchar('\t');
            tok_run(p, n, emit, &o);
            if (!e)
                break;
            p = e + 1;
        }
        putchar('\n');
    }
    free(line);
    return 0;
}
