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

/* stderr as a pipe (docker, `| tee`, systemd): batches from two buffering
 * threads and warnings from a third must still arrive as whole lines. */
struct pipe_reader {
    int fd;
    char *buf;
    size_t len, cap;
};

static void *read_pipe(void *arg)
{
    struct pipe_reader *pr = arg;
    for (;;) {
        if (pr->cap - pr->len < 65536) {
            pr->cap = pr->cap * 2 + 65536;
            pr->buf = realloc(pr->buf, pr->cap);
        }
        ssize_t n = read(pr->fd, pr->buf + pr->len, 4096); /* a slow reader */
        if (n <= 0)
            break;
        pr->len += (size_t)n;
    }
    return NULL;
}

#define PIPE_LINES 15000

static void *buffered_writer(void *arg)
{
    char pad[151];
    memset(pad, 'x', 150);
    pad[150] = '\0';
    log_buffer_start();
    for (int i = 0; i < PIPE_LINES; i++)
        log_info("T%d %05d %s", (int)(long)arg, i, pad);
    log_buffer_stop();
    return NULL;
}

TEST(batches_into_a_pipe_stay_whole_lines)
{
    int pfd[2];
    ASSERT_EQ(pipe(pfd), 0);
    if (saved_stderr < 0)
        saved_stderr = dup(STDERR_FILENO);
    dup2(pfd[1], STDERR_FILENO);
    close(pfd[1]);
    struct pipe_reader pr = {pfd[0], NULL, 0, 0};
    pthread_t rd, w1, w2;
    pthread_create(&rd, NULL, read_pipe, &pr);
    pthread_create(&w1, NULL, buffered_writer, (void *)1L);
    pthread_create(&w2, NULL, buffered_writer, (void *)2L);
    for (int i = 0; i < 2000; i++)
        log_warn("W %05d", i);
    pthread_join(w1, NULL);
    pthread_join(w2, NULL);
    dup2(saved_stderr, STDERR_FILENO); /* the last write end: the reader sees EOF */
    pthread_join(rd, NULL);
    close(pfd[0]);
    int lines = 0, torn = 0, last[3] = {-1, -1, -1}, order = 1;
    for (size_t i = 0; i < pr.len;) {
        char *nl = memchr(pr.buf + i, '\n', pr.len - i);
        size_t end = nl ? (size_t)(nl - pr.buf) : pr.len;
        char *l = pr.buf + i;
        size_t n = end - i;
        int who = -1, seq = -1;
        /* 2026-12-02T14:11:39.123Z info  T1 00042 xxx… or …Z warn  W 00042 */
        if (n > 30 && l[23] == 'Z' && strncmp(l + 24, " info  T", 8) == 0 && n == 40 + 150)
            who = l[32] - '0', seq = atoi(l + 34);
        else if (n == 24 + 7 + 2 + 5 && strncmp(l + 24, " warn  W ", 9) == 0)
            who = 0, seq = atoi(l + 33);
        if (who < 0 || who > 2)
            torn++;
        else if (seq != last[who] + 1)
            order = 0;
        else
            last[who] = seq;
        lines++;
        i = end + 1;
    }
    free(pr.buf);
    ASSERT_EQ(torn, 0);
    ASSERT_EQ(lines, 2 * PIPE_LINES + 2000);
    ASSERT(order);
}

/* A client's ESC, CR or LF (in a path it sent, say) never reaches the log
 * raw: one request is one line, and a terminal shows no escape sequence. */
TEST(control_bytes_are_escaped)
{
    capture();
    log_info("GET /v1/\x1b[31mred\r\nFAKE 200 %s", "x\x7fy\x01");
    const char *t = logged();
    release();
    ASSERT_EQ(count_lines(t), 1);
    ASSERT(strstr(t, "GET /v1/\\x1b[31mred\\x0d\\x0aFAKE 200 x\\x7fy\\x01\n") != NULL);
    ASSERT(strchr(t, '\x1b') == NULL && strchr(t, '\r') == NULL);
}

TEST_MAIN(T(unbuffered_lines_are_written_at_once), T(control_bytes_are_escaped),
          T(buffered_info_waits_for_a_flush_and_keeps_its_order),
          T(a_warning_is_written_at_once_after_what_came_before),
          T(a_full_buffer_is_written_in_whole_lines), T(only_the_buffering_thread_buffers),
          T(batches_into_a_pipe_stay_whole_lines))
