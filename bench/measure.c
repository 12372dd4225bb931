/*
 * measure.c - time a command and report its peak memory.
 *
 *   measure [-n RUNS] -- CMD ARGS...
 *
 * Runs CMD RUNS times (default 5), one after the other, each in a fresh
 * child (fork + execvp, stdout and stderr left alone).  Wall time is taken
 * with CLOCK_MONOTONIC around fork .. wait4; peak RSS is the child's
 * ru_maxrss from wait4 (KiB on Linux).  Prints one line:
 *
 *   runs=5 median_ms=12.345 min_ms=11.987 median_cpu_ms=11.002 max_rss_kib=4321
 *
 * median_cpu_ms is the child's user + system time (from the same rusage):
 * on a shared machine it moves less than wall time when other work competes.
 * A run that exits non-zero or dies on a signal is reported on stderr and
 * makes measure exit 1 (after the remaining runs are skipped).  Usage
 * errors exit 2.
 */
#define _DEFAULT_SOURCE 1          /* wait4, struct rusage fields */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 1000

static void usage(void)
{
    fputs("usage: measure [-n RUNS] -- CMD ARGS...\n"
          "  runs CMD RUNS times (default 5) and prints median and min wall time (ms)\n"
          "  and the largest peak RSS (KiB); exits 1 if any run fails\n", stderr);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Sorts v and returns its median. */
static double median(double *v, long n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Runs argv once; stores wall ms, CPU ms (user + system) and ru_maxrss.
 * Returns 0 if it exited 0. */
static int run_once(char **argv, double *ms, double *cpu_ms, long *rss_kib)
{
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "measure: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "measure: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    pid_t got;
    do
        got = wait4(pid, &status, 0, &ru);
    while (got < 0 && errno == EINTR);
    *ms = now_ms() - t0;
    if (got < 0) {
        fprintf(stderr, "measure: wait4: %s\n", strerror(errno));
        return -1;
    }
    *rss_kib = ru.ru_maxrss;
    *cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
              (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status))
        fprintf(stderr, "measure: %s exited with status %d\n", argv[0], WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        fprintf(stderr, "measure: %s killed by signal %d\n", argv[0], WTERMSIG(status));
    else
        fprintf(stderr, "measure: %s ended abnormally\n", argv[0]);
    return -1;
}

int main(int argc, char **argv)
{
    long runs = 5;
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            char *end;
            errno = 0;
            runs = strtol(argv[++i], &end, 10);
            if (errno || *end || runs < 1 || runs > MAX_RUNS) {
                fprintf(stderr, "measure: -n takes 1..%d\n", MAX_RUNS);
                return 2;
            }
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage();
            return 0;
        } else {
            usage();
            return 2;
        }
    }
    if (i >= argc) {
        usage();
        return 2;
    }
    char **cmd = argv + i;

    double *ms = calloc((size_t)runs, sizeof *ms);
    double *cpu = calloc((size_t)runs, sizeof *cpu);
    if (!ms || !cpu) {
        fputs("measure: out of memory\n", stderr);
        return 2;
    }
    long max_rss = 0;
    int status = 0;
    for (long r = 0; r < runs; r++) {
        long rss = 0;
        if (run_once(cmd, &ms[r], &cpu[r], &rss) != 0) {
            fprintf(stderr, "measure: run %ld of %ld failed\n", r + 1, runs);
            status = 1;
            break;
        }
        if (rss > max_rss)
            max_rss = rss;
    }
    if (status == 0) {
        /* median() sorts, so ms[0] is the minimum only after it */
        double wall = median(ms, runs), cpu_med = median(cpu, runs);
        printf("runs=%ld median_ms=%.3f min_ms=%.3f median_cpu_ms=%.3f max_rss_kib=%ld\n", runs,
               wall, ms[0], cpu_med, max_rss);
    }
    free(ms);
    free(cpu);
    return status;
}
