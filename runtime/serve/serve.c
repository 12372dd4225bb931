/*
 * serve.c - the HTTP daemon behind `qtm serve` (libmicrohttpd).
 *
 * Threads: libmicrohttpd's thread pool does only I/O, and answers /healthz
 * and the web desk's files itself.  An /api/ request, once its body is in,
 * is suspended and pushed to a database queue (GET and HEAD to the readers,
 * the rest to the writers, so a write waiting for the database lock never
 * holds a read); a worker answers it on its own libqtm handle (its own
 * SQLite connection, opened on first use, closed when the queue stops) and
 * resumes the connection, whose I/O thread then sends the answer.  SQLite
 * in WAL mode lets readers run beside the single writer; this process's
 * writers take turns on a ticket lock, and other processes (the qtm
 * command) wait on SQLite's busy timeout.  A database that orders
 * concurrent writers itself (PostgreSQL: qtm_single_writer 0) gets none of
 * that: no ticket lock, no checkpoints, no watch of a file; writes that
 * lose a race there are run again (QTM_RETRY in serve_api.c), and several
 * qtm serve processes may share the database within its connection budget
 * (checked at start: --servers).  GET /readyz asks the worker's handle
 * whether the database answers (qtm_ping); /healthz is liveness only.
 *
 * An upload (POST /api/uploads) goes first to a queue of its own, whose
 * workers check, clean, hash and thumbnail the file with no lock held,
 * side by side; a file that passes then goes to the writers' queue, whose
 * batch only stores its chunks (group commit as for any write): a slow
 * decode never holds the write turn.
 *
 * Group commit: one writer takes the write requests waiting (up to
 * BATCH_MAX, waiting BATCH_WAIT_US for company) and runs each in its own
 * savepoint inside one transaction (qtm_batch_begin), commits once (one
 * fsync of the log) and only then resumes their connections: no answer
 * to a change leaves before the change is on disk.  If that commit fails,
 * every request of the batch is answered as failed.
 *
 * A request goes: first call (create the context; check the head's fields,
 * Host and framing; refuse an announced body over the limit at once)
 * -> body chunks (kept up to max_body and within the budget, charged as
 * they come) -> last call (answer, or suspend and
 * queue) -> [worker: resolve the caller, check CSRF, build the answer;
 * resume] -> last call again (send it) -> completed (access log line).
 * serve_conn.c cuts a connection that takes longer than request_timeout
 * to deliver a request, from its first byte to its last.
 *
 * Who is calling: "Authorization: Bearer TOKEN" (API clients), else the
 * qtm_session cookie (the web desk).  A change made under the cookie must
 * carry the session's CSRF secret in X-CSRF-Token and, when the browser
 * sends an Origin, come from this host; JSON bodies must say so in
 * Content-Type, which a cross-site form cannot.
 *
 * Shutdown: SIGINT/SIGTERM are blocked in every thread and taken by
 * sigwait() in the main thread, which stops accepting, lets the workers
 * finish every request queued (each a whole transaction or nothing; a
 * request completed later is answered 503), waits a moment for those
 * answers to be sent and closes the databases.
 */
#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

/* Group commit bounds: a lone request waits at most BATCH_WAIT_US. */
#define BATCH_MAX 32
#define BATCH_WAIT_US 200

typedef struct conn_ctx {
    char *body;
    size_t len, cap;
    size_t reserved;               /* body bytes charged to the budget (those buffered) */
    int too_large;
    int over_budget;               /* the body outgrew the budget */
    size_t discarded;              /* body bytes read past the limit */
    int answered;                  /* a response was queued early */
    int queued;                    /* handed to a database worker... */
    struct MHD_Response *resp;     /* ... which left the answer here */
    struct MHD_Connection *conn;
    const char *path;              /* the URL as libmicrohttpd keeps it */
    const char *http_method;
    unsigned status;
    size_t bytes;
    struct timespec start;
    char actor[64];
    char method[8];
    char url[200];
    conn_slot *slot;               /* the connection's deadline */
    /* POST /api/uploads: the body goes to a temp file as it comes, never to
     * memory; a multipart body through libmicrohttpd's post processor */
    int upload;                    /* this request is an upload */
    int upload_fd;                 /* its file (-1 until opened) */
    size_t upload_len;             /* file bytes written */
    int upload_parts;              /* multipart: file parts seen (the first is kept) */
    int upload_failed;             /* writing the temp file failed */
    int upload_bad;                /* the post processor gave up on the multipart body */
    struct MHD_PostProcessor *pp;  /* multipart/form-data, else NULL */
    qtm_upload *checked;           /* checked by an upload worker, for the writer to store */
    int ready;                     /* GET /readyz: a reader pings the database */
} conn_ctx;

static const serve_opts *opts;
static pthread_key_t handle_key;
static serve_queue *readers, *writers, *uploaders;
static atomic_int in_hand;         /* requests begun and not completed */
static char port_str[8];           /* the port served, for the Host check */
/* The file served is the file opened: if it is removed or replaced, the
 * workers' connections would go on committing to a file nobody can see
 * again; from then on every request is answered 503 instead.  Set once,
 * by the checkpointer; read by every worker. */
static atomic_int db_gone;
/* qtm_single_writer of the database, set once before any worker starts:
 * 1 (SQLite) takes turns to write, checkpoints the log and watches the
 * file; 0 leaves writers to the database. */
static int single_writer = 1;
/* SQLite admits one writer at a time; workers queue here for the span of
 * one libqtm call that writes (serve_api.c's WRITE), instead of polling the database lock with the busy handler's
 * growing sleeps (which is what other processes still do).  A ticket
 * lock: first come, first served, so no request waits behind a run of
 * luckier ones (a plain mutex lets a releasing thread take it again). */
static pthread_mutex_t write_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t write_turn = PTHREAD_COND_INITIALIZER;
static unsigned long write_next, write_serving;

static void write_lock(void)
{
    if (!single_writer)
        return;
    pthread_mutex_lock(&write_mu);
    unsigned long ticket = write_next++;
    while (ticket != write_serving)
        pthread_cond_wait(&write_turn, &write_mu);
    pthread_mutex_unlock(&write_mu);
}

static void write_unlock(void)
{
    if (!single_writer)
        return;
    pthread_mutex_lock(&write_mu);
    write_serving++;
    pthread_cond_broadcast(&write_turn);
    pthread_mutex_unlock(&write_mu);
}

static void handle_free(void *p)
{
    qtm_close(p);
}

/* This worker's libqtm handle, opened on first use. */
static qtm *worker_handle(void)
{
    qtm *q = pthread_getspecific(handle_key);
    if (q)
        return q;
    if (qtm_open(opts->db, QTM_OPEN_MANUAL_CHECKPOINT | (opts->relaxed ? QTM_OPEN_RELAXED : 0),
                 &q) != QTM_OK) {
        fprintf(stderr, "qtm serve: %s\n", q ? qtm_errmsg(q) : "out of memory");
        qtm_close(q);
        return NULL;
    }
    pthread_setspecific(handle_key, q);
    return q;
}

/* Copies a decoded URL for the access log: control bytes, quotes and
 * backslashes become \xHH, so a request cannot forge log lines. */
static void log_escape(char *out, size_t n, const char *in)
{
    size_t o = 0;
    for (; *in && o + 5 < n; in++) {
        unsigned char ch = (unsigned char)*in;
        if (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\')
            o += (size_t)snprintf(out + o, n - o, "\\x%02x", ch);
        else
            out[o++] = (char)ch;
    }
    out[o] = '\0';
}

/* Is s valid UTF-8 (no overlongs, no surrogates)? */
static int utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned len = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : (*p >> 3) == 30 ? 4 : 0;
        if (!len || (len == 2 && *p < 0xc2))
            return 0;
        for (unsigned i = 1; i < len; i++)
            if ((p[i] & 0xc0) != 0x80)
                return 0;
        if (len == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0)))
            return 0;
        if (len == 4 && ((p[0] == 0xf0 && p[1] < 0x90) || p[0] > 0xf4 || (p[0] == 0xf4 && p[1] >= 0x90)))
            return 0;
        p += len;
    }
    return 1;
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void client_addr(struct MHD_Connection *conn, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, n, "-");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)n);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)n);
}

static void add_common_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "same-origin");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
}

/* A JSON answer, not yet queued (a database worker builds it, the I/O
 * thread queues it); takes ownership of body.  NULL when out of memory. */
static struct MHD_Response *json_response(conn_ctx *cx, unsigned status, json_t *body,
                                          const char *cookie, unsigned retry_after,
                                          const char *allow)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text)
        text = strdup("{\"error\":{\"category\":\"storage\",\"message\":\"out of memory\"}}");
    if (!text)
        return NULL;
    size_t n = strlen(text);
    text[n] = '\n';                /* json_dumps leaves room: we replace the NUL */
    struct MHD_Response *r = MHD_create_response_from_buffer(n + 1, text, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text);
        return NULL;
    }
    MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    add_common_headers(r);
    if (cookie && *cookie)
        MHD_add_response_header(r, "Set-Cookie", cookie);
    if (retry_after) {
        char ra[16];
        snprintf(ra, sizeof ra, "%u", retry_after);
        MHD_add_response_header(r, "Retry-After", ra);
    }
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED && allow && *allow)
        MHD_add_response_header(r, "Allow", allow);
    cx->status = status;
    cx->bytes = n + 1;
    return r;
}

static struct MHD_Response *error_response(conn_ctx *cx, unsigned status, const char *category,
                                           const char *msg)
{
    return json_response(cx, status,
                         json_pack("{s:{s:s,s:s}}", "error", "category", category, "message", msg),
                         NULL, 0, status == MHD_HTTP_METHOD_NOT_ALLOWED ? "GET, HEAD" : NULL);
}

/* Queues r (built for cx) and lets it go. */
static enum MHD_Result queue_answer(struct MHD_Connection *conn, conn_ctx *cx,
                                    struct MHD_Response *r)
{
    if (!r)
        return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(conn, cx->status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Queues a JSON answer; takes ownership of body. */
static enum MHD_Result send_json(struct MHD_Connection *conn, conn_ctx *cx, unsigned status,
                                 json_t *body, const char *cookie, unsigned retry_after,
                                 const char *allow)
{
    return queue_answer(conn, cx, json_response(cx, status, body, cookie, retry_after, allow));
}

static enum MHD_Result send_error(struct MHD_Connection *conn, conn_ctx *cx, unsigned status,
                                  const char *category, const char *msg)
{
    return queue_answer(conn, cx, error_response(cx, status, category, msg));
}

static enum MHD_Result send_asset(struct MHD_Connection *conn, conn_ctx *cx, const web_asset *a)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(a->len, (void *)(uintptr_t)a->data, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", a->type);
    MHD_add_response_header(r, "Cache-Control", "no-cache");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    add_common_headers(r);
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    cx->status = MHD_HTTP_OK;
    cx->bytes = a->len;
    return ret;
}

static const char *query_value(void *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
}

static const char *header_value(void *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static int is_change(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/* The Origin a browser sends must name this host (any scheme we serve). */
static int same_origin(struct MHD_Connection *conn)
{
    const char *origin = header_value(conn, "Origin");
    const char *host = header_value(conn, "Host");
    if (!origin)
        return 1;
    if (!host)
        return 0;
    const char *p = strstr(origin, "://");
    return p && strcmp(p + 3, host) == 0;
}

/*
 * Resolves the caller.  Returns 0 to go on (anonymous or signed in), or
 * the HTTP status of a refusal with its message in msg.
 */
static unsigned authenticate(struct MHD_Connection *conn, api_call *c, char *msg, size_t n)
{
    const char *authz = header_value(conn, "Authorization");
    if (authz) {
        if (strncasecmp(authz, "Bearer ", 7) != 0) {
            snprintf(msg, n, "Authorization must be \"Bearer TOKEN\"");
            return MHD_HTTP_UNAUTHORIZED;
        }
        qtm_status st = qtm_token_auth(c->q, authz + 7, &c->who);
        if (st == QTM_ENOTFOUND) {
            snprintf(msg, n, "unknown or revoked token");
            return MHD_HTTP_UNAUTHORIZED;
        }
        if (st != QTM_OK) {
            snprintf(msg, n, "%s", qtm_errmsg(c->q));
            return api_http_status(st);
        }
        c->signed_in = 1;
        return 0;
    }
    const char *sid = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "qtm_session");
    if (!sid)
        return 0;
    c->sid = sid;
    char *csrf = c->csrf;
    qtm_status st = qtm_session_auth(c->q, sid, &c->who, csrf);
    if (st == QTM_ENOTFOUND)
        return 0;                  /* a stale cookie: anonymous; protected routes say 401 */
    if (st != QTM_OK) {
        snprintf(msg, n, "%s", qtm_errmsg(c->q));
        return api_http_status(st);
    }
    c->signed_in = 1;
    c->via_session = 1;
    /* signing in again needs no CSRF secret: it opens a new session */
    int signing_in = strcmp(c->method, "POST") == 0 && strcmp(c->path, "/api/session") == 0;
    if (is_change(c->method) && !signing_in) {
        const char *sent = header_value(conn, "X-CSRF-Token");
        size_t len = strlen(csrf);
        if (!sent || strlen(sent) != len || sodium_memcmp(sent, csrf, len) != 0) {
            snprintf(msg, n, "missing or wrong CSRF token (X-CSRF-Token)");
            return MHD_HTTP_FORBIDDEN;
        }
        if (!same_origin(conn)) {
            snprintf(msg, n, "cross-site request refused");
            return MHD_HTTP_FORBIDDEN;
        }
    }
    return 0;
}

/* A batch's requests write inside its turn: they take none of their own. */
static void write_none(void)
{
}

/* A stored file's answer, sent from its temp file by the I/O thread
 * (libmicrohttpd closes it); NULL when out of memory. */
static struct MHD_Response *file_response(conn_ctx *cx, api_call *c)
{
    json_decref(c->out);
    struct MHD_Response *r = MHD_create_response_from_fd64((uint64_t)c->file_size, c->file_fd);
    if (!r) {
        close(c->file_fd);
        return NULL;
    }
    MHD_add_response_header(r, "Content-Type", c->file_type);
    MHD_add_response_header(r, "ETag", c->etag);
    MHD_add_response_header(r, "Content-Disposition", c->disposition);
    /* the bytes never change, but who may see them can */
    MHD_add_response_header(r, "Cache-Control", "private, no-cache");
    MHD_add_response_header(r, "Content-Security-Policy", "default-src 'none'; sandbox");
    add_common_headers(r);
    cx->status = c->status;
    cx->bytes = (size_t)c->file_size;
    return r;
}

/* Runs on a database worker while the connection is suspended: the
 * request's headers and arguments stay put until it is resumed.  in_batch:
 * the batch holds the write turn and its transaction is open.  check_only
 * (an upload worker): an upload that passes its check is left in
 * cx->checked, with no answer (NULL), for the writers. */
static struct MHD_Response *answer_api(struct MHD_Connection *conn, conn_ctx *cx,
                                       const char *url, const char *method, int in_batch,
                                       int check_only)
{
    qtm *q = worker_handle();
    if (!q)
        return error_response(cx, MHD_HTTP_INTERNAL_SERVER_ERROR, "storage",
                              "the database cannot be opened");
    api_call c;
    memset(&c, 0, sizeof c);
    c.q = q;
    c.opts = opts;
    c.method = method;
    c.path = url;
    c.body = cx->body ? cx->body : "";
    c.body_len = cx->len;
    c.query = query_value;
    c.header = header_value;
    c.cx = conn;
    c.write_begin = in_batch ? write_none : write_lock;
    c.write_end = in_batch ? write_none : write_unlock;
    c.upload_fd = -1;
    c.file_fd = -1;
    c.check_only = check_only;
    c.checked = cx->checked;
    if (cx->upload && cx->upload_len > 0 && lseek(cx->upload_fd, 0, SEEK_SET) == 0)
        c.upload_fd = cx->upload_fd;
    client_addr(conn, c.client, sizeof c.client);

    if (cx->len > 0 && is_change(method) && !cx->upload) {
        const char *ct = header_value(conn, "Content-Type");
        if (!ct || strncasecmp(ct, "application/json", 16) != 0)
            return error_response(cx, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "invalid input",
                                  "request bodies must be JSON (Content-Type: application/json)");
    }
    char msg[256];
    unsigned refused = authenticate(conn, &c, msg, sizeof msg);
    if (refused)
        return error_response(cx, refused,
                              refused == MHD_HTTP_UNAUTHORIZED ? "unauthorized"
                              : refused == MHD_HTTP_FORBIDDEN  ? "forbidden"
                                                               : "storage",
                              msg);
    if (c.signed_in)
        snprintf(cx->actor, sizeof cx->actor, "%s", c.who.slug);
    api_handle(&c);
    if (check_only && c.checked) {
        cx->checked = c.checked;
        json_decref(c.out);
        return NULL;
    }
    if (cx->checked) {             /* stored (or refused) by the writer: done with it */
        qtm_upload_free(cx->checked);
        cx->checked = NULL;
    }
    if (c.file_fd >= 0)
        return file_response(cx, &c);
    if (!c.out)
        return error_response(cx, MHD_HTTP_INTERNAL_SERVER_ERROR, "storage", "out of memory");
    return json_response(cx, c.status, c.out, c.set_cookie, c.retry_after, c.allow);
}

/* GET /readyz on a reader: {"ready":true} when the database answers this
 * worker's handle now, else 503 with Retry-After and why. */
static struct MHD_Response *answer_ready(conn_ctx *cx)
{
    qtm *q = worker_handle();
    if (q && qtm_ping(q) == QTM_OK)
        return json_response(cx, MHD_HTTP_OK, json_pack("{s:b}", "ready", 1), NULL, 0, NULL);
    char msg[2100];
    snprintf(msg, sizeof msg, "not ready: %s",
             q ? qtm_errmsg(q) : "the database cannot be opened");
    return json_response(cx, MHD_HTTP_SERVICE_UNAVAILABLE,
                         json_pack("{s:{s:s,s:s}}", "error", "category", "storage", "message",
                                   msg),
                         NULL, 1, NULL);
}

/* A database worker's turn: answer, then hand the connection back. */
static void run_api(void *item)
{
    conn_ctx *cx = item;
    cx->resp = cx->ready ? answer_ready(cx)
                         : answer_api(cx->conn, cx, cx->path, cx->http_method, 0, 0);
    MHD_resume_connection(cx->conn);
}

/* An upload worker's turn: the check; a file that passes goes on to the
 * writers (the connection stays suspended), anything else is answered. */
static void run_upload(void *item)
{
    conn_ctx *cx = item;
    cx->resp = answer_api(cx->conn, cx, cx->path, cx->http_method, 0, 1);
    if (cx->checked) {
        if (queue_push(writers, cx) == 0)
            return;
        qtm_upload_free(cx->checked);   /* stopping: nothing was stored */
        cx->checked = NULL;
        cx->resp = error_response(cx, MHD_HTTP_SERVICE_UNAVAILABLE, "storage",
                                  "the server is stopping; try again");
    }
    MHD_resume_connection(cx->conn);
}

/* The writer's turn: the batch's requests, one commit, then every answer.
 * Without a batch (the database refused to start one) each request runs
 * alone and says why itself. */
static void run_batch(void **items, unsigned n)
{
    qtm *q = worker_handle();
    int batched = 0;
    if (q && n > 1) {
        write_lock();
        batched = qtm_batch_begin(q) == QTM_OK;
        if (!batched)
            write_unlock();
    }
    for (unsigned i = 0; i < n; i++) {
        conn_ctx *cx = items[i];
        cx->resp = answer_api(cx->conn, cx, cx->path, cx->http_method, batched, 0);
    }
    if (batched && qtm_batch_end(q, 1) != QTM_OK) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s; nothing of this request was stored: try again",
                 qtm_errmsg(q));
        for (unsigned i = 0; i < n; i++) {
            conn_ctx *cx = items[i];
            if (cx->resp)
                MHD_destroy_response(cx->resp);
            /* a full disk is 507, a busy database 503, for the batch as for
             * one request */
            unsigned retry_after = 0;
            unsigned status = api_fail_status(q, qtm_errcode(q), &retry_after);
            cx->resp = json_response(cx, status,
                                     json_pack("{s:{s:s,s:s}}", "error", "category", "storage",
                                               "message", msg),
                                     NULL, retry_after, NULL);
        }
    }
    if (batched)
        write_unlock();
    for (unsigned i = 0; i < n; i++)
        MHD_resume_connection(((conn_ctx *)items[i])->conn);
}

/* Suspends an /api/ request and queues it for the database workers. */
static enum MHD_Result queue_api(struct MHD_Connection *conn, conn_ctx *cx, const char *url,
                                 const char *method)
{
    cx->conn = conn;
    cx->path = url;
    cx->http_method = method;
    cx->queued = 1;
    MHD_suspend_connection(conn);
    serve_queue *to = cx->ready                          ? readers
                      : cx->upload && is_change(method) ? uploaders
                      : is_change(method)               ? writers
                                                        : readers;
    if (queue_push(to, cx) == 0)
        return MHD_YES;
    /* stopping: nothing was pushed, so the answer is ours to give */
    MHD_resume_connection(conn);
    cx->resp = error_response(cx, MHD_HTTP_SERVICE_UNAVAILABLE, "storage",
                              "the server is stopping; try again");
    return MHD_YES;
}

/* Does this Host name us?  An allowed name without a port matches with
 * the served port or none; one with a port (or an IPv6 literal) matches
 * exactly.  Case does not matter in host names. */
static int host_match(const char *host, const char *name)
{
    size_t n = strlen(name);
    if (strncasecmp(host, name, n) != 0)
        return 0;
    if (!host[n])
        return 1;
    return host[n] == ':' && !strchr(name, ':') && strcmp(host + n + 1, port_str) == 0;
}

/* The listen address, localhost and 127.0.0.1 always; --allowed-host adds.
 * A page on another name that resolves here (DNS rebinding) is refused. */
static int host_allowed(struct MHD_Connection *conn)
{
    const char *host = header_value(conn, "Host");
    if (!host)
        return 1;                  /* HTTP/1.0 (begin_request refuses 1.1 without one) */
    if (host_match(host, opts->host) || host_match(host, "localhost") ||
        host_match(host, "127.0.0.1"))
        return 1;
    for (const char *const *h = opts->allowed_hosts; h && *h; h++)
        if (host_match(host, *h))
            return 1;
    return 0;
}

/* What the head says about itself, from one pass over its fields. */
typedef struct head_scan {
    unsigned lengths, hosts, encodings;
    int bad_name;                  /* a field name that is not a token */
} head_scan;

/* RFC 9110 token characters: a field name with anything else (such as
 * whitespace before the colon, which libmicrohttpd keeps in the name)
 * would be read as another field by a proxy in front. */
static int token_ok(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!strchr("!#$%&'*+-.^_`|~", *s) && !(*s >= '0' && *s <= '9') &&
            !((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z'))
            return 0;
    return 1;
}

static enum MHD_Result scan_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    (void)kind;
    (void)value;
    head_scan *h = cls;
    if (!key || !token_ok(key))
        h->bad_name = 1;
    else if (strcasecmp(key, "Content-Length") == 0)
        h->lengths++;
    else if (strcasecmp(key, "Host") == 0)
        h->hosts++;
    else if (strcasecmp(key, "Transfer-Encoding") == 0)
        h->encodings++;
    return MHD_YES;
}

/* 0 when the head is well formed and its body's length unambiguous (*len,
 * 0 when none is announced), else the status to refuse it with and why.
 * Behind a proxy that reads the framing another way, an ambiguous request
 * smuggles a second one. */
static unsigned head_error(struct MHD_Connection *conn, unsigned long long *len,
                           const char **why)
{
    head_scan h = {0, 0, 0, 0};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, scan_field, &h);
    *len = 0;
    *why = h.bad_name ? "a malformed header field name"
           : h.hosts > 1 ? "more than one Host"
           : h.lengths > 1 ? "more than one Content-Length"
           : h.encodings > 1 ? "more than one Transfer-Encoding"
           : NULL;
    if (*why)
        return MHD_HTTP_BAD_REQUEST;
    const char *cl = header_value(conn, "Content-Length");
    const char *te = header_value(conn, "Transfer-Encoding");
    if (cl && te) {
        *why = "both Content-Length and Transfer-Encoding";
        return MHD_HTTP_BAD_REQUEST;
    }
    /* libmicrohttpd decodes "chunked" alone; any other coding it would
     * read to the end of the stream */
    if (te && strcasecmp(te, "chunked") != 0) {
        *why = "a Transfer-Encoding other than chunked";
        return MHD_HTTP_NOT_IMPLEMENTED;
    }
    if (!cl)
        return 0;
    char *end = NULL;
    errno = 0;
    *len = strtoull(cl, &end, 10);
    if (!*cl || *cl < '0' || *cl > '9' || *end || errno) {
        *why = "an invalid Content-Length";
        return MHD_HTTP_BAD_REQUEST;
    }
    return 0;
}

/* A refusal before the body is read; the connection closes after it. */
static enum MHD_Result refuse_early(struct MHD_Connection *conn, conn_ctx *cx, unsigned status,
                                    const char *category, const char *msg, unsigned retry_after)
{
    cx->answered = 1;
    struct MHD_Response *r = json_response(
        cx, status, json_pack("{s:{s:s,s:s}}", "error", "category", category, "message", msg),
        NULL, retry_after, NULL);
    if (r)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    return queue_answer(conn, cx, r);
}

static int upload_write(conn_ctx *cx, const char *p, size_t n);

/* A multipart part: the first file part's bytes go to the temp file;
 * other fields are ignored (their size still counts toward the limit). */
static enum MHD_Result upload_part(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *filename, const char *content_type,
                                   const char *transfer_encoding, const char *data,
                                   uint64_t off, size_t size)
{
    conn_ctx *cx = cls;
    (void)kind, (void)key, (void)content_type, (void)transfer_encoding;
    if (!filename)                 /* a plain field: not the file */
        return MHD_YES;
    if (off == 0 && ++cx->upload_parts > 1)
        return MHD_YES;            /* one file per upload: the first */
    if (cx->upload_parts > 1 || !size)
        return MHD_YES;
    if (cx->upload_len + size > opts->max_upload) {
        cx->too_large = 1;
        return MHD_YES;
    }
    /* the client's file name is never used: the file is named by its hash */
    if (upload_write(cx, data, size) != 0)
        cx->upload_failed = 1;
    return MHD_YES;
}

/* An upload's head: refuse an announced body over the limit, open the
 * temp file, and a post processor for multipart/form-data. */
static enum MHD_Result begin_upload(struct MHD_Connection *conn, conn_ctx *cx,
                                    unsigned long long len)
{
    char m[96];
    if (len > opts->max_upload) {
        cx->answered = 1;
        snprintf(m, sizeof m, "the file is larger than %zu bytes", opts->max_upload);
        return send_error(conn, cx, MHD_HTTP_CONTENT_TOO_LARGE, "too large", m);
    }
    if ((cx->upload_fd = serve_tmpfd()) < 0) {
        cx->answered = 1;
        return send_error(conn, cx, MHD_HTTP_INTERNAL_SERVER_ERROR, "storage",
                          "cannot make a temporary file for the upload");
    }
    const char *ct = header_value(conn, "Content-Type");
    if (ct && strncasecmp(ct, "multipart/form-data", 19) == 0 &&
        !(cx->pp = MHD_create_post_processor(conn, 64 * 1024, upload_part, cx))) {
        cx->answered = 1;
        return send_error(conn, cx, MHD_HTTP_BAD_REQUEST, "invalid input",
                          "a multipart/form-data body needs its boundary");
    }
    return MHD_YES;
}

/* The first call: the head is in.  Checks what it says before any body. */
static enum MHD_Result begin_request(struct MHD_Connection *conn, conn_ctx *cx,
                                     const char *version)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    cx->slot = ci ? ci->socket_context : NULL;
    atomic_fetch_add(&in_hand, 1);
    unsigned long long len = 0;
    const char *bad = NULL;
    unsigned refused = head_error(conn, &len, &bad);
    char m[96];
    if (refused) {
        snprintf(m, sizeof m, "the request has %s", bad);
        return refuse_early(conn, cx, refused, "invalid input", m, 0);
    }
    if (!header_value(conn, "Host") && strcmp(version, MHD_HTTP_VERSION_1_0) != 0)
        return refuse_early(conn, cx, MHD_HTTP_BAD_REQUEST, "invalid input",
                            "an HTTP/1.1 request needs a Host header", 0);
    if (!host_allowed(conn))
        return refuse_early(conn, cx, MHD_HTTP_MISDIRECTED_REQUEST, "invalid input",
                            "this server does not answer for that Host (see --allowed-host)", 0);
    if (cx->upload)
        return begin_upload(conn, cx, len);
    if (len > opts->max_body) {
        cx->answered = 1;
        snprintf(m, sizeof m, "the request body is larger than %zu bytes", opts->max_body);
        return send_error(conn, cx, MHD_HTTP_CONTENT_TOO_LARGE, "too large", m);
    }
    /* the budget is charged as the body arrives (take_chunk), not from the
     * announced length: a head alone holds nothing */
    return MHD_YES;
}

static void drop_body(conn_ctx *cx)
{
    free(cx->body);
    cx->body = NULL;
    cx->len = cx->cap = 0;
    budget_give(cx->slot, cx->reserved);
    cx->reserved = 0;
}

/* Appends n bytes to the upload's temp file; 0 or -1. */
static int upload_write(conn_ctx *cx, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(cx->upload_fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
        cx->upload_len += (size_t)w;
    }
    return 0;
}

/* An upload's chunk: to the temp file (through the post processor for
 * multipart), counted against max_upload as it streams; past the limit
 * the rest is read and thrown away and the answer is 413. */
static enum MHD_Result upload_chunk(conn_ctx *cx, const char *upload, size_t n)
{
    if (cx->answered || cx->too_large || cx->upload_failed || cx->upload_bad) {
        cx->discarded += n;
        return cx->discarded > 2 * opts->max_upload ? MHD_NO : MHD_YES;
    }
    /* the post processor refuses a part whose headers outgrow its buffer
     * (or a malformed body): the rest is read and the answer is 400, not a
     * dropped connection */
    if (cx->pp && MHD_post_process(cx->pp, upload, n) != MHD_YES)
        cx->upload_bad = 1;
    if (cx->pp)
        return MHD_YES;
    if (cx->upload_len + n > opts->max_upload) {
        cx->too_large = 1;
        return MHD_YES;
    }
    if (upload_write(cx, upload, n) != 0)
        cx->upload_failed = 1;
    return MHD_YES;
}

/* A chunk of body: kept while within max_body and the budget, which it
 * is charged to as it comes; past either, the rest is read and thrown
 * away and the answer (413, 503) comes when the body ends: libmicrohttpd
 * 0.9.75 cannot queue an answer while a body is coming in. */
static enum MHD_Result take_chunk(conn_ctx *cx, const char *upload, size_t n)
{
    if (cx->answered || cx->too_large || cx->over_budget) {
        /* thrown away; a sender that will not stop loses the connection */
        cx->discarded += n;
        return cx->discarded > 2 * opts->max_body ? MHD_NO : MHD_YES;
    }
    if (cx->len + n > opts->max_body) {
        cx->too_large = 1;
        drop_body(cx);
        return MHD_YES;
    }
    if (cx->len + n > cx->reserved) {
        if (!budget_take(cx->slot, cx->len + n - cx->reserved)) {
            cx->over_budget = 1;
            drop_body(cx);
            return MHD_YES;
        }
        cx->reserved = cx->len + n;
    }
    if (cx->len + n + 1 > cx->cap) {
        size_t cap = cx->cap ? cx->cap : 1024;
        while (cap < cx->len + n + 1)
            cap *= 2;
        char *b = realloc(cx->body, cap);
        if (!b)
            return MHD_NO;
        cx->body = b;
        cx->cap = cap;
    }
    memcpy(cx->body + cx->len, upload, n);
    cx->len += n;
    cx->body[cx->len] = '\0';
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    (void)cls;
    conn_ctx *cx = *con_cls;
    if (!cx) {
        cx = calloc(1, sizeof *cx);
        if (!cx)
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &cx->start);
        snprintf(cx->method, sizeof cx->method, "%s", method);
        log_escape(cx->url, sizeof cx->url, url);
        cx->upload_fd = -1;
        cx->upload = strcmp(method, "POST") == 0 && strcmp(url, "/api/uploads") == 0;
        *con_cls = cx;
        return begin_request(conn, cx, version);
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        return cx->upload ? upload_chunk(cx, upload, n) : take_chunk(cx, upload, n);
    }
    if (cx->queued) {              /* resumed: a worker left the answer */
        struct MHD_Response *r = cx->resp;
        cx->resp = NULL;
        cx->queued = 0;
        cx->answered = 1;
        return queue_answer(conn, cx, r);
    }
    if (cx->answered)
        return MHD_YES;
    conn_deadline(cx->slot, 0);    /* the whole request is in */
    if (cx->too_large) {
        char m[96];
        if (cx->upload)
            snprintf(m, sizeof m, "the file is larger than %zu bytes", opts->max_upload);
        else
            snprintf(m, sizeof m, "the request body is larger than %zu bytes", opts->max_body);
        return send_error(conn, cx, MHD_HTTP_CONTENT_TOO_LARGE, "too large", m);
    }
    if (cx->upload_bad)
        return send_error(conn, cx, MHD_HTTP_BAD_REQUEST, "invalid input",
                          "the multipart/form-data body cannot be read: a part's headers are "
                          "larger than 64 KiB, or it is malformed");
    if (cx->upload_failed)
        return send_error(conn, cx, MHD_HTTP_INSUFFICIENT_STORAGE, "storage",
                          "the upload could not be written to a temporary file");
    if (cx->over_budget)
        return send_json(conn, cx, MHD_HTTP_SERVICE_UNAVAILABLE,
                         json_pack("{s:{s:s,s:s}}", "error", "category", "storage", "message",
                                   "the server is receiving too many request bodies; try again"),
                         NULL, 2, NULL);
    if (strcmp(url, "/healthz") == 0)
        return send_json(conn, cx, MHD_HTTP_OK, json_pack("{s:b}", "ok", 1), NULL, 0, NULL);
    if (!utf8_ok(url))
        return send_error(conn, cx, MHD_HTTP_BAD_REQUEST, "invalid input",
                          "the path is not valid UTF-8");
    if (strcmp(url, "/readyz") == 0 && !db_gone) {
        cx->ready = 1;
        return queue_api(conn, cx, url, method);
    }
    if (strcmp(url, "/readyz") == 0)
        return send_json(conn, cx, MHD_HTTP_SERVICE_UNAVAILABLE,
                         json_pack("{s:{s:s,s:s}}", "error", "category", "storage", "message",
                                   "not ready: the database file was removed or replaced; "
                                   "restart qtm serve"),
                         NULL, 1, NULL);
    if (db_gone)
        return send_error(conn, cx, MHD_HTTP_SERVICE_UNAVAILABLE, "storage",
                          "the database file was removed or replaced; restart qtm serve");
    if (strncmp(url, "/api/", 5) == 0)
        return queue_api(conn, cx, url, method);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return send_error(conn, cx, MHD_HTTP_METHOD_NOT_ALLOWED, "usage",
                          "the web desk's files are read with GET");
    const web_asset *a = web_asset_find(url);
    if (!a)
        return send_error(conn, cx, MHD_HTTP_NOT_FOUND, "not found", "no such page");
    return send_asset(conn, cx, a);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    conn_ctx *cx = *con_cls;
    if (!cx)
        return;
    char ip[64];
    client_addr(conn, ip, sizeof ip);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    /* one fprintf per line: stdio locks the stream, so lines never interleave */
    fprintf(stderr, "%s %s %s \"%s %s\" %u %zu %.2fms%s\n", when, ip,
            cx->actor[0] ? cx->actor : "-", cx->method, cx->url, cx->status, cx->bytes,
            ms_since(&cx->start), toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
    /* the next request on this connection has its own deadline (the slot
     * outlives the request: it goes when the connection closes) */
    conn_deadline(cx->slot, 1);
    if (cx->resp)
        MHD_destroy_response(cx->resp);
    if (cx->pp)
        MHD_destroy_post_processor(cx->pp);
    qtm_upload_free(cx->checked);  /* refused on the writer's side before its store */
    if (cx->upload_fd >= 0)
        close(cx->upload_fd);
    drop_body(cx);
    atomic_fetch_sub(&in_hand, 1);
    free(cx);
    *con_cls = NULL;
}

/* The per-address cap (serve_conn.c decides; libmicrohttpd's own limit
 * would refuse the newcomer, so one address could lock out the rest of
 * its own clients with connections that never finish a request). */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    (void)cls;
    (void)addrlen;
    return conn_admit(addr) ? MHD_YES : MHD_NO;
}

/* Each connection's deadline slot lives from its accept to its close. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = ci ? conn_track(ci->connect_fd) : NULL;
    } else {
        conn_untrack(*socket_context);
        *socket_context = NULL;
    }
}

/* --- the checkpointer ------------------------------------------------------
 * Workers never checkpoint on commit (a checkpoint's fsync would land on
 * whichever request happened to cross the threshold); this thread copies
 * the log into the database every CHECKPOINT_MS, waiting for no one, and
 * watches the file.  It also sweeps expired sessions and unreferenced
 * files, which every backend needs: on one that orders its own writers
 * (no log of ours, no file) that is all it does. */
#define CHECKPOINT_MS 100
#define RESTART_PAGES 4096       /* 16 MiB of 4 KiB pages */

static pthread_mutex_t ckpt_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ckpt_cond = PTHREAD_COND_INITIALIZER;
static int ckpt_stop;
static struct stat db_id;          /* the database file as opened */

static void check_db_file(void)
{
    struct stat now;
    if (stat(opts->db, &now) != 0 || now.st_dev != db_id.st_dev || now.st_ino != db_id.st_ino) {
        if (!atomic_exchange(&db_gone, 1))
            fprintf(stderr, "qtm serve: %s was removed or replaced: answering 503; restart "
                            "qtm serve\n", opts->db);  /* a path: no password */
    }
}

/* One checkpoint of the log (SQLite), said at most once a minute when it
 * fails.  Readers are always about under load, so a log that is copied but
 * never restarted would grow without end: past RESTART_PAGES, the
 * checkpoint takes the writers' turn and restarts it (once: the count
 * stays until the next write starts the log over). */
static void checkpoint_tick(qtm *q, int *restarted_at, time_t *said)
{
    int pages = 0;
    check_db_file();
    if (atomic_load(&db_gone))
        return;
    qtm_status st = qtm_checkpoint(q, 0, &pages);
    /* a restart waits for every reader: not for a backup's copy */
    if (st == QTM_OK && pages > RESTART_PAGES && pages != *restarted_at && !backup_busy()) {
        write_lock();
        st = qtm_checkpoint(q, 1, &pages);
        write_unlock();
        *restarted_at = pages;
    }
    if (st != QTM_OK && time(NULL) - *said >= 60) {
        fprintf(stderr, "qtm serve: checkpoint: %s\n", qtm_errmsg(q));
        *said = time(NULL);
    }
}

static void *checkpointer(void *arg)
{
    qtm *q = arg;
    time_t said = 0;
    int restarted_at = -1;
    unsigned ticks = 0, purged = 0;
    pthread_mutex_lock(&ckpt_lock);
    while (!ckpt_stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += CHECKPOINT_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&ckpt_cond, &ckpt_lock, &until);
        pthread_mutex_unlock(&ckpt_lock);
        if (single_writer)         /* a failed checkpoint is retried next time */
            checkpoint_tick(q, &restarted_at, &said);
        /* files nothing references, a day after their last upload: hourly */
        if (!atomic_load(&db_gone) && ticks % (3600u * 1000u / CHECKPOINT_MS) == 1) {
            int64_t removed = 0;
            write_lock();
            if (qtm_blob_gc(q, 24 * 3600, &removed) != QTM_OK)
                fprintf(stderr, "qtm serve: blobs gc: %s\n", qtm_errmsg(q));
            write_unlock();
        }
        /* expired sessions: a bounded batch a second, in the writers' turn */
        if (!atomic_load(&db_gone) && ++ticks % 10 == 0) {
            write_lock();
            qtm_session_purge(q, 500, &purged);
            write_unlock();
        }
        pthread_mutex_lock(&ckpt_lock);
    }
    pthread_mutex_unlock(&ckpt_lock);
    return NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && line[n - 1] == '\n')
        line[--n] = '\0';
    fprintf(stderr, "qtm serve: %s\n", line);
}

/* Descriptors besides connections: stdio and the log, the listening
 * socket, each I/O thread's epoll and wake-up descriptors, and up to four
 * files (database, -wal, -shm, a temporary) for each libqtm handle: every
 * reader's and writer's, and the checkpointer's; and the backup thread's
 * (its handle, the copy and its journal, the copy opened to verify). */
static unsigned fd_reserve(unsigned threads)
{
    return 8 + 2 * threads + 4 * (2 * threads + 1) + 10;
}

#define MIN_CONNECTIONS 8

/* Fits the connection limit to RLIMIT_NOFILE (raising the soft limit
 * toward the hard one first): past it, accept() fails and the server
 * stops taking connections until some close.  -1 when too low to serve. */
static int fit_conn_limit(serve_opts *o)
{
    unsigned reserve = fd_reserve(o->threads);
    rlim_t want = (rlim_t)o->conn_limit + reserve;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 0;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        struct rlimit up = rl;
        up.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
        if (setrlimit(RLIMIT_NOFILE, &up) == 0)
            rl = up;
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        if (rl.rlim_cur < (rlim_t)reserve + MIN_CONNECTIONS) {
            fprintf(stderr,
                    "qtm: error: only %llu file descriptors (ulimit -n); qtm serve needs at "
                    "least %u (%u of its own and %u connections): raise the limit\n",
                    (unsigned long long)rl.rlim_cur, reserve + MIN_CONNECTIONS, reserve,
                    MIN_CONNECTIONS);
            return -1;
        }
        o->conn_limit = (unsigned)(rl.rlim_cur - reserve);
    }
    /* one address may hold at most half the connections: the rest stay
     * for everyone else */
    if (o->per_ip > o->conn_limit / 2)
        o->per_ip = o->conn_limit / 2;
    return 0;
}

/* Joins the workers (their handles close); the queues stay, refusing
 * pushes, for as long as an I/O thread may still make one. */
static void stop_workers(void)
{
    queue_stop(uploaders);         /* they hand checked files to the writers: first */
    queue_stop(writers);
    queue_stop(readers);
}

/* Only once no I/O thread runs: queue_api pushes until MHD_stop_daemon
 * has returned. */
static void free_workers(void)
{
    queue_free(uploaders);
    queue_free(writers);
    queue_free(readers);
    writers = readers = uploaders = NULL;
}

/* Stops in order: no new connections; every queued request answered (its
 * connection resumed); a moment for those answers to leave, while a
 * request completed now is refused by its queue (503); then the daemon,
 * which must have no connection suspended; then the queues. */
static void stop_serving(struct MHD_Daemon *d)
{
    MHD_quiesce_daemon(d);
    stop_workers();
    int left = atomic_load(&in_hand);
    if (left > 0)
        fprintf(stderr, "qtm serve: queued requests done; waiting up to 1 s for %d in hand "
                        "(a request completed now is answered 503)\n", left);
    for (int i = 0; i < 100 && atomic_load(&in_hand) > 0; i++)
        nanosleep(&(struct timespec){0, 10 * 1000000L}, NULL);
    MHD_stop_daemon(d);
    free_workers();
    conn_stop();
}

/* libmicrohttpd for o on sa: I/O threads only (API calls are suspended and
 * queued), our own accept check (per-address cap) and connection hooks. */
static struct MHD_Daemon *start_daemon(const serve_opts *o, struct sockaddr_in *sa)
{
    return MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0, on_accept, NULL,
        on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)o->threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int)o->conn_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)o->timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_END);
}

/* The start line, on standard output once the port is known (port 0 picks
 * one): scripts read the port from it. */
static void announce(struct MHD_Daemon *d, const serve_opts *o, const char *db_label)
{
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = di ? (unsigned)di->port : o->port;
    if (!o->port)                  /* before anyone is told the port */
        snprintf(port_str, sizeof port_str, "%u", port);
    printf("qtm serve: listening on http://%s:%u/ (%u threads, %u connections, %u per address, "
           "database %s, durability %s)\n",
           o->host, port, o->threads, o->conn_limit, o->per_ip, db_label,
           o->relaxed ? "relaxed: commits not fsynced" : "full: group commit, fsync before answer");
    fflush(stdout);
}

static void checkpointer_stop(pthread_t t)
{
    pthread_mutex_lock(&ckpt_lock);
    ckpt_stop = 1;
    pthread_cond_signal(&ckpt_cond);
    pthread_mutex_unlock(&ckpt_lock);
    pthread_join(t, NULL);
}

/* The database connections one qtm serve holds at most: a handle for each
 * worker (readers, uploaders, the writer) and the checkpointer's. */
static unsigned connections_each(const serve_opts *o)
{
    return 2 * o->threads + 1 + 1;
}

/* The connection budget of a database server (PostgreSQL; a backend with
 * no such thing, SQLite, is skipped): o->servers processes like this one,
 * and 5 to spare for the qtm command and the administrator, must fit the
 * connections it admits.  0 to go on; else the exit status, said. */
static int check_budget(qtm *q, const serve_opts *o)
{
    int max, used;
    qtm_status st = qtm_connections(q, &max, &used);
    if (st == QTM_EUSAGE)
        return 0;
    if (st != QTM_OK) {
        fprintf(stderr, "qtm: error: cannot count the database's connections: %s\n",
                qtm_errmsg(q));
        return QTM_ESTORAGE;
    }
    unsigned servers = o->servers ? o->servers : 1;
    unsigned long need = (unsigned long)servers * connections_each(o) + 5;
    fprintf(stderr, "qtm serve: connections: need %lu of %d (%d in use)\n", need, max, used);
    if (max >= 0 && need <= (unsigned long)max)
        return 0;
    fprintf(stderr, "qtm: error: %u server%s of %u threads need %lu database connections "
            "(%u each, and 5 spare) but the database admits %d: lower --threads or --servers, "
            "or raise max_connections\n", servers, servers == 1 ? "" : "s", o->threads, need,
            connections_each(o), max);
    return QTM_EUSAGE;
}

/* What the database decides for the whole run (before any worker starts):
 * who orders the writers, the connection budget, backups.  0 to go on. */
static int fit_database(qtm *q, const serve_opts *o)
{
    single_writer = qtm_single_writer(q);
    if (!single_writer && o->backup_dir) {
        fprintf(stderr, "qtm: error: --backup-dir copies an SQLite file; back %s up with the "
                "server's own tools (pg_dump, pg_basebackup)\n", qtm_db_label(q));
        return QTM_EUSAGE;
    }
    return check_budget(q, o);
}

int serve_run(const serve_opts *o)
{
    static serve_opts run_opts;
    run_opts = *o;
    if (fit_conn_limit(&run_opts) != 0)
        return QTM_ESTORAGE;
    o = opts = &run_opts;
    /* open here first: checks the database and initialises SQLite before
     * any worker exists; this handle then serves the checkpointer */
    qtm *ckq = NULL;
    if (qtm_open(o->db, 0, &ckq) != QTM_OK) {
        fprintf(stderr, "qtm: error: %s\n", ckq ? qtm_errmsg(ckq) : "out of memory");
        qtm_close(ckq);
        return QTM_ESTORAGE;
    }
    int rc = fit_database(ckq, o);
    if (rc != 0) {
        qtm_close(ckq);
        return rc;
    }

    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)o->port);
    if (inet_pton(AF_INET, o->host, &sa.sin_addr) != 1) {
        fprintf(stderr, "qtm: error: --listen wants an IPv4 address and port, not '%s'\n",
                o->host);
        qtm_close(ckq);
        return QTM_EUSAGE;
    }
    if (pthread_key_create(&handle_key, handle_free) != 0) {
        fprintf(stderr, "qtm: error: cannot create the worker key\n");
        qtm_close(ckq);
        return QTM_ESTORAGE;
    }
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);   /* inherited by every worker */
    signal(SIGPIPE, SIG_IGN);

    snprintf(port_str, sizeof port_str, "%u", o->port);
    readers = queue_start(o->threads, run_api);
    writers = queue_start_batch(1, run_batch, BATCH_MAX, BATCH_WAIT_US);
    uploaders = queue_start(o->threads, run_upload);
    if (!readers || !writers || !uploaders ||
        conn_start(o->request_timeout, o->per_ip, o->max_body, o->max_buffered) != 0) {
        fprintf(stderr, "qtm: error: cannot start the worker threads\n");
        free_workers();
        conn_stop();
        pthread_key_delete(handle_key);
        qtm_close(ckq);
        return QTM_ESTORAGE;
    }
    struct MHD_Daemon *d = start_daemon(o, &sa);
    if (!d) {
        fprintf(stderr, "qtm: error: cannot listen on %s:%u: %s\n", o->host, o->port,
                strerror(errno ? errno : EADDRINUSE));
        free_workers();
        conn_stop();
        pthread_key_delete(handle_key);
        qtm_close(ckq);
        return QTM_ESTORAGE;
    }
    if (single_writer && stat(o->db, &db_id) != 0)
        memset(&db_id, 0, sizeof db_id);
    if (backup_start(o) != 0) {
        stop_serving(d);
        pthread_key_delete(handle_key);
        qtm_close(ckq);
        return QTM_ESTORAGE;
    }
    pthread_t ckpt;
    int have_ckpt = pthread_create(&ckpt, NULL, checkpointer, ckq) == 0;
    if (!have_ckpt)
        fprintf(stderr, "qtm serve: no checkpointer thread; the log grows until restart\n");
    announce(d, o, qtm_db_label(ckq));

    int sig = 0;
    while (sigwait(&sigs, &sig) != 0)
        ;
    fprintf(stderr, "qtm serve: %s: finishing requests in hand\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    stop_serving(d);
    backup_stop();
    pthread_key_delete(handle_key);
    if (have_ckpt)
        checkpointer_stop(ckpt);
    int pages;
    if (single_writer)
        qtm_checkpoint(ckq, 1, &pages);
    qtm_close(ckq);
    fprintf(stderr, "qtm serve: stopped\n");
    return 0;
}
