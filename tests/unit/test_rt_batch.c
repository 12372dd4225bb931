/*
 * test_rt_batch.c - group commit (qtm_batch_begin/qtm_batch_end): calls in
 * a batch are savepoints inside one transaction.  A refused call changes
 * nothing while its neighbours commit, even when it fails after writing;
 * a failed batch commit stores none of them; idempotent intake holds
 * inside a batch; the audit chain follows the batch order and verifies.
 */
#include "rt_fixture.h"

#include "store_fault.h"

#define N_REQUESTS "SELECT COUNT(*) FROM requests"
#define N_TASKS "SELECT COUNT(*) FROM tasks"

static qtm_status submit(rt_fx *f, const char *packet, const char *key, int64_t *task)
{
    int64_t r = 0;
    return qtm_request_submit(f->q, "cli", EC, packet, NULL, 0, key, &r, task);
}

static void verify_ok(rt_fx *f)
{
    json_t *rep = NULL;
    OK(qtm_verify(f->q, &rep));
    json_decref(rep);
}

/* the middle call is refused before it writes (its packet is invalid) */
static void test_middle_refused(void **state)
{
    rt_fx *f = *state;
    int64_t t1 = 0, t2 = 0, t3 = 0;
    size_t log0 = rt_log_len(f, 0);
    OK(qtm_batch_begin(f->q));
    OK(submit(f, EC_PACKET, "k1", &t1));
    EXPECT(QTM_EINVALID, submit(f, "{\"nope\": 1}", "k2", &t2));
    OK(submit(f, EC_PACKET, "k3", &t3));
    OK(qtm_batch_end(f->q, 1));
    assert_true(t1 > 0 && t3 == t1 + 1);
    assert_int_equal(rt_db_int(f, N_REQUESTS), 2);
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM requests WHERE idem_key = 'k2'"), 0);
    /* one submit's audit rows each, in batch order */
    size_t per = (rt_log_len(f, 0) - log0) / 2;
    assert_int_equal(rt_log_len(f, 0) - log0, 2 * per);
    assert_true(rt_db_int(f, "SELECT MAX(id) FROM audit WHERE entity_id = 1 AND entity = 'task'") <
                rt_db_int(f, "SELECT MIN(id) FROM audit WHERE entity_id = 2 AND entity = 'task'"));
    verify_ok(f);
}

/* the middle call fails on its last statement, after its first writes:
 * only its savepoint is undone */
static void test_middle_fails_after_writing(void **state)
{
    rt_fx *f = *state;
    store_fault *sf = store_fault_wrap(f->q);
    assert_non_null(sf);
    int64_t t = 0;
    /* how many storage operations one submit takes (savepoint ... release) */
    OK(qtm_batch_begin(f->q));
    store_fault_arm(sf, 1000000, FK_BUSY);  /* counts, never fires */
    OK(submit(f, EC_PACKET, "k1", &t));
    long ops = store_fault_count(sf);
    assert_true(ops > 3);
    store_fault_arm(sf, ops - 1, FK_FULL);  /* the last statement before release */
    EXPECT_MSG(QTM_ESTORAGE, "disk is full", submit(f, EC_PACKET, "k2", &t));
    assert_true(store_fault_fired(sf));
    store_fault_arm(sf, 0, FK_BUSY);
    OK(submit(f, EC_PACKET, "k3", &t));
    OK(qtm_batch_end(f->q, 1));
    assert_int_equal(rt_db_int(f, N_REQUESTS), 2);
    assert_int_equal(rt_db_int(f, N_TASKS), 2);
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM requests WHERE idem_key = 'k2'"), 0);
    verify_ok(f);
}

/* the batch's one commit fails: none of its calls is stored */
static void test_commit_fails(void **state)
{
    rt_fx *f = *state;
    store_fault *sf = store_fault_wrap(f->q);
    assert_non_null(sf);
    int64_t t = 0;
    free(f->dump);
    f->dump = rt_db_dump(f);
    OK(qtm_batch_begin(f->q));
    OK(submit(f, EC_PACKET, "k1", &t));
    OK(submit(f, EC_PACKET, "k2", &t));
    store_fault_arm(sf, 1, FK_IOERR);
    EXPECT_MSG(QTM_ESTORAGE, "committing the batch", qtm_batch_end(f->q, 1));
    char *after = rt_db_dump(f);
    if (strcmp(f->dump, after) != 0)
        rt_dump_differs(f, after, "a failed batch commit", __FILE__, __LINE__);
    free(after);
    /* the handle is usable again, outside a batch */
    store_fault_arm(sf, 0, FK_BUSY);
    OK(submit(f, EC_PACKET, "k1", &t));
    assert_int_equal(rt_db_int(f, N_REQUESTS), 1);
}

/* a retry with the same key in the same batch gets the first request */
static void test_idempotent_in_batch(void **state)
{
    rt_fx *f = *state;
    int64_t a = 0, b = 0;
    OK(qtm_batch_begin(f->q));
    OK(submit(f, EC_PACKET, "same", &a));
    OK(submit(f, EC_PACKET, "same", &b));
    OK(qtm_batch_end(f->q, 1));
    assert_int_equal(a, b);
    assert_int_equal(rt_db_int(f, N_REQUESTS), 1);
}

/* rolled back as a whole, and the handle's next calls commit by themselves */
static void test_abort_and_misuse(void **state)
{
    rt_fx *f = *state;
    int64_t t = 0;
    EXPECT_MSG(QTM_EUSAGE, "no batch", qtm_batch_end(f->q, 1));
    OK(qtm_batch_begin(f->q));
    EXPECT_MSG(QTM_EUSAGE, "already open", qtm_batch_begin(f->q));
    OK(submit(f, EC_PACKET, "k1", &t));
    OK(qtm_batch_end(f->q, 0));
    assert_int_equal(rt_db_int(f, N_REQUESTS), 0);
    OK(submit(f, EC_PACKET, "k1", &t));
    assert_int_equal(rt_db_int(f, N_REQUESTS), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_middle_refused),
        TEST(test_middle_fails_after_writing),
        TEST(test_commit_fails),
        TEST(test_idempotent_in_batch),
        TEST(test_abort_and_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
