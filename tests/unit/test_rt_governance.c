/*
 * test_rt_governance.c - libqtm's governance layer against a real SQLite
 * file: actors (add, duplicates, roles, slugs, access states, list),
 * request submission (validation, unknown and planned surfaces,
 * idempotency keys) and the admin task verbs (approve, reject, assign,
 * close), including that none of them creates executable work.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_fixture.h"

/* --- actors ------------------------------------------------------------------ */

static void test_actor_add_and_list(void **state)
{
    rt_fx *f = *state;
    json_t *a = NULL;

    OK(qtm_actor_add(f->q, "ana", "operator", "Ana Morales"));
    char stamp[32];
    memcpy(stamp, f->now, sizeof stamp);
    OK(qtm_actor_add(f->q, "ada", "admin", NULL));
    OK(qtm_actor_add(f->q, "vic", "vendor", ""));
    OK(qtm_actor_add(f->q, "cli", "client", "Client"));
    OK(qtm_actor_list(f->q, &a));
    assert_int_equal(json_array_size(a), 4);
    /* by id (the order they were added), the key the list pages on */
    assert_string_equal(rt_js(json_array_get(a, 0), "slug"), "ana");
    assert_string_equal(rt_js(json_array_get(a, 1), "slug"), "ada");
    assert_string_equal(rt_js(json_array_get(a, 2), "slug"), "vic");
    assert_string_equal(rt_js(json_array_get(a, 3), "slug"), "cli");
    assert_true(rt_ji(json_array_get(a, 0), "id") < rt_ji(json_array_get(a, 1), "id"));
    json_t *ana = json_array_get(a, 0);
    assert_string_equal(rt_js(ana, "name"), "Ana Morales");
    assert_string_equal(rt_js(ana, "role"), "operator");
    assert_string_equal(rt_js(ana, "access"), "active");
    assert_string_equal(rt_js(ana, "created_at"), stamp);
    /* no name: the slug stands in */
    assert_string_equal(rt_js(json_array_get(a, 1), "name"), "ada");
    assert_string_equal(rt_js(json_array_get(a, 2), "name"), "vic");
    assert_string_equal(rt_js(json_array_get(a, 1), "role"), "admin");
    json_decref(a);
}

static void test_actor_add_is_audited(void **state)
{
    rt_fx *f = *state;
    OK(qtm_actor_add(f->q, "ana", "operator", NULL));
    char stamp[32];
    memcpy(stamp, f->now, sizeof stamp);
    assert_int_equal(rt_log_len(f, 0), 1);
    json_t *row = rt_log_last(f);
    assert_string_equal(rt_js(row, "entity"), "actor");
    assert_string_equal(rt_js(row, "action"), "add");
    assert_string_equal(rt_js(row, "to"), "operator");
    assert_true(json_is_null(json_object_get(row, "actor")));
    assert_string_equal(rt_js(row, "at"), stamp);
    json_decref(row);
}

static void test_actor_duplicate_conflict(void **state)
{
    rt_fx *f = *state;
    OK(qtm_actor_add(f->q, "ana", "operator", NULL));
    EXPECT_EXACT(QTM_ECONFLICT, "actor 'ana' already exists",
                 qtm_actor_add(f->q, "ana", "operator", NULL));
    /* another role does not make it another actor */
    UNCHANGED(QTM_ECONFLICT, qtm_actor_add(f->q, "ana", "admin", "Someone else"));
    json_t *a = NULL;
    OK(qtm_actor_list(f->q, &a));
    assert_int_equal(json_array_size(a), 1);
    assert_string_equal(rt_js(json_array_get(a, 0), "role"), "operator");
    json_decref(a);
    assert_int_equal(rt_log_len(f, 0), 1);
}

static void test_actor_bad_role(void **state)
{
    rt_fx *f = *state;
    EXPECT_MSG(QTM_EINVALID, "unknown role 'boss'", qtm_actor_add(f->q, "ana", "boss", NULL));
    EXPECT(QTM_EINVALID, qtm_actor_add(f->q, "ana", "Operator", NULL));
    EXPECT(QTM_EINVALID, qtm_actor_add(f->q, "ana", "staff", NULL));
    EXPECT(QTM_EINVALID, qtm_actor_add(f->q, "ana", "", NULL));
    EXPECT(QTM_EINVALID, qtm_actor_add(f->q, "ana", NULL, NULL));
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM actors"), 0);
    assert_int_equal(rt_log_len(f, 0), 0);
}

static void test_actor_bad_slug(void **state)
{
    rt_fx *f = *state;
    char long_slug[65];
    memset(long_slug, 'a', 64);
    long_slug[64] = '\0';
    static const char *const bad[] = {"Ana", "", "-ana", "_ana", ".ana", "an a", "ana/x",
                                      "ana\n", "ána", "ana;drop"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        EXPECT_MSG(QTM_EINVALID, "is not valid", qtm_actor_add(f->q, bad[i], "operator", NULL));
    EXPECT(QTM_EINVALID, qtm_actor_add(f->q, long_slug, "operator", NULL));
    EXPECT(QTM_EINVALID, qtm_actor_add(f->q, NULL, "operator", NULL));
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM actors"), 0);
    /* the edges that are valid */
    long_slug[63] = '\0';
    OK(qtm_actor_add(f->q, long_slug, "operator", NULL));
    OK(qtm_actor_add(f->q, "0-crew_lead.2", "operator", NULL));
    OK(qtm_actor_add(f->q, "a", "client", NULL));
}

static void test_actor_name_too_long(void **state)
{
    rt_fx *f = *state;
    char name[122];
    memset(name, 'n', 121);
    name[121] = '\0';
    EXPECT_MSG(QTM_EINVALID, "longer than 120", qtm_actor_add(f->q, "ana", "operator", name));
    name[120] = '\0';
    OK(qtm_actor_add(f->q, "ana", "operator", name));
}

static void test_actor_set_access(void **state)
{
    rt_fx *f = *state;
    size_t n = rt_log_len(f, 0);
    OK(qtm_actor_set_access(f->q, "ana", "limited"));
    json_t *row = rt_log_last(f);
    assert_string_equal(rt_js(row, "entity"), "actor");
    assert_string_equal(rt_js(row, "action"), "access");
    assert_string_equal(rt_js(row, "from"), "active");
    assert_string_equal(rt_js(row, "to"), "limited");
    json_decref(row);
    OK(qtm_actor_set_access(f->q, "ana", "suspended"));
    OK(qtm_actor_set_access(f->q, "bo", "suspended"));
    OK(qtm_actor_set_access(f->q, "bo", "active"));
    assert_int_equal(rt_log_len(f, 0), n + 4);
    json_t *a = NULL;
    OK(qtm_actor_list(f->q, &a));
    size_t i;
    json_t *o;
    json_array_foreach(a, i, o) {
        if (strcmp(rt_js(o, "slug"), "ana") == 0)
            assert_string_equal(rt_js(o, "access"), "suspended");
        else
            assert_string_equal(rt_js(o, "access"), "active");
    }
    json_decref(a);
}

static void test_actor_set_same_access_changes_nothing(void **state)
{
    rt_fx *f = *state;
    UNCHANGED(QTM_OK, qtm_actor_set_access(f->q, "ana", "active"));
    OK(qtm_actor_set_access(f->q, "ana", "limited"));
    UNCHANGED(QTM_OK, qtm_actor_set_access(f->q, "ana", "limited"));
}

static void test_actor_set_access_refusals(void **state)
{
    rt_fx *f = *state;
    UNCHANGED(QTM_EINVALID, qtm_actor_set_access(f->q, "ana", "banned"));
    EXPECT_MSG(QTM_EINVALID, "unknown access state 'Active'",
               qtm_actor_set_access(f->q, "ana", "Active"));
    EXPECT(QTM_EINVALID, qtm_actor_set_access(f->q, "ana", NULL));
    EXPECT_EXACT(QTM_ENOTFOUND, "no actor 'zed'", qtm_actor_set_access(f->q, "zed", "limited"));
}

/* --- request submission ---------------------------------------------------------- */

static void test_submit_creates_request_and_review_task(void **state)
{
    rt_fx *f = *state;
    int64_t r = 0, t = 0;
    size_t n = rt_log_len(f, 0);
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, NULL, 0, NULL, &r, &t));
    char stamp[32];
    memcpy(stamp, f->now, sizeof stamp);
    assert_true(r > 0);
    assert_true(t > 0);
    assert_int_equal(rt_task_count(f, NULL), 1);
    assert_int_equal(rt_task_count(f, "review"), 1);
    json_t *o = NULL;
    OK(qtm_task_show(f->q, t, &o));
    assert_int_equal(rt_ji(o, "id"), t);
    assert_string_equal(rt_js(o, "state"), "review");
    assert_string_equal(rt_js(o, "surface"), EC);
    assert_true(json_is_null(json_object_get(o, "assignee")));
    assert_true(json_is_null(json_object_get(o, "job")));
    json_t *req = json_object_get(o, "request");
    assert_int_equal(rt_ji(req, "id"), r);
    assert_string_equal(rt_js(req, "surface"), EC);
    assert_string_equal(rt_js(req, "fingerprint"), qtm_surface_find(EC)->fingerprint);
    assert_string_equal(rt_js(req, "submitted_by"), "cli");
    assert_string_equal(rt_js(req, "created_at"), stamp);
    json_t *packet = json_loads(EC_PACKET, 0, NULL);
    assert_true(json_equal(json_object_get(req, "intake"), packet));
    json_decref(packet);
    json_decref(o);
    /* the request and the task's opening are audited */
    assert_int_equal(rt_log_len(f, 0), n + 2);
    json_t *row = rt_log_last(f);
    assert_string_equal(rt_js(row, "entity"), "task");
    assert_string_equal(rt_js(row, "action"), "open");
    assert_string_equal(rt_js(row, "to"), "review");
    assert_string_equal(rt_js(row, "actor"), "cli");
    json_decref(row);
    /* nothing executable exists */
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM jobs"), 0);
}

static void test_submit_anonymous(void **state)
{
    rt_fx *f = *state;
    int64_t r = 0, t = 0;
    json_t *o = NULL;
    OK(qtm_request_submit(f->q, NULL, EC, EC_PACKET, NULL, 0, NULL, &r, &t));
    OK(qtm_task_show(f->q, t, &o));
    assert_true(json_is_null(json_object_get(json_object_get(o, "request"), "submitted_by")));
    json_decref(o);
}

static void test_submit_stores_canonical_packet(void **state)
{
    rt_fx *f = *state;
    int64_t r = 0, t = 0;
    OK(qtm_request_submit(f->q, "cli", AD, AD_PACKET, RT_PHOTO, 1, NULL, &r, &t));
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT intake FROM requests WHERE id = %lld", (long long)r);
    json_t *packet = json_loads(AD_PACKET, 0, NULL);
    char *canon = json_dumps(packet, JSON_COMPACT | JSON_SORT_KEYS);
    char *stored = rt_db_text(f, sql);
    assert_non_null(stored);
    /* the packet, and the photo given beside it, named by its hash */
    json_t *got = json_loads(stored, 0, NULL);
    json_t *photos = json_object_get(got, "photos");
    assert_int_equal(json_array_size(photos), 1);
    assert_int_equal(strncmp(json_string_value(json_array_get(photos, 0)), "sha256:", 7), 0);
    json_object_del(got, "photos");
    free(stored);
    stored = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(got);
    assert_string_equal(stored, canon);
    snprintf(sql, sizeof sql, "SELECT photos FROM requests WHERE id = %lld", (long long)r);
    assert_int_equal(rt_db_int(f, sql), 1);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM request_photos WHERE request_id = %lld",
             (long long)r);
    assert_int_equal(rt_db_int(f, sql), 1);
    free(stored);
    free(canon);
    json_decref(packet);
}

static void test_submit_invalid_packet(void **state)
{
    rt_fx *f = *state;
    int64_t r = 7, t = 7;
    static const char no_name[] =
        "{\"contact\": {\"method\": \"email\"}, \"event\": {\"type\": \"Other\", \"venue\": \"x\"},"
        " \"request\": {\"package\": \"consultation\", \"service_area\": \"x\"},"
        " \"notes\": {\"condition\": \"x\"}}";
    UNCHANGED(QTM_EINVALID, qtm_request_submit(f->q, "cli", EC, no_name, NULL, 0, NULL, &r, &t));
    assert_string_equal(qtm_errmsg(f->q), "intake: contact.name: required field missing");
    assert_int_equal(r, 0);
    assert_int_equal(t, 0);
    EXPECT_MSG(QTM_EINVALID, "intake: not valid JSON",
               qtm_request_submit(f->q, "cli", EC, "{\"contact\":", NULL, 0, NULL, &r, &t));
    EXPECT_MSG(QTM_EINVALID, "intake: packet must be a JSON object",
               qtm_request_submit(f->q, "cli", EC, "[]", NULL, 0, NULL, &r, &t));
    EXPECT_MSG(QTM_EINVALID, "intake: no packet given",
               qtm_request_submit(f->q, "cli", EC, NULL, NULL, 0, NULL, &r, &t));
    /* a packet of another surface */
    EXPECT_MSG(QTM_EINVALID, "intake: unknown section vehicle",
               qtm_request_submit(f->q, "cli", EC, AD_PACKET, NULL, 0, NULL, &r, &t));
    assert_int_equal(rt_task_count(f, NULL), 0);
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM requests"), 0);
}

static void test_submit_photo_minimum(void **state)
{
    rt_fx *f = *state;
    int64_t r, t;
    /* auto-detailing declares photos min 1 */
    UNCHANGED(QTM_EINVALID, qtm_request_submit(f->q, "cli", AD, AD_PACKET, NULL, 0, NULL, &r, &t));
    assert_string_equal(qtm_errmsg(f->q), "intake: at least 1 photo required, got 0");
    OK(qtm_request_submit(f->q, "cli", AD, AD_PACKET, RT_PHOTO, 1, NULL, &r, &t));
    /* event coordination is held to no photo minimum (seed guardrail) */
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, NULL, 0, NULL, &r, &t));
    assert_int_equal(rt_task_count(f, NULL), 2);
}

static void test_submit_unknown_surface(void **state)
{
    rt_fx *f = *state;
    int64_t r = 1, t = 1;
    UNCHANGED(QTM_ENOTFOUND, qtm_request_submit(f->q, "cli", "plumbing", EC_PACKET, NULL, 0, NULL, &r,
                                                &t));
    assert_string_equal(qtm_errmsg(f->q), "no surface 'plumbing'");
    assert_int_equal(r, 0);
    assert_int_equal(t, 0);
    EXPECT(QTM_ENOTFOUND, qtm_request_submit(f->q, "cli", NULL, EC_PACKET, NULL, 0, NULL, &r, &t));
    EXPECT(QTM_ENOTFOUND, qtm_request_submit(f->q, "cli", "", EC_PACKET, NULL, 0, NULL, &r, &t));
}

static void test_submit_planned_surface_refused(void **state)
{
    rt_fx *f = *state;
    int64_t r = 1, t = 1;
    assert_int_equal(qtm_surface_find(LS)->status, QTM_STATUS_PLANNED);
    UNCHANGED(QTM_EREFUSED, qtm_request_submit(f->q, "cli", LS, LS_PACKET, NULL, 0, NULL, &r, &t));
    assert_string_equal(qtm_errmsg(f->q),
                        "surface landscaping is planned and takes no new requests");
    assert_int_equal(r, 0);
    assert_int_equal(t, 0);
    /* refused before validation: an invalid packet gets the same answer */
    EXPECT(QTM_EREFUSED, qtm_request_submit(f->q, "cli", LS, "{}", NULL, 0, NULL, &r, &t));
    assert_int_equal(rt_task_count(f, NULL), 0);
}

static void test_submit_actor_checked(void **state)
{
    rt_fx *f = *state;
    int64_t r, t;
    UNCHANGED(QTM_ENOTFOUND, qtm_request_submit(f->q, "zed", EC, EC_PACKET, NULL, 0, NULL, &r, &t));
    assert_string_equal(qtm_errmsg(f->q), "no actor 'zed'");
    OK(qtm_actor_set_access(f->q, "cli", "suspended"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_request_submit(f->q, "cli", EC, EC_PACKET, NULL, 0, NULL, &r, &t));
    assert_string_equal(qtm_errmsg(f->q), "cli is suspended and cannot submit requests");
    /* limited may still submit: it is not execution */
    OK(qtm_actor_set_access(f->q, "cli", "limited"));
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, NULL, 0, NULL, &r, &t));
}

static void test_submit_without_key_makes_new_requests(void **state)
{
    rt_fx *f = *state;
    int64_t r1, t1, r2, t2;
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, NULL, 0, NULL, &r1, &t1));
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, NULL, 0, NULL, &r2, &t2));
    assert_true(r2 != r1);
    assert_true(t2 != t1);
    assert_int_equal(rt_task_count(f, NULL), 2);
}

static void test_idempotent_retry_returns_same_ids(void **state)
{
    rt_fx *f = *state;
    int64_t r1, t1, r2 = 0, t2 = 0;
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, NULL, 0, "form-7f3a", &r1, &t1));
    size_t n = rt_log_len(f, 0);
    UNCHANGED(QTM_OK, qtm_request_submit(f->q, "cli", EC, EC_PACKET, NULL, 0, "form-7f3a", &r2, &t2));
    assert_int_equal(r2, r1);
    assert_int_equal(t2, t1);
    assert_int_equal(rt_task_count(f, NULL), 1);
    assert_int_equal(rt_log_len(f, 0), n);
    /* the same packet written differently is the same packet */
    json_t *p = json_loads(EC_PACKET, 0, NULL);
    char *pretty = json_dumps(p, JSON_INDENT(4));
    json_decref(p);
    r2 = t2 = 0;
    UNCHANGED(QTM_OK, qtm_request_submit(f->q, "cli", EC, pretty, NULL, 0, "form-7f3a", &r2, &t2));
    free(pretty);
    assert_int_equal(r2, r1);
    assert_int_equal(t2, t1);
    /* still returned once the task has moved on */
    OK(qtm_task_approve(f->q, "ada", t1));
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, NULL, 0, "form-7f3a", &r2, &t2));
    assert_int_equal(t2, t1);
    assert_int_equal(rt_task_count(f, NULL), 1);
}

static void test_idempotent_key_with_other_packet_conflicts(void **state)
{
    rt_fx *f = *state;
    int64_t r1, t1, r2 = 5, t2 = 5;
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, NULL, 0, "k1", &r1, &t1));
    json_t *p = json_loads(EC_PACKET, 0, NULL);
    json_object_set_new(json_object_get(p, "event"), "guests", json_integer(150));
    char *other = json_dumps(p, 0);
    json_decref(p);
    UNCHANGED(QTM_ECONFLICT, qtm_request_submit(f->q, "cli", EC, other, NULL, 0, "k1", &r2, &t2));
    free(other);
    char want[128];
    snprintf(want, sizeof want, "idempotency key 'k1' was already used for request %lld with a "
             "different packet", (long long)r1);
    assert_string_equal(qtm_errmsg(f->q), want);
    assert_int_equal(r2, 0);
    assert_int_equal(t2, 0);
    /* same key, another surface */
    UNCHANGED(QTM_ECONFLICT, qtm_request_submit(f->q, "cli", AD, AD_PACKET, RT_PHOTO, 1, "k1", &r2, &t2));
    assert_int_equal(rt_task_count(f, NULL), 1);
}

static void test_idempotency_key_bounds(void **state)
{
    rt_fx *f = *state;
    int64_t r, t;
    char key[202];
    memset(key, 'k', 201);
    key[201] = '\0';
    EXPECT_MSG(QTM_EINVALID, "idempotency key must be 1 to 200 bytes",
               qtm_request_submit(f->q, "cli", EC, EC_PACKET, NULL, 0, "", &r, &t));
    EXPECT(QTM_EINVALID, qtm_request_submit(f->q, "cli", EC, EC_PACKET, NULL, 0, key, &r, &t));
    key[200] = '\0';
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, NULL, 0, key, &r, &t));
}

/* --- tasks -------------------------------------------------------------------- */

static void test_task_approve(void **state)
{
    rt_fx *f = *state;
    int64_t t = rt_submit(f, EC);
    OK(qtm_task_approve(f->q, "ada", t));
    char stamp[32];
    memcpy(stamp, f->now, sizeof stamp);
    json_t *o = NULL;
    OK(qtm_task_show(f->q, t, &o));
    assert_string_equal(rt_js(o, "state"), "approved");
    assert_string_equal(rt_js(o, "updated_at"), stamp);
    json_decref(o);
    json_t *row = rt_log_last(f);
    assert_string_equal(rt_js(row, "actor"), "ada");
    assert_string_equal(rt_js(row, "entity"), "task");
    assert_int_equal(rt_ji(row, "entity_id"), t);
    assert_string_equal(rt_js(row, "action"), "approve");
    assert_string_equal(rt_js(row, "from"), "review");
    assert_string_equal(rt_js(row, "to"), "approved");
    json_decref(row);
}

static void test_task_verbs_admin_only(void **state)
{
    rt_fx *f = *state;
    int64_t t = rt_submit(f, EC);
    static const char *const who[] = {"ana", "vic", "cli"};
    for (size_t i = 0; i < 3; i++) {
        UNCHANGED(QTM_EFORBIDDEN, qtm_task_approve(f->q, who[i], t));
        UNCHANGED(QTM_EFORBIDDEN, qtm_task_reject(f->q, who[i], t, "no"));
        UNCHANGED(QTM_EFORBIDDEN, qtm_task_close(f->q, who[i], t));
    }
    EXPECT_EXACT(QTM_EFORBIDDEN, "ana is an operator; only an admin can approve tasks",
                 qtm_task_approve(f->q, "ana", t));
    EXPECT_EXACT(QTM_EFORBIDDEN, "vic is a vendor; only an admin can reject tasks",
                 qtm_task_reject(f->q, "vic", t, "no"));
    OK(qtm_task_approve(f->q, "ada", t));
    for (size_t i = 0; i < 3; i++)
        UNCHANGED(QTM_EFORBIDDEN, qtm_task_assign(f->q, who[i], t, "ana"));
    EXPECT_EXACT(QTM_EFORBIDDEN, "cli is a client; only an admin can assign tasks",
                 qtm_task_assign(f->q, "cli", t, "ana"));
    EXPECT(QTM_ENOTFOUND, qtm_task_approve(f->q, "nobody", t));
    EXPECT(QTM_EUSAGE, qtm_task_approve(f->q, NULL, t));
}

static void test_task_verbs_need_active_admin(void **state)
{
    rt_fx *f = *state;
    int64_t t = rt_submit(f, EC), t2 = rt_submit(f, EC);
    OK(qtm_task_approve(f->q, "ada", t2));
    OK(qtm_actor_set_access(f->q, "ada", "suspended"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_approve(f->q, "ada", t));
    assert_string_equal(qtm_errmsg(f->q), "ada is suspended and cannot approve tasks");
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_reject(f->q, "ada", t, "spam"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_assign(f->q, "ada", t2, "ana"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_close(f->q, "ada", t));
    OK(qtm_actor_set_access(f->q, "ada", "limited"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_approve(f->q, "ada", t));
    EXPECT_MSG(QTM_EFORBIDDEN, "ada has limited access", qtm_task_assign(f->q, "ada", t2, "ana"));
    OK(qtm_actor_set_access(f->q, "ada", "active"));
    OK(qtm_task_approve(f->q, "ada", t));
}

static void test_task_approve_only_from_review(void **state)
{
    rt_fx *f = *state;
    int64_t t = rt_submit(f, EC);
    OK(qtm_task_approve(f->q, "ada", t));
    char want[96];
    snprintf(want, sizeof want, "task %lld is approved; only a task in review can be approved",
             (long long)t);
    UNCHANGED(QTM_EREFUSED, qtm_task_approve(f->q, "ada", t));
    assert_string_equal(qtm_errmsg(f->q), want);
    OK(qtm_task_assign(f->q, "ada", t, "ana"));
    UNCHANGED(QTM_EREFUSED, qtm_task_approve(f->q, "ada", t));
    int64_t r = rt_submit(f, EC);
    OK(qtm_task_reject(f->q, "ada", r, "duplicate of another request"));
    UNCHANGED(QTM_EREFUSED, qtm_task_approve(f->q, "ada", r));
    int64_t c = rt_submit(f, EC);
    OK(qtm_task_close(f->q, "ada", c));
    UNCHANGED(QTM_EREFUSED, qtm_task_approve(f->q, "ada", c));
}

static void test_task_reject_needs_reason(void **state)
{
    rt_fx *f = *state;
    int64_t t = rt_submit(f, EC);
    UNCHANGED(QTM_EUSAGE, qtm_task_reject(f->q, "ada", t, NULL));
    assert_string_equal(qtm_errmsg(f->q), "rejecting a task needs a reason");
    UNCHANGED(QTM_EUSAGE, qtm_task_reject(f->q, "ada", t, ""));
    char reason[502];
    memset(reason, 'r', 501);
    reason[501] = '\0';
    UNCHANGED(QTM_EINVALID, qtm_task_reject(f->q, "ada", t, reason));
    OK(qtm_task_reject(f->q, "ada", t, "outside the service area"));
    json_t *o = NULL;
    OK(qtm_task_show(f->q, t, &o));
    assert_string_equal(rt_js(o, "state"), "rejected");
    assert_string_equal(rt_js(o, "reason"), "outside the service area");
    json_decref(o);
    assert_int_equal(rt_task_count(f, "rejected"), 1);
}

static void test_task_reject_only_from_review(void **state)
{
    rt_fx *f = *state;
    int64_t t = rt_submit(f, EC);
    OK(qtm_task_approve(f->q, "ada", t));
    char msgbuf[256];
    UNCHANGED(QTM_EREFUSED, qtm_task_reject(f->q, "ada", t, "changed my mind"));
    assert_string_equal(qtm_errmsg(f->q), MSGF("task %lld is approved; only a task in review can "
                                               "be rejected", (long long)t));
}

static void test_task_assign_only_operators(void **state)
{
    rt_fx *f = *state;
    int64_t t = rt_submit(f, EC);
    OK(qtm_task_approve(f->q, "ada", t));
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_assign(f->q, "ada", t, "vic"));
    assert_string_equal(qtm_errmsg(f->q), "vic is a vendor; tasks are assigned to operators");
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_assign(f->q, "ada", t, "cli"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_assign(f->q, "ada", t, "ada"));
    UNCHANGED(QTM_ENOTFOUND, qtm_task_assign(f->q, "ada", t, "zed"));
    OK(qtm_actor_set_access(f->q, "bo", "suspended"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_assign(f->q, "ada", t, "bo"));
    assert_string_equal(qtm_errmsg(f->q), "bo is suspended and cannot receive work");
    OK(qtm_task_assign(f->q, "ada", t, "ana"));
    json_t *o = NULL;
    OK(qtm_task_show(f->q, t, &o));
    assert_string_equal(rt_js(o, "state"), "assigned");
    assert_string_equal(rt_js(o, "assignee"), "ana");
    json_decref(o);
    json_t *row = rt_log_last(f);
    assert_string_equal(rt_js(row, "action"), "assign");
    assert_string_equal(rt_js(row, "from"), "approved");
    assert_string_equal(rt_js(row, "to"), "ana");
    json_decref(row);
}

static void test_task_assign_needs_approval(void **state)
{
    rt_fx *f = *state;
    int64_t t = rt_submit(f, EC);
    UNCHANGED(QTM_EREFUSED, qtm_task_assign(f->q, "ada", t, "ana"));
    char want[96];
    snprintf(want, sizeof want, "task %lld is review; only an approved task can be assigned",
             (long long)t);
    assert_string_equal(qtm_errmsg(f->q), want);
    OK(qtm_task_reject(f->q, "ada", t, "spam"));
    UNCHANGED(QTM_EREFUSED, qtm_task_assign(f->q, "ada", t, "ana"));
}

static void test_task_reassign_before_handoff(void **state)
{
    rt_fx *f = *state;
    int64_t t = rt_task_assigned(f, EC, "ana");
    OK(qtm_task_assign(f->q, "ada", t, "bo"));
    json_t *row = rt_log_last(f);
    assert_string_equal(rt_js(row, "from"), "ana");
    assert_string_equal(rt_js(row, "to"), "bo");
    json_decref(row);
    int64_t j = 0;
    OK(qtm_job_create(f->q, "ada", t, &j));
    /* after the handoff the assignment is final */
    UNCHANGED(QTM_EREFUSED, qtm_task_assign(f->q, "ada", t, "ana"));
    char want[96];
    snprintf(want, sizeof want, "task %lld already handed off to job %lld; its assignment is final",
             (long long)t, (long long)j);
    assert_string_equal(qtm_errmsg(f->q), want);
    json_t *o = rt_job_show(f, j);
    assert_string_equal(rt_js(o, "assignee"), "bo");
    json_decref(o);
}

static void test_task_close(void **state)
{
    rt_fx *f = *state;
    int64_t a = rt_submit(f, EC), b = rt_submit(f, EC);
    OK(qtm_task_close(f->q, "ada", a));
    OK(qtm_task_approve(f->q, "ada", b));
    OK(qtm_task_close(f->q, "ada", b));
    assert_int_equal(rt_task_count(f, "closed"), 2);
    char msgbuf[256];
    UNCHANGED(QTM_EREFUSED, qtm_task_close(f->q, "ada", a));
    assert_string_equal(qtm_errmsg(f->q), MSGF("task %lld is already closed", (long long)a));
    int64_t j = 0;
    UNCHANGED(QTM_EREFUSED, qtm_job_create(f->q, "ada", b, &j));
    UNCHANGED(QTM_EREFUSED, qtm_task_assign(f->q, "ada", b, "ana"));
}

static void test_task_unknown(void **state)
{
    rt_fx *f = *state;
    json_t *o = (json_t *)1;
    int64_t j = 3;
    UNCHANGED(QTM_ENOTFOUND, qtm_task_approve(f->q, "ada", 999));
    assert_string_equal(qtm_errmsg(f->q), "no task 999");
    UNCHANGED(QTM_ENOTFOUND, qtm_task_reject(f->q, "ada", 999, "x"));
    UNCHANGED(QTM_ENOTFOUND, qtm_task_assign(f->q, "ada", 999, "ana"));
    UNCHANGED(QTM_ENOTFOUND, qtm_task_close(f->q, "ada", 999));
    UNCHANGED(QTM_ENOTFOUND, qtm_job_create(f->q, "ada", 999, &j));
    assert_int_equal(j, 0);
    EXPECT(QTM_ENOTFOUND, qtm_task_show(f->q, 999, &o));
    assert_null(o);
    EXPECT(QTM_ENOTFOUND, qtm_task_show(f->q, 0, &o));
    EXPECT(QTM_ENOTFOUND, qtm_task_approve(f->q, "ada", -1));
}

static void test_governance_creates_no_job(void **state)
{
    rt_fx *f = *state;
    int64_t t = rt_submit(f, EC);
    OK(qtm_task_approve(f->q, "ada", t));
    OK(qtm_task_assign(f->q, "ada", t, "ana"));
    OK(qtm_task_assign(f->q, "ada", t, "bo"));
    json_t *d = NULL;
    OK(qtm_desk(f->q, NULL, &d));
    assert_int_equal(json_array_size(json_object_get(d, "queued")), 0);
    assert_int_equal(json_array_size(json_object_get(d, "active")), 0);
    assert_int_equal(json_array_size(json_object_get(d, "completed")), 0);
    json_decref(d);
    OK(qtm_desk(f->q, "bo", &d));
    assert_int_equal(json_array_size(json_object_get(d, "queued")), 0);
    json_decref(d);
    json_t *o = NULL;
    OK(qtm_task_show(f->q, t, &o));
    assert_true(json_is_null(json_object_get(o, "job")));
    json_decref(o);
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM jobs"), 0);
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM service_events"), 0);
    EXPECT(QTM_ENOTFOUND, qtm_job_show(f->q, 1, &o));
}

static void test_task_list_filters(void **state)
{
    rt_fx *f = *state;
    int64_t a = rt_submit(f, EC), b = rt_submit(f, AD);
    rt_submit(f, EC);
    OK(qtm_task_approve(f->q, "ada", a));
    OK(qtm_task_assign(f->q, "ada", a, "ana"));
    OK(qtm_task_reject(f->q, "ada", b, "no"));
    assert_int_equal(rt_task_count(f, NULL), 3);
    assert_int_equal(rt_task_count(f, "review"), 1);
    assert_int_equal(rt_task_count(f, "assigned"), 1);
    assert_int_equal(rt_task_count(f, "rejected"), 1);
    assert_int_equal(rt_task_count(f, "approved"), 0);
    json_t *l = (json_t *)1;
    EXPECT_MSG(QTM_EUSAGE, "unknown task state 'open'", qtm_task_list(f->q, "open", &l));
    assert_null(l);
    OK(qtm_task_list(f->q, "assigned", &l));
    assert_string_equal(rt_js(json_array_get(l, 0), "assignee"), "ana");
    assert_string_equal(rt_js(json_array_get(l, 0), "surface"), EC);
    json_decref(l);
}

static void test_surfaces_listed(void **state)
{
    rt_fx *f = *state;
    json_t *a = NULL, *m = NULL;
    OK(qtm_surfaces(f->q, &a));
    assert_true(json_array_size(a) >= 3);
    size_t i;
    json_t *o;
    int seen = 0;
    json_array_foreach(a, i, o) {
        const qtm_surface *s = qtm_surface_find(rt_js(o, "slug"));
        assert_non_null(s);
        assert_string_equal(rt_js(o, "fingerprint"), s->fingerprint);
        if (strcmp(rt_js(o, "slug"), LS) == 0) {
            assert_string_equal(rt_js(o, "status"), "planned");
            seen++;
        }
        if (strcmp(rt_js(o, "slug"), EC) == 0) {
            assert_string_equal(rt_js(o, "status"), "active");
            seen++;
        }
    }
    assert_int_equal(seen, 2);
    json_decref(a);
    OK(qtm_surface_show(f->q, EC, &m));
    assert_non_null(m);
    json_decref(m);
    EXPECT(QTM_ENOTFOUND, qtm_surface_show(f->q, "plumbing", &m));
    assert_null(m);
    assert_null(qtm_surface_find("plumbing"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST_BARE(test_actor_add_and_list),
        TEST_BARE(test_actor_add_is_audited),
        TEST_BARE(test_actor_duplicate_conflict),
        TEST_BARE(test_actor_bad_role),
        TEST_BARE(test_actor_bad_slug),
        TEST_BARE(test_actor_name_too_long),
        TEST(test_actor_set_access),
        TEST(test_actor_set_same_access_changes_nothing),
        TEST(test_actor_set_access_refusals),
        TEST(test_submit_creates_request_and_review_task),
        TEST(test_submit_anonymous),
        TEST(test_submit_stores_canonical_packet),
        TEST(test_submit_invalid_packet),
        TEST(test_submit_photo_minimum),
        TEST(test_submit_unknown_surface),
        TEST(test_submit_planned_surface_refused),
        TEST(test_submit_actor_checked),
        TEST(test_submit_without_key_makes_new_requests),
        TEST(test_idempotent_retry_returns_same_ids),
        TEST(test_idempotent_key_with_other_packet_conflicts),
        TEST(test_idempotency_key_bounds),
        TEST(test_task_approve),
        TEST(test_task_verbs_admin_only),
        TEST(test_task_verbs_need_active_admin),
        TEST(test_task_approve_only_from_review),
        TEST(test_task_reject_needs_reason),
        TEST(test_task_reject_only_from_review),
        TEST(test_task_assign_only_operators),
        TEST(test_task_assign_needs_approval),
        TEST(test_task_reassign_before_handoff),
        TEST(test_task_close),
        TEST(test_task_unknown),
        TEST(test_governance_creates_no_job),
        TEST(test_task_list_filters),
        TEST(test_surfaces_listed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
