/*
 * serve.h - `qtm serve`: the HTTP face of libqtm (internal to the qtm command).
 *
 * serve.c owns the daemon (libmicrohttpd's I/O threads, and database
 * workers fed by serve_queue.c, one libqtm handle and so one SQLite
 * connection each), reads bodies within limits, resolves who is calling,
 * guards cookie sessions against cross-site requests and writes the access
 * log.  serve_conn.c holds the request deadlines, the per-address cap and
 * the body budget.
 * serve_api.c maps routes to libqtm calls and never touches HTTP.
 * serve_static.c serves the web desk compiled into the binary.  The API holds no state of its own: every
 * answer comes from the database through libqtm, so N workers agree.
 */
#ifndef QTM_SERVE_H
#define QTM_SERVE_H

#include <stddef.h>

#include <jansson.h>

#include "qtm/qtm.h"

typedef struct serve_opts {
    const char *db;                /* database path or URI (printed: qtm_db_label) */
    const char *host;              /* IPv4 address to listen on */
    unsigned port;                 /* 0: any free port (printed at start) */
    unsigned threads;              /* worker threads, each with its own connection */
    unsigned conn_limit;           /* open connections in all */
    unsigned per_ip;               /* open connections per client address */
    unsigned timeout;              /* seconds of silence before a connection is closed */
    size_t max_body;               /* bytes of request body */
    size_t max_upload;             /* bytes of one file upload (POST /api/uploads) */
    unsigned intake_rate;          /* public intake: requests per minute per address */
    unsigned intake_burst;         /* ... and how many may come at once */
    unsigned session_ttl;          /* seconds a web session lives */
    unsigned request_timeout;      /* seconds to deliver a whole request, head and body */
    size_t max_buffered;           /* bytes of incomplete bodies, all connections together */
    const char *const *allowed_hosts;  /* Host names accepted besides the defaults; NULL-ended */
    const char *backup_dir;        /* NULL: no backups; else a backup every backup_every s */
    unsigned backup_every;         /* seconds between two backups */
    unsigned backup_keep;          /* backups kept in backup_dir, newest first */
    int relaxed;                   /* commits are not fsynced (throwaway databases) */
    unsigned upload_rate;          /* signed-in uploads per minute per address (0: no limit) */
    unsigned upload_burst;         /* ... and how many may come at once */
    uint64_t max_unreferenced;     /* bytes of files nothing references, in all (0: no cap) */
    unsigned servers;              /* qtm serve processes sharing the database (their
                                      connections are budgeted together); 0 counts as 1 */
} serve_opts;

/* Runs until SIGINT or SIGTERM; returns the process exit status. */
int serve_run(const serve_opts *o);

/* Auth a route needs. */
typedef enum api_auth {
    AUTH_PUBLIC,                   /* anyone, signed in or not */
    AUTH_ANY,                      /* any signed-in actor */
    AUTH_STAFF,                    /* admin or operator */
    AUTH_ADMIN                     /* admin */
} api_auth;

/* One API call as serve_api.c sees it: input, and the answer it fills. */
typedef struct api_call {
    qtm *q;                        /* this worker's handle */
    const serve_opts *opts;
    const char *method;
    const char *path;              /* the URL path, starting "/api/" */
    const char *body;              /* NUL-terminated; "" when none */
    size_t body_len;
    int upload_fd;                 /* POST /api/uploads: the file, in an unlinked temp file
                                      (its raw body, or a multipart body's file part); -1 */
    /* POST /api/uploads in two steps, so that the file work never holds the
     * write turn: with check_only (an upload worker) the rate limit and the
     * check run and a file that passes is left in checked (the caller's to
     * pass on; no answer is set); then, with checked set (the writer, in its
     * batch), only the store.  Neither: both at once. */
    int check_only;
    qtm_upload *checked;
    const char *(*query)(void *cx, const char *name);   /* ?name=value, or NULL */
    const char *(*header)(void *cx, const char *name);  /* request header, or NULL */
    void *cx;
    void (*write_begin)(void);     /* takes this server's turn to write... */
    void (*write_end)(void);       /* ... and gives it back */
    int signed_in;                 /* who is valid */
    qtm_principal who;
    int via_session;               /* signed in with the cookie (not a bearer token) */
    const char *sid;               /* the qtm_session cookie as parsed, or NULL */
    char csrf[QTM_SECRET_LEN];     /* that session's CSRF secret */
    char client[64];               /* client address, for rate limits */

    unsigned status;               /* the answer: HTTP status */
    json_t *out;                   /* ... and its JSON body (owned) */
    char set_cookie[160];          /* ... and a Set-Cookie value, if any */
    char allow[32];                /* ... and, with 405, the methods the path takes */
    unsigned retry_after;          /* ... seconds, with 429, or 503 when busy */
    /* ... or, when file_fd >= 0 (a stored file: GET /api/blobs/HEX), its
     * bytes from offset 0 (the server closes it) instead of JSON */
    int file_fd;
    int64_t file_size;
    char file_type[64];
    char etag[80];
    char disposition[128];
} api_call;

/* An unlinked temporary file ($TMPDIR, else /tmp) open read-write, or -1. */
int serve_tmpfd(void);

/* Answers one /api/ call.  Never fails: errors are answers too. */
void api_handle(api_call *c);
/* Sets an error answer {"error":{"category","message"}}. */
void api_error(api_call *c, unsigned status, const char *category, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The HTTP status for a libqtm status. */
unsigned api_http_status(qtm_status st);
/* The HTTP status for a call that failed with st on q: 507 for a full
 * disk, 503 for a busy database (and *retry_after 1: a try a moment later
 * may pass), else api_http_status's. */
unsigned api_fail_status(const qtm *q, qtm_status st, unsigned *retry_after);

/* The database work queue (serve_queue.c): threads workers run each
 * pushed item with run(item), in order.  queue_push fails (-1) once the
 * queue is stopping; queue_stop runs what was pushed, then joins, and
 * leaves the queue refusing pushes; queue_free (stopping it first if need
 * be) frees it, once nothing can push any more. */
typedef struct serve_queue serve_queue;
serve_queue *queue_start(unsigned threads, void (*run)(void *item));
/* The same with batches: a worker takes every item waiting (up to max,
 * waiting at most wait_us for more once it has one) and runs them with
 * run_batch(items, n), in push order. */
serve_queue *queue_start_batch(unsigned threads, void (*run_batch)(void **items, unsigned n),
                               unsigned max, unsigned wait_us);
int queue_push(serve_queue *q, void *item);
void queue_stop(serve_queue *q);
void queue_free(serve_queue *q);

/* Request deadlines, the per-address cap and the body budget
 * (serve_conn.c).  conn_track gives an open connection its slot, its
 * deadline armed; conn_deadline arms it again (a request may start) or
 * clears it (the request is in hand); conn_untrack must come before the
 * descriptor is closed.  conn_admit is the accept policy: 1 to accept a
 * connection from sa (perhaps evicting one of that address's waiting
 * connections), 0 to refuse it.  budget_take charges n bytes of body
 * buffered on slot s's connection (0: over the budget, in all or for its
 * address); budget_give returns them. */
typedef struct conn_slot conn_slot;
struct sockaddr;
int conn_start(unsigned request_timeout, unsigned per_ip, size_t max_body, size_t max_buffered);
void conn_stop(void);
conn_slot *conn_track(int fd);
void conn_untrack(conn_slot *s);
void conn_deadline(conn_slot *s, int armed);
int conn_admit(const struct sockaddr *sa);
int budget_take(conn_slot *s, size_t n);
void budget_give(conn_slot *s, size_t n);

/* Public intake rate limit: 0 when this address may submit now, else the
 * seconds to wait.  Thread-safe. */
unsigned rate_take(const serve_opts *o, const char *client);
/* The same for signed-in uploads (upload_rate, upload_burst), a table of
 * its own: 0, or the seconds to wait. */
unsigned rate_take_upload(const serve_opts *o, const char *client);

/* Periodic backups (serve_backup.c): backup_start starts their thread when
 * o->backup_dir is set (-1, message printed, if it cannot); backup_stop
 * lets a backup in progress finish and joins it.  backup_busy: a copy is
 * reading now (a checkpoint that waits for readers would wait for it). */
int backup_start(const serve_opts *o);
void backup_stop(void);
int backup_busy(void);

/* The web desk, compiled in: the asset at path ("/" is "/index.html"). */
typedef struct web_asset {
    const char *path;              /* "/index.html" */
    const char *type;              /* Content-Type */
    const unsigned char *data;
    size_t len;
} web_asset;
const web_asset *web_asset_find(const char *path);

#endif
