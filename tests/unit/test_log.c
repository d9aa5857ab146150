/*
 * Unit tests of log.c: a worker's access-log lines are buffered and
 * written in batches, but an operator reading the log must still get
 * every line, whole, in order, and a warning at once.
 */
#include "log.h"
#include "test.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

static char path[64];
static int saved_stderr = -1;

/* Points stderr at a fresh file. */
static void capture(void)
{
    snprintf(path, sizeof path, "/tmp/shucu-test-log-%d.txt", (int)getpid());
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
    if (saved_stderr < 0)
        saved_stderr = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
}

static void release(void)
{
    dup2(saved_stderr, STDERR_FILENO);
    unlink(path);
}

/* What the log file holds now (static buffer). */
static const char *logged(void)
{
    static char buf[1 << 20];
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

TEST(unbuffered_lines_are_written_at_once)
{
    capture();
    log_info("plain %d", 1);
    const char *t = logged();
    release();
    ASSERT(strstr(t, "info  plain 1\n") != NULL);
    ASSERT_EQ(t[4], '-');  /* 2026-12-02T14:11:39.123Z */
    ASSERT_EQ(t[10], 'T');
    ASSERT_EQ(t[23], 'Z');
}

TEST(buffered_info_waits_for_a_flush_and_keeps_its_order)
{
    capture();
    log_buffer_start();
    log_info("first");
    log_info("second");
    int before = count_lines(logged());
    log_flush();
    char t[4096];
    snprintf(t, sizeof t, "%s", logged());
    log_buffer_stop();
    release();
    ASSERT_EQ(before, 0);
    const char *a = strstr(t, "first"), *b = strstr(t, "second");
    ASSERT(a != NULL && b != NULL && a < b);
}

TEST(a_warning_is_written_at_once_after_what_came_before)
{
    capture();
    log_buffer_start();
    log_info("request one");
    log_warn("redis connection lost");
    char t[4096];
    snprintf(t, sizeof t, "%s", logged());
    log_info("request two");
    log_buffer_stop(); /* stopping flushes */
    const char *end = logged();
    int total = count_lines(end);
    const char *two = strstr(end, "request two");
    release();
    const char *a = strstr(t, "request one"), *w = strstr(t, "warn  redis connection lost");
    ASSERT(a != NULL && w != NULL && a < w);
    ASSERT(two != NULL);
    ASSERT_EQ(total, 3);
}

TEST(a_full_buffer_is_written_in_whole_lines)
{
    capture();
    log_buffer_start();
    char msg[301];
    memset(msg, 'x', 300);
    msg[300] = '\0';
    int n = 2 * LOG_BUFFER_BYTES / 300 + 7;
    for (int i = 0; i < n; i++)
        log_info("%05d %s", i, msg);
    const char *t = logged();
    int written = count_lines(t);
    size_t len = strlen(t);
    char last = len ? t[len - 1] : '\n';
    log_buffer_stop();
    t = logged();
    int total = count_lines(t);
    /* every line whole and in order */
    int ok = 1, expect = 0;
    for (const char *p = t; *p;) {
        const char *nl = strchr(p, '\n');
        const char *m = strstr(p, "info  ");
        if (!nl || !m || m > nl || atoi(m + 6) != expect || (size_t)(nl - (m + 12)) != 300)
            ok = 0;
        expect++;
        p = nl ? nl + 1 : p + strlen(p);
    }
    release();
    ASSERT_GT(written, 0);           /* it did not wait for a flush */
    ASSERT_LT(written, n);           /* but it did buffer */
    ASSERT_EQ(last, '\n');           /* no half line */
    ASSERT_EQ(total, n);
    ASSERT(ok);
}

static void *other_thread(void *arg)
{
    log_info("from a thread without a buffer");
    return NULL;
}

TEST(only_the_buffering_thread_buffers)
{
    capture();
    log_buffer_start();
    log_info("buffered line");
    pthread_t th;
    pthread_create(&th, NULL, other_thread, NULL);
    pthread_join(th, NULL);
    char t[4096];
    snprintf(t, sizeof t, "%s", logged());
    log_buffer_stop();
    release();
    ASSERT(strstr(t, "from a thread without a buffer") != NULL);
    ASSERT(strstr(t, "buffered line") == NULL);
}

TEST_MAIN(T(unbuffered_lines_are_written_at_once),
          T(buffered_info_waits_for_a_flush_and_keeps_its_order),
          T(a_warning_is_written_at_once_after_what_came_before),
          T(a_full_buffer_is_written_in_whole_lines), T(only_the_buffering_thread_buffers))
