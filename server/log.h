/*
 * log.h - leveled logging to stderr.
 *
 * One line per event, prefixed with an RFC 3339 time and the level.
 * Lines are written with a single write(2) so that lines from different
 * worker threads never interleave.  Never call from a signal handler.
 */
#ifndef SHUCU_LOG_H
#define SHUCU_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level lvl);
int log_parse_level(const char *s, enum log_level *out);
void log_msg(enum log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
