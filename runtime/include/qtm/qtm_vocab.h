/*
 * qtm_vocab.h - every word list of the runtime, typed once (public).
 *
 * Each list is an X-macro LIST(X, SEP): X(NAME, "word") per entry, SEP
 * between entries.  From it come the enum (QTM_ENUM_X), the name table
 * (vocab.c), the SQL CHECK text of the schema (QTM_SQL_X with SEP ","),
 * the usage text of the `qtm` command (QTM_WORD_X with SEP "|") and the
 * web desk's vocab.js (tools/gen_vocab.c).  The order is the enum's value:
 * append only (field types and conditions are stored in compiled tables).
 */
#ifndef QTM_VOCAB_H
#define QTM_VOCAB_H

/* The length of an array (not a pointer); an embedder's own wins. */
#ifndef countof
#define countof(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* Who an actor is (actors.role). */
#define QTM_ROLES(X, SEP) \
    X(ADMIN, "admin") SEP X(OPERATOR, "operator") SEP X(VENDOR, "vendor") SEP X(CLIENT, "client")
/* What an actor may do (actors.access): limited may view, not change. */
#define QTM_ACCESS_STATES(X, SEP) \
    X(ACTIVE, "active") SEP X(LIMITED, "limited") SEP X(SUSPENDED, "suspended")
/* A job's state (jobs.state): queued (no owner), active (claimed), complete
 * (`job complete`), ready (its ServiceEvent is final: `job complete` is
 * next), cancelled (`job cancel` before the claim: no record, ever). */
#define QTM_JOB_STATES(X, SEP)                                                          \
    X(QUEUED, "queued") SEP X(ACTIVE, "active") SEP X(COMPLETE, "complete") SEP          \
    X(READY, "ready") SEP X(CANCELLED, "cancelled")
/* A governance task's state (tasks.state). */
#define QTM_TASK_STATES(X, SEP)                                                         \
    X(REVIEW, "review") SEP X(APPROVED, "approved") SEP X(ASSIGNED, "assigned") SEP      \
    X(REJECTED, "rejected") SEP X(CLOSED, "closed")
/* How a payment was made (payments.method). */
#define QTM_PAY_METHODS(X, SEP)                                                         \
    X(CASH, "cash") SEP X(ZELLE, "zelle") SEP X(VENMO, "venmo") SEP X(CARD, "card") SEP  \
    X(WIRE, "wire") SEP X(OTHER, "other")
/* A settlement's status (settlements.status). */
#define QTM_SETTLEMENT_STATES(X, SEP) \
    X(UNPAID, "unpaid") SEP X(PARTIAL, "partial") SEP X(PAID, "paid") SEP X(WAIVED, "waived")
/* An intake field's type (qtm_field.type): text is UTF-8 of at most max_len
 * bytes, email local@domain, phone digits, spaces and + - ( ) ., date
 * YYYY-MM-DD, time HH:MM, one_of (QTM_FIELD_CHOICE) one of `choices`. */
#define QTM_FIELD_TYPES(X, SEP)                                                          \
    X(TEXT, "text") SEP X(EMAIL, "email") SEP X(PHONE, "phone") SEP X(INTEGER, "integer") \
    SEP X(NUMBER, "number") SEP X(BOOLEAN, "boolean") SEP X(DATE, "date") SEP              \
    X(TIME, "time") SEP X(CHOICE, "one_of")
/* What a transition `requires` (bit QTM_REQ_NAME = 1 << QTM_COND_NAME);
 * reason: the actor gives a free-text reason with the event. */
#define QTM_CONDITIONS(X, SEP)                                                         \
    X(EVIDENCE, "evidence") SEP X(PAYMENT, "payment") SEP X(PARTICIPANTS, "participants") \
    SEP X(REASON, "reason")

/* What a stored file is, detected from its bytes (blobs.type holds its
 * MIME type); a surface accepts a set of them for photos and evidence. */
#define QTM_FILE_TYPES(X, SEP) \
    X(JPEG, "jpeg") SEP X(PNG, "png") SEP X(WEBP, "webp") SEP X(HEIC, "heic") SEP X(PDF, "pdf")

#define QTM_NOSEP
#define QTM_WORD_X(e, w) w
#define QTM_SQL_X(e, w) "'" w "'"

typedef enum qtm_role {
#define QTM_ENUM_X(e, w) QTM_ROLE_##e,
    QTM_ROLES(QTM_ENUM_X, QTM_NOSEP)
#undef QTM_ENUM_X
    QTM_ROLE_UNKNOWN               /* not a role: refused at the edge */
} qtm_role;

typedef enum qtm_access_state {
#define QTM_ENUM_X(e, w) QTM_ACCESS_##e,
    QTM_ACCESS_STATES(QTM_ENUM_X, QTM_NOSEP)
#undef QTM_ENUM_X
    QTM_ACCESS_UNKNOWN
} qtm_access_state;

typedef enum qtm_job_state {
#define QTM_ENUM_X(e, w) QTM_JOB_##e,
    QTM_JOB_STATES(QTM_ENUM_X, QTM_NOSEP)
#undef QTM_ENUM_X
    QTM_JOB_UNKNOWN
} qtm_job_state;

typedef enum qtm_task_state {
#define QTM_ENUM_X(e, w) QTM_TASK_##e,
    QTM_TASK_STATES(QTM_ENUM_X, QTM_NOSEP)
#undef QTM_ENUM_X
    QTM_TASK_UNKNOWN
} qtm_task_state;

typedef enum qtm_pay_method {
#define QTM_ENUM_X(e, w) QTM_METHOD_##e,
    QTM_PAY_METHODS(QTM_ENUM_X, QTM_NOSEP)
#undef QTM_ENUM_X
    QTM_METHOD_UNKNOWN
} qtm_pay_method;

typedef enum qtm_settlement_state {
#define QTM_ENUM_X(e, w) QTM_SETTLEMENT_##e,
    QTM_SETTLEMENT_STATES(QTM_ENUM_X, QTM_NOSEP)
#undef QTM_ENUM_X
    QTM_SETTLEMENT_UNKNOWN
} qtm_settlement_state;

typedef enum qtm_field_type {
#define QTM_ENUM_X(e, w) QTM_FIELD_##e,
    QTM_FIELD_TYPES(QTM_ENUM_X, QTM_NOSEP)
#undef QTM_ENUM_X
    QTM_FIELD_NTYPES
} qtm_field_type;

typedef enum qtm_condition {
#define QTM_ENUM_X(e, w) QTM_COND_##e,
    QTM_CONDITIONS(QTM_ENUM_X, QTM_NOSEP)
#undef QTM_ENUM_X
    QTM_COND_COUNT
} qtm_condition;

typedef enum qtm_file_type {
#define QTM_ENUM_X(e, w) QTM_FILE_##e,
    QTM_FILE_TYPES(QTM_ENUM_X, QTM_NOSEP)
#undef QTM_ENUM_X
    QTM_FILE_UNKNOWN
} qtm_file_type;

/* Condition bits of qtm_transition.requires. */
enum {
#define QTM_ENUM_X(e, w) QTM_REQ_##e = 1u << QTM_COND_##e,
    QTM_CONDITIONS(QTM_ENUM_X, QTM_NOSEP)
#undef QTM_ENUM_X
};

/* The name tables (libqtm's vocab.c), indexed by the enums above. */
extern const char *const qtm_role_names[];
extern const char *const qtm_access_state_names[];
extern const char *const qtm_job_state_names[];
extern const char *const qtm_task_state_names[];
extern const char *const qtm_pay_method_names[];
extern const char *const qtm_settlement_state_names[];
extern const char *const qtm_field_type_names[];
extern const char *const qtm_condition_names[];
extern const char *const qtm_file_type_names[];

/* The enum value of word in a name table of n entries; n if absent (the
 * list's UNKNOWN).  word NULL is absent. */
unsigned qtm_vocab_find(const char *const *names, unsigned n, const char *word);
/* The word of value v in a name table of n entries; "unknown" past it. */
const char *qtm_vocab_name(const char *const *names, unsigned n, unsigned v);

#endif
