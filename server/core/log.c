/*
 * log.c - leveled, line-atomic logging to stderr (see log.h).
 */
#include "log.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static enum log_level min_level = LOG_INFO;

static const char *const LEVEL_NAMES[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level lvl)
{
    min_level = lvl;
}

int log_parse_level(const char *s, enum log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, LEVEL_NAMES[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

/* A worker thread's buffer of info lines (NULL: write each line now). */
struct line_buf {
    size_t len;
    time_t sec;        /* the second stamp[] spells */
    size_t stamp_len;
    char stamp[32];
    char data[LOG_BUFFER_BYTES];
};
static _Thread_local struct line_buf *tbuf;

/* One writer at a time: a write of a batch of lines to a pipe or a socket
 * (journald's stderr) is not atomic, and another thread's line could land
 * inside it. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

static void write_all_locked(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* stderr is gone: nothing better to do with a log line */
        p += w;
        n -= (size_t)w;
    }
}

/* Writes whole lines p[0..n) in pieces of at most PIPE_BUF bytes, each cut
 * after a newline (a line is shorter than PIPE_BUF), so that another
 * process writing to the same pipe cannot split a line either. */
static void write_lines(const char *p, size_t n)
{
    pthread_mutex_lock(&write_lock);
    while (n > 0) {
        size_t k = n;
        if (k > PIPE_BUF) {
            k = PIPE_BUF;
            while (k > 0 && p[k - 1] != '\n')
                k--;
            if (k == 0)
                k = PIPE_BUF; /* no newline: cannot happen with log_msg's lines */
        }
        write_all_locked(p, k);
        p += k;
        n -= k;
    }
    pthread_mutex_unlock(&write_lock);
}

void log_buffer_start(void)
{
    if (!tbuf) {
        tbuf = calloc(1, sizeof *tbuf);
        if (tbuf)
            tbuf->sec = (time_t)-1;
    }
}

void log_flush(void)
{
    if (tbuf && tbuf->len) {
        write_lines(tbuf->data, tbuf->len);
        tbuf->len = 0;
    }
}

void log_buffer_stop(void)
{
    log_flush();
    free(tbuf);
    tbuf = NULL;
}

/* "2026-12-02T14:11:39" for tv_sec, formatted once per second per thread. */
static size_t stamp(char *out, size_t cap, time_t sec)
{
    struct tm tm;
    if (tbuf && tbuf->sec == sec && tbuf->stamp_len < cap) {
        memcpy(out, tbuf->stamp, tbuf->stamp_len);
        return tbuf->stamp_len;
    }
    gmtime_r(&sec, &tm);
    size_t n = strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    if (tbuf && n < sizeof tbuf->stamp) {
        memcpy(tbuf->stamp, out, n);
        tbuf->stamp_len = n;
        tbuf->sec = sec;
    }
    return n;
}

/*
 * Writes each control byte of line[start..n) (ESC, CR, LF, NUL from a
 * client's path or header, say) as \xNN, so one log line can never pass
 * for two or reach a terminal as an escape sequence; cuts at cap bytes.
 * Returns the new length.  Most lines have none and cost one scan.
 */
static size_t escape_controls(char *line, size_t start, size_t n, size_t cap)
{
    size_t i = start;
    while (i < n && (unsigned char)line[i] >= 0x20 && line[i] != 0x7f)
        i++;
    if (i == n)
        return n;
    char tail[2048];
    size_t tn = n - i < sizeof tail ? n - i : sizeof tail;
    memcpy(tail, line + i, tn);
    size_t o = i;
    for (size_t k = 0; k < tn && o + 4 < cap; k++) {
        unsigned char ch = (unsigned char)tail[k];
        if (ch < 0x20 || ch == 0x7f) {
            static const char HEX[] = "0123456789abcdef";
            line[o++] = '\\';
            line[o++] = 'x';
            line[o++] = HEX[ch >> 4];
            line[o++] = HEX[ch & 15];
        } else {
            line[o++] = (char)ch;
        }
    }
    return o;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
    if (lvl < min_level)
        return;
    char line[2048];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    size_t n = stamp(line, sizeof line, tv.tv_sec);
    n += (size_t)snprintf(line + n, sizeof line - n, ".%03dZ %-5s ",
                          (int)(tv.tv_usec / 1000), LEVEL_NAMES[lvl]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    size_t start = n;
    n += (size_t)m;
    if (n > sizeof line - 2)
        n = sizeof line - 2;
    n = escape_controls(line, start, n, sizeof line - 2);
    line[n++] = '\n';
    if (tbuf && lvl <= LOG_INFO) {
        if (tbuf->len + n > sizeof tbuf->data)
            log_flush();
        memcpy(tbuf->data + tbuf->len, line, n);
        tbuf->len += n;
        return;
    }
    log_flush(); /* keep this thread's lines in order */
    write_lines(line, n);
}
