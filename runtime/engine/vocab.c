/*
 * vocab.c - the name tables of qtm_vocab.h's lists, one per list, each
 * indexed by its enum.  The strings live only here, in the schema's CHECK
 * text and in the generated web vocabulary, all made from the same lists.
 */
#include "qtm_int.h"

#include <string.h>

#define NAME_X(e, w) w,
const char *const qtm_role_names[] = {QTM_ROLES(NAME_X, QTM_NOSEP)};
const char *const qtm_access_state_names[] = {QTM_ACCESS_STATES(NAME_X, QTM_NOSEP)};
const char *const qtm_job_state_names[] = {QTM_JOB_STATES(NAME_X, QTM_NOSEP)};
const char *const qtm_task_state_names[] = {QTM_TASK_STATES(NAME_X, QTM_NOSEP)};
const char *const qtm_pay_method_names[] = {QTM_PAY_METHODS(NAME_X, QTM_NOSEP)};
const char *const qtm_settlement_state_names[] = {QTM_SETTLEMENT_STATES(NAME_X, QTM_NOSEP)};
const char *const qtm_field_type_names[] = {QTM_FIELD_TYPES(NAME_X, QTM_NOSEP)};
const char *const qtm_condition_names[] = {QTM_CONDITIONS(NAME_X, QTM_NOSEP)};
const char *const qtm_file_type_names[] = {QTM_FILE_TYPES(NAME_X, QTM_NOSEP)};
#undef NAME_X

/* Each table has one name per enum value before its UNKNOWN (or count). */
#define LEN_X(e, w) +1
_Static_assert(QTM_ROLE_UNKNOWN == 0 QTM_ROLES(LEN_X, QTM_NOSEP), "roles");
_Static_assert(QTM_ACCESS_UNKNOWN == 0 QTM_ACCESS_STATES(LEN_X, QTM_NOSEP), "access states");
_Static_assert(QTM_JOB_UNKNOWN == 0 QTM_JOB_STATES(LEN_X, QTM_NOSEP), "job states");
_Static_assert(QTM_TASK_UNKNOWN == 0 QTM_TASK_STATES(LEN_X, QTM_NOSEP), "task states");
_Static_assert(QTM_METHOD_UNKNOWN == 0 QTM_PAY_METHODS(LEN_X, QTM_NOSEP), "methods");
_Static_assert(QTM_SETTLEMENT_UNKNOWN == 0 QTM_SETTLEMENT_STATES(LEN_X, QTM_NOSEP), "status");
_Static_assert(QTM_FIELD_NTYPES == 0 QTM_FIELD_TYPES(LEN_X, QTM_NOSEP), "field types");
_Static_assert(QTM_COND_COUNT == 0 QTM_CONDITIONS(LEN_X, QTM_NOSEP), "conditions");
_Static_assert(QTM_FILE_UNKNOWN == 0 QTM_FILE_TYPES(LEN_X, QTM_NOSEP), "file types");
#undef LEN_X
/* the condition bits fit qtm_transition.requires (uint8_t) */
_Static_assert(QTM_COND_COUNT <= 8, "requires is 8 bits");
/* the compiled tables store these values: the first and last must not move */
_Static_assert(QTM_FIELD_TEXT == 0 && QTM_FIELD_CHOICE == 8, "field type values are ABI");

unsigned qtm_vocab_find(const char *const *names, unsigned n, const char *word)
{
    for (unsigned i = 0; word && i < n; i++)
        if (strcmp(names[i], word) == 0)
            return i;
    return n;
}

const char *qtm_vocab_name(const char *const *names, unsigned n, unsigned v)
{
    return v < n ? names[v] : "unknown";
}

const char *qtmi_role_word(qtm_role r)
{
    return qtm_vocab_name(qtm_role_names, QTM_ROLE_UNKNOWN, r);
}

const char *qtmi_access_word(qtm_access_state s)
{
    return qtm_vocab_name(qtm_access_state_names, QTM_ACCESS_UNKNOWN, s);
}

const char *qtmi_job_word(qtm_job_state s)
{
    return qtm_vocab_name(qtm_job_state_names, QTM_JOB_UNKNOWN, s);
}
