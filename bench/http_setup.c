/*
 * http_setup.c - prepares a database for bench/http.sh: an admin, K
 * operators with one token each, and N event-coordination jobs created
 * through libqtm (submit, approve, assign round-robin, create), all still
 * queued.  Prints "SLUG TOKEN" per operator on stdout, then the admin's.
 * Usage: http_setup DB JOBS OPERATORS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qtm/qtm.h"

static const char packet[] =
    "{\"contact\":{\"name\":\"Bench Client\",\"method\":\"email\",\"email\":\"b@example.com\"},"
    "\"event\":{\"type\":\"Corporate Event\",\"venue\":\"Hall 1\",\"date\":\"2026-06-01\"},"
    "\"request\":{\"package\":\"consultation\",\"service_area\":\"Austin\","
    "\"preferred_days\":\"Fridays\",\"preferred_window\":\"mornings\"},"
    "\"notes\":{\"condition\":\"bench\",\"access\":\"front door\"}}";

static int check(qtm *q, qtm_status st, const char *what)
{
    if (st == QTM_OK)
        return 0;
    fprintf(stderr, "http_setup: %s: %s\n", what, qtm_errmsg(q));
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: http_setup DB JOBS OPERATORS\n");
        return 2;
    }
    long jobs = atol(argv[2]), ops = atol(argv[3]);
    if (jobs < 0 || ops < 1 || ops > 1000) {
        fprintf(stderr, "http_setup: JOBS >= 0, 1 <= OPERATORS <= 1000\n");
        return 2;
    }
    qtm *q = NULL;
    /* a throwaway setup: what it writes need not survive a power cut (the
     * server then serves it durably) */
    if (qtm_open(argv[1], QTM_OPEN_CREATE | QTM_OPEN_RELAXED, &q) != QTM_OK) {
        fprintf(stderr, "http_setup: %s\n", q ? qtm_errmsg(q) : "out of memory");
        qtm_close(q);
        return 1;
    }
    char slug[32], tok[QTM_SECRET_LEN];
    int rc = check(q, qtm_actor_add(q, "admin", "admin", NULL), "admin");
    for (long i = 0; i < ops && !rc; i++) {
        snprintf(slug, sizeof slug, "op%ld", i);
        rc = check(q, qtm_actor_add(q, slug, "operator", NULL), slug) ||
             check(q, qtm_token_issue(q, slug, tok), "token");
        if (!rc)
            printf("%s %s\n", slug, tok);
    }
    if (!rc && !(rc = check(q, qtm_token_issue(q, "admin", tok), "token")))
        printf("admin %s\n", tok);
    for (long i = 0; i < jobs && !rc; i++) {
        int64_t req, task, job;
        snprintf(slug, sizeof slug, "op%ld", i % ops);
        rc = check(q, qtm_request_submit(q, NULL, "event-coordination", packet, NULL, 0, NULL, &req, &task),
                   "submit") ||
             check(q, qtm_task_approve(q, "admin", task), "approve") ||
             check(q, qtm_task_assign(q, "admin", task, slug), "assign") ||
             check(q, qtm_job_create(q, "admin", task, &job), "create");
    }
    qtm_close(q);
    return rc;
}
