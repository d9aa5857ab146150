/*
 * pdf.h - an HTML page printed to PDF by headless Chromium, run as a
 * child process of shucud without blocking the worker's event loop.
 *
 * Why Chromium and not a PDF library: the 案例集 is Chinese text in a
 * designed layout, and the same HTML page is also served as the printable
 * page.  Chromium (Debian's `chromium`, installed by scripts/deps.sh for
 * the browser tests) lays it out with CSS, shapes CJK text and embeds the
 * fonts it used (fonts-wqy-microhei); Debian's PDF libraries (libharu)
 * would need the layout written again in C and leave CJK fonts to the
 * reader.  See docs/operations.md for the cost (a second or two per
 * export, one Chromium per export).
 *
 * pdf_print() writes the page into a fresh private directory under
 * $TMPDIR, starts `chromium --headless --print-to-pdf` there in a process
 * group of its own (stdin /dev/null, stdout and stderr to a pipe the
 * worker watches, no other descriptor inherited), and returns at once.
 * When the browser has exited - or at the deadline, when the whole group
 * is killed - it calls done(arg, …) on the same event loop, exactly once,
 * and removes the directory.  The PDF is checked to begin with "%PDF-".
 *
 * The child runs with a minimal environment (PATH, HOME in the private
 * directory, LANG) and the flags Chromium needs as root and offline
 * (docs: ../shared/DESIGN.md, "Facts of the platform").
 */
#ifndef SHUCU_PDF_H
#define SHUCU_PDF_H

#include <stddef.h>

struct event_base;

/* What became of a print.  ok: pdf[0..len) is the document (freed after
 * done returns); otherwise pdf is NULL and why says what went wrong. */
enum pdf_result { PDF_OK = 0, PDF_FAILED = -1, PDF_TIMEOUT = -2 };
typedef void (*pdf_done_fn)(void *arg, enum pdf_result rc, const char *pdf, size_t len,
                            const char *why);

/* Starts printing html[0..len) with the browser at chromium, at most
 * timeout_s seconds.  0 when started (done will be called), -1 when it
 * could not start (done is not called; why says what failed). */
int pdf_print(struct event_base *base, const char *chromium, const char *html, size_t len,
              int timeout_s, pdf_done_fn done, void *arg, char *why, size_t whylen);

#endif
