/*
 * pdf.c - HTML to PDF through headless Chromium as a child process
 * (pdf.h).
 *
 * One job per print: its directory, the child's pid (the leader of its
 * own process group), the read end of the child's stdout/stderr pipe and
 * two events on the worker's loop: the pipe (until EOF: every process of
 * the browser has let go of it) and the deadline.  After EOF the child is
 * reaped with WNOHANG, retried every 20 ms, since the browser may close
 * its output a moment before it exits.  Whatever ends first ends the job;
 * the job is freed after done() returns.  Nothing here blocks the loop
 * except the final waitpid after SIGKILL, which returns at once.
 */
#include "pdf.h"

#include "log.h"
#include "util.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PDF_MAX (64L << 20) /* a larger file is not a 案例集 */

struct pdf_job {
    char dir[256];
    pid_t pid;
    int fd;
    int eof;
    struct event *rd, *deadline, *poll;
    pdf_done_fn done;
    void *arg;
};

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void job_free(struct pdf_job *j)
{
    if (j->rd)
        event_free(j->rd);
    if (j->deadline)
        event_free(j->deadline);
    if (j->poll)
        event_free(j->poll);
    if (j->fd >= 0)
        close(j->fd);
    if (j->dir[0])
        nftw(j->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(j);
}

/* Reads the PDF the child wrote and ends the job. */
static void job_finish(struct pdf_job *j, int status)
{
    char path[300], why[160] = "";
    snprintf(path, sizeof path, "%s/out.pdf", j->dir);
    char *data = NULL;
    size_t len = 0;
    FILE *f = fopen(path, "rb");
    if (f) {
        if (fseek(f, 0, SEEK_END) == 0) {
            long n = ftell(f);
            if (n > 0 && n <= PDF_MAX && fseek(f, 0, SEEK_SET) == 0) {
                data = xmalloc((size_t)n);
                len = fread(data, 1, (size_t)n, f);
            }
        }
        fclose(f);
    }
    enum pdf_result rc = PDF_OK;
    if (!data || len < 5 || memcmp(data, "%PDF-", 5) != 0) {
        snprintf(why, sizeof why, "the browser wrote no PDF (exit status %d)",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        log_warn("pdf: %s", why);
        rc = PDF_FAILED;
    }
    j->done(j->arg, rc, rc == PDF_OK ? data : NULL, rc == PDF_OK ? len : 0, why);
    free(data);
    job_free(j);
}

static void on_poll(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct pdf_job *j = arg;
    int status = 0;
    pid_t w = waitpid(j->pid, &status, WNOHANG);
    if (w == j->pid || (w < 0 && errno == ECHILD)) {
        job_finish(j, status);
        return;
    }
    struct timeval tv = {0, 20000};
    event_add(j->poll, &tv);
}

static void on_output(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    struct pdf_job *j = arg;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0)
        return; /* the browser's chatter: dropped */
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    event_del(j->rd);
    j->eof = 1;
    on_poll(-1, 0, j);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct pdf_job *j = arg;
    kill(-j->pid, SIGKILL);
    int status;
    waitpid(j->pid, &status, 0);
    log_warn("pdf: the browser did not finish in time; killed");
    j->done(j->arg, PDF_TIMEOUT, NULL, 0, "the browser did not finish in time");
    job_free(j);
}

int pdf_print(struct event_base *base, const char *chromium, const char *html, size_t len,
              int timeout_s, pdf_done_fn done, void *arg, char *why, size_t whylen)
{
    struct pdf_job *j = xcalloc(1, sizeof *j);
    j->fd = -1;
    j->done = done;
    j->arg = arg;
    const char *tmp = getenv("TMPDIR");
    snprintf(j->dir, sizeof j->dir, "%s/shucu-pdf-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(j->dir)) {
        snprintf(why, whylen, "cannot make a temporary directory: %s", strerror(errno));
        j->dir[0] = '\0';
        job_free(j);
        return -1;
    }
    char in[300], out[300], profile[300], home[300], url[320];
    snprintf(in, sizeof in, "%s/in.html", j->dir);
    snprintf(out, sizeof out, "--print-to-pdf=%s/out.pdf", j->dir);
    snprintf(profile, sizeof profile, "--user-data-dir=%s/profile", j->dir);
    snprintf(home, sizeof home, "HOME=%s", j->dir);
    snprintf(url, sizeof url, "file://%s", in);
    FILE *f = fopen(in, "wb");
    int wrote = f && fwrite(html, 1, len, f) == len;
    if (f && fclose(f) != 0)
        wrote = 0;
    int pipefd[2] = {-1, -1};
    if (!wrote || pipe2(pipefd, O_CLOEXEC) < 0) {
        snprintf(why, whylen, "cannot prepare the page: %s", strerror(errno));
        job_free(j);
        return -1;
    }
    char *argv[] = {(char *)chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-extensions",
                    "--disable-dev-shm-usage", "--no-pdf-header-footer", profile, out, url, NULL};
    char *envp[] = {"PATH=/usr/bin:/bin", home, "LANG=zh_CN.UTF-8", NULL};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    posix_spawnattr_setpgroup(&at, 0);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&at, &none);
    sigset_t dfl;
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGPIPE);
    posix_spawnattr_setsigdefault(&at, &dfl);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);
    int rc = posix_spawn(&j->pid, chromium, &fa, &at, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(pipefd[1]);
    j->fd = pipefd[0];
    if (rc != 0) {
        snprintf(why, whylen, "cannot start %s: %s", chromium, strerror(rc));
        job_free(j);
        return -1;
    }
    evutil_make_socket_nonblocking(j->fd);
    j->rd = event_new(base, j->fd, EV_READ | EV_PERSIST, on_output, j);
    j->deadline = evtimer_new(base, on_deadline, j);
    j->poll = evtimer_new(base, on_poll, j);
    struct timeval tv = {timeout_s > 0 ? timeout_s : 60, 0};
    if (!j->rd || !j->deadline || !j->poll || event_add(j->rd, NULL) < 0 ||
        event_add(j->deadline, &tv) < 0) {
        snprintf(why, whylen, "cannot watch the browser");
        kill(-j->pid, SIGKILL);
        waitpid(j->pid, NULL, 0);
        job_free(j);
        return -1;
    }
    return 0;
}
