/*
 * log.h - leveled logging to stderr.
 *
 * One line per event, prefixed with an RFC 3339 time and the level.
 * Lines are written whole, one line or a batch of lines at a time under a
 * process-wide lock, in pieces of at most PIPE_BUF bytes cut after a
 * newline, so that lines never interleave, even when stderr is a pipe or
 * a socket (a write of more than PIPE_BUF bytes to those is not atomic).
 * Never call from a signal handler.
 *
 * A worker thread buffers its debug and info lines (the access log):
 * log_buffer_start() on the thread, log_flush() from a timer (every
 * LOG_FLUSH_MS) and log_buffer_stop() before the thread ends.  A warning
 * or an error flushes the thread's buffer and is written at once, and a
 * full buffer is written when the next line would not fit.  One write per
 * request was a tenth of a cached answer's cost.
 */
#ifndef SHUCU_LOG_H
#define SHUCU_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

#define LOG_BUFFER_BYTES 65536
#define LOG_FLUSH_MS 100

void log_set_level(enum log_level lvl);
int log_parse_level(const char *s, enum log_level *out);
void log_msg(enum log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void log_buffer_start(void);
void log_flush(void);
void log_buffer_stop(void);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
