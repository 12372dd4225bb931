/*
 * test_rt_text.c - text that is not valid UTF-8 never reaches the database:
 * qtmi_text_valid over well-formed and malformed byte strings, and every
 * entry point that stores caller text refusing it with QTM_EINVALID, a
 * message naming the field, and the database byte-for-byte unchanged.
 */
#include "rt_fixture.h"

#include "qtm_int.h"

#define BAD "ok\xff\x9b"

static void test_text_valid(void **state)
{
    static const char *const good[] = {
        "", "plain ascii", "caf\xc3\xa9", "\xe2\x80\xae bidi is valid text",
        "\xf0\x9f\x90\x88", "\xf4\x8f\xbf\xbf", "\xef\xbb\xbf", "\x7f\x01",
    };
    static const char *const bad[] = {
        "\xff", "ok\x80", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf",
        "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xe2\x80",
        "\xf0\x9f\x90", "\xc3", "x\xc3y", "caf\xc3\xa9\xff",
    };
    (void)state;
    assert_true(qtmi_text_valid(NULL));
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!qtmi_text_valid(good[i]))
            fail_msg("good[%zu] was refused", i);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (qtmi_text_valid(bad[i]))
            fail_msg("bad[%zu] was accepted", i);
}

static void test_actor_and_task_text(void **state)
{
    rt_fx *f = *state;
    int64_t task = rt_submit(f, EC), req = 0, t2 = 0;

    UNCHANGED(QTM_EINVALID, qtm_actor_add(f->q, "zed", "operator", BAD));
    EXPECT_EXACT(QTM_EINVALID, "the actor name is not valid UTF-8",
                 qtm_actor_add(f->q, "zed", "operator", BAD));
    UNCHANGED(QTM_EINVALID, qtm_task_reject(f->q, "ada", task, BAD));
    EXPECT_MSG(QTM_EINVALID, "the reason is not valid UTF-8",
               qtm_task_reject(f->q, "ada", task, BAD));
    UNCHANGED(QTM_EINVALID,
              qtm_request_submit(f->q, "cli", EC, EC_PACKET, NULL, 0, BAD, &req, &t2));
    EXPECT_MSG(QTM_EINVALID, "the idempotency key is not valid UTF-8",
               qtm_request_submit(f->q, "cli", EC, EC_PACKET, NULL, 0, BAD, &req, &t2));
    /* still usable: the same calls with valid text go through */
    OK(qtm_actor_add(f->q, "zed", "operator", "Z\xc3\xa9"));
    OK(qtm_task_reject(f->q, "ada", task, "dupl\xc3\xa9"));
}

static void test_job_text(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    qtm_payment p = {"10.00", NULL, "cash", BAD, NULL, 0};
    static const struct {
        const char *name, *role, *contact, *field;
    } parts[] = {
        {BAD, "vendor", NULL, "the participant name is not valid UTF-8"},
        {"ok", BAD, NULL, "the participant role is not valid UTF-8"},
        {"ok", "vendor", BAD, "the participant contact is not valid UTF-8"},
    };
    static const struct {
        const char *category, *ref, *note, *field;
    } evs[] = {
        {BAD, "x.jpg", NULL, "the evidence category is not valid UTF-8"},
        {"photo", "x.jpg", BAD, "the evidence note is not valid UTF-8"},
    };

    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        UNCHANGED(QTM_EINVALID, qtm_participant_add(f->q, "ana", j, parts[i].name,
                                                    parts[i].role, parts[i].contact));
        EXPECT_EXACT(QTM_EINVALID, parts[i].field,
                     qtm_participant_add(f->q, "ana", j, parts[i].name, parts[i].role,
                                         parts[i].contact));
    }
    for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++) {
        UNCHANGED(QTM_EINVALID,
                  qtm_evidence_add(f->q, "ana", j, evs[i].category, RT_PHOTO[0], evs[i].note));
        EXPECT_EXACT(QTM_EINVALID, evs[i].field,
                     qtm_evidence_add(f->q, "ana", j, evs[i].category, RT_PHOTO[0],
                                      evs[i].note));
    }
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    EXPECT_EXACT(QTM_EINVALID, "the payment note is not valid UTF-8", qtm_settle(f->q, "ana", j, &p));
    OK(qtm_participant_add(f->q, "ana", j, "Bloom \xe2\x9c\xbf", "vendor", NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_valid),
        TEST(test_actor_and_task_text),
        TEST(test_job_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
