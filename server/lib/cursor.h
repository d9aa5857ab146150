/*
 * cursor.h - the page cursors of every list endpoint.
 *
 * A cursor is opaque to clients: "c1" followed by the last row id of the
 * page in lower-case hex.  Lists page by descending row id, so the next
 * page is the rows with an id below the cursor's.  Parsing accepts only
 * what cursor_format writes (a positive id that fits in int64).
 */
#ifndef SHUCU_CURSOR_H
#define SHUCU_CURSOR_H

#include <stdint.h>

#define CURSOR_MAX 20 /* bytes of a cursor with its terminator */

/* Writes the cursor of row id (> 0) into out. */
void cursor_format(char out[CURSOR_MAX], int64_t id);

/* The row id of cursor s; 0 on success, -1 when s is not a cursor. */
int cursor_parse(const char *s, int64_t *id);

#endif
