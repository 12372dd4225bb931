/*
 * explain.c - the texts behind `qtmc --explain CODE`; see explain.h.
 *
 * The examples are built from one small valid spec (the macros below) with
 * the one piece that matters changed, so each pair differs only where the
 * rule bites.  tests/unit/test_explain.c compiles every example: a bad one
 * must get its code, a good one no error.
 */
#include "explain.h"

#include <ctype.h>
#include <string.h>

#include "qtm/qtm_vocab.h"   /* countof */

/* --- pieces of the minimal spec ------------------------------------------- */

#define HEAD_AS(slug) "surface " slug " {\n"
#define HEAD HEAD_AS("demo")
#define TOP "    name \"Demo\" spec \"surface-runtime-spec-v0.01\" status active\n"
#define EXEC_X(claim, own, pay)                                                    \
    "    execution { claim " claim " ownership " own " record service_event\n"    \
    "                payment_timing " pay " completed_jobs visible }\n"
#define EXEC EXEC_X("required", "assigned", "independent")
#define EXEC_NONE EXEC_X("none", "none", "independent")
#define LIFE_X(extra)                                                               \
    "    lifecycle { queued \"Queued\" initial  claimed \"Claimed\"\n"                \
    "                complete \"Complete\" final" extra " }\n"
#define LIFE LIFE_X("")
#define LIFE2 "    lifecycle { queued \"Queued\" initial  complete \"Complete\" final }\n"
#define TRANS_X(claim, done)                                                        \
    "    transitions { " claim "\n"                                                 \
    "                  " done " }\n"
#define CLAIM "queued -> claimed on claim by operator"
#define DONE_BY "claimed -> complete on complete by owner"
#define DONE DONE_BY " outcome delivered"
#define TRANS TRANS_X(CLAIM, DONE)
#define REC "    record { job outcome }\n"
#define TAIL "}\n"
#define SPEC(body) HEAD TOP body TAIL
#define OK SPEC(EXEC LIFE TRANS REC)
#define INTAKE(fields) "    intake { contact { " fields " } photos min 0 }\n"
#define INTAKE_SUM(fields, sum) \
    "    intake { contact { " fields " } photos min 0\n             summary { " sum " } }\n"
#define EVIDENCE(req, opt, min)                                                     \
    "    evidence { required [" req "] optional [" opt "] min_per_category " min " }\n"

/* Version 2 of the minimal spec: `claimed` renamed `confirmed`; FP_OK is
 * the fingerprint of OK (test_explain checks it still is). */
#define FP_OK "sha256:e87514ca8cfcd9dda1b915402dfaee3218cce8ac31a8fe2eb47e045e427b1103"
#define LIFE_V2                                                                     \
    "    lifecycle { queued \"Queued\" initial  confirmed \"Confirmed\"\n"          \
    "                complete \"Complete\" final }\n"
#define TRANS_V2                                                                    \
    TRANS_X("queued -> confirmed on claim by operator",                             \
            "confirmed -> complete on complete by owner outcome delivered")
#define MIGRATE(fp, maps) "    migrate from \"" fp "\" { " maps " }\n"
#define V2(mig) SPEC(EXEC LIFE_V2 TRANS_V2 REC mig)
/* v1 and v2 compiled together: v2 keeps v1 as history */
#define WITH_V1(mig) OK EXPLAIN_FILE_SEP V2(mig)

const explain_entry explain_table[] = {
    /* --- lexical, syntax, limits --------------------------------------------- */
    {"Q001", "unexpected character",
     "The scanner met a byte that cannot start any token of .qsm: a semicolon, a "
     "smart quote, `=>`, a byte order mark in the middle of the file, a control "
     "byte, or a number glued to letters. A spec is the contract every job of the "
     "surface runs under, from Request to Settlement, so qtmc reads it exactly and "
     "never guesses what a stray character meant. Delete the character, or write "
     "the token the language has (`->`, straight quotes, words and lists separated "
     "by spaces).",
     SPEC(EXEC LIFE TRANS "    record { job; outcome }\n"), OK},
    {"Q002", "unterminated string",
     "A string has no closing quote before the end of its line (or of the file). "
     "Strings in .qsm end on the line they start on, so a missing quote is found "
     "where it happened instead of swallowing the rest of the spec; labels and "
     "hints are what operators read at each step of a Job, and a runaway string "
     "would silently change them. Close the string on the same line; use \\n for a "
     "line break inside it.",
     HEAD "    name \"Demo\n    spec \"surface-runtime-spec-v0.01\" status active\n" EXEC
         LIFE TRANS REC TAIL,
     OK},
    {"Q003", "bad escape or character in a string",
     "A string holds an unknown escape, a \\u escape that is not four hex digits or "
     "names NUL or a surrogate, a raw control character, or bytes that are not "
     "UTF-8. Strings are copied into the C tables and the JSON model the runtime "
     "embeds and shows to operators and admins, so they must be valid text that "
     "means the same everywhere. Use \\\" \\\\ \\n \\t \\r or \\uXXXX, and save the "
     "file as UTF-8.",
     HEAD "    name \"Demo\\q\" spec \"surface-runtime-spec-v0.01\" status active\n" EXEC
         LIFE TRANS REC TAIL,
     HEAD "    name \"Caf\\u00E9 Demo\" spec \"surface-runtime-spec-v0.01\" status active\n"
         EXEC LIFE TRANS REC TAIL},
    {"Q004", "syntax error",
     "The tokens do not form the .qsm grammar: a missing `on`, `by`, `->`, brace, "
     "colon or comma, an unknown block, or text after the surface. Each transition "
     "reads `from -> to on EVENT by ACTOR [requires ...]`, because that one line is "
     "the whole rule for moving a Job between phases: where from, where to, on which "
     "event, who may fire it and what must be true. qtmc recovers at the next block "
     "or line and reports what it expected.",
     SPEC(EXEC LIFE TRANS_X("queued -> claimed claim by operator", DONE) REC), OK},
    {"Q005", "a limit is exceeded",
     "The spec exceeds one of qtmc's limits: a file over the size limit, an "
     "identifier over 128 bytes, a string or number too large (numbers are at most "
     "1000000), or more phases, events, transitions, intake fields or table cells "
     "than the runtime's tables can index. The limits keep the generated tables "
     "small and fixed-size so every Job step is a constant-time lookup; a spec that "
     "hits them describes more than one kind of service work and should be split.",
     SPEC(EXEC INTAKE("notes: text max 2000000") LIFE TRANS REC),
     SPEC(EXEC INTAKE("notes: text max 4000") LIFE TRANS REC)},

    /* --- names and values ----------------------------------------------------- */
    {"Q101", "duplicate phase",
     "Two phases of the lifecycle have the same name. A phase name is the identity "
     "of a step of the Job's execution: the runtime stores it on every job and in "
     "the audit log, and transitions refer to it. Two phases with one name would "
     "make every transition into it ambiguous. Rename one, or delete the copy.",
     SPEC(EXEC LIFE_X("  claimed \"Again\"") TRANS REC), OK},
    {"Q102", "undefined phase in a transition",
     "A transition starts or ends in a phase the lifecycle does not declare, often "
     "a typo. Every Job is always in one declared phase; a transition into an "
     "undeclared one would move work where no operator could see or continue it. "
     "Declare the phase in `lifecycle`, or fix the name.",
     SPEC(EXEC LIFE TRANS_X(CLAIM, "claimed -> done on complete by owner") REC), OK},
    {"Q103", "duplicate block or setting",
     "A block (execution, intake, lifecycle, transitions, evidence, record) or a "
     "setting is given twice. A surface has exactly one execution contract, one "
     "lifecycle and one record shape; two of them would leave it to chance which "
     "one governs the Job and the ServiceEvent. Merge them into one.",
     SPEC(EXEC LIFE TRANS REC "    record { job operator }\n"), OK},
    {"Q104", "unknown setting",
     "A setting name is not one qtmc knows, at the top (name, spec, status), in "
     "`execution` (claim, ownership, record, payment_timing, completed_jobs) or in "
     "`evidence` (required, optional, min_per_category). Only known settings have a "
     "meaning in the envelope; an unknown one would be silently ignored while its "
     "author believes it governs something. Fix the spelling or remove it.",
     SPEC("    priority high\n" EXEC LIFE TRANS REC), OK},
    {"Q105", "bad value for a setting",
     "A setting has a value of the wrong kind (a string where a word is expected, "
     "a word where a list is expected) or a word outside its set, e.g. `status "
     "live`. Each execution setting selects one of a few behaviours the runtime "
     "implements for the whole Request -> Settlement path; any other value has no "
     "behaviour. Use one of the listed values.",
     HEAD "    name \"Demo\" spec \"surface-runtime-spec-v0.01\" status live\n" EXEC LIFE
         TRANS REC TAIL,
     OK},
    {"Q106", "missing block or setting",
     "The surface lacks something every surface must state: name, spec, status, "
     "the execution, lifecycle, transitions or record block, or one of the five "
     "execution settings. The envelope has no defaults for these on purpose: how a "
     "Job is claimed and owned, how payment relates to completion and what the "
     "Record holds must be decided by the author, visibly, in the spec.",
     SPEC(EXEC LIFE TRANS), OK},
    {"Q107", "unknown runtime spec",
     "`spec` names a runtime specification this qtmc does not implement. The spec "
     "string pins the rules of the governed envelope the surface is checked "
     "against and the runtime enforces; compiling against rules qtmc does not know "
     "would give tables whose meaning nobody checked. Use the spec qtmc names in "
     "the note (surface-runtime-spec-v0.01).",
     HEAD "    name \"Demo\" spec \"surface-runtime-spec-v9\" status active\n" EXEC LIFE
         TRANS REC TAIL,
     OK},
    {"Q108", "duplicate intake section or field",
     "An intake section, or a field within a section, is declared twice. The "
     "intake form is what a Request carries into the system; each answer is stored "
     "under its section and field name, so two fields with one name would make a "
     "Request's data ambiguous before any Task exists. Rename or remove one.",
     SPEC(EXEC INTAKE("name: text required  name: text") LIFE TRANS REC),
     SPEC(EXEC INTAKE("name: text required  nickname: text") LIFE TRANS REC)},
    {"Q109", "unknown field type",
     "An intake field has a type qtmc does not know. The runtime validates every "
     "Request against its field types (text, email, phone, integer, number, "
     "boolean, date, time, one_of(...)) before it can become a Task; an unknown "
     "type could not be validated. Use one of those types.",
     SPEC(EXEC INTAKE("guests: count") LIFE TRANS REC),
     SPEC(EXEC INTAKE("guests: integer") LIFE TRANS REC)},
    {"Q110", "empty or duplicate choice",
     "A `one_of(...)` field lists an empty choice or the same choice twice. A "
     "Request's answer must be exactly one of the choices, and operators read the "
     "chosen value on the Job; an empty or repeated choice makes the form ambiguous. "
     "List each choice once, non-empty.",
     SPEC(EXEC INTAKE("method: one_of(email, call, email)") LIFE TRANS REC),
     SPEC(EXEC INTAKE("method: one_of(email, call, text)") LIFE TRANS REC)},
    {"Q111", "duplicate evidence category",
     "An evidence category is listed twice, or as both required and optional. "
     "Evidence is what an operator attaches to a Job to prove the ServiceEvent "
     "happened; each category must be either a gate (required) or context "
     "(optional), never both. Keep it in one list, once.",
     SPEC(EXEC LIFE TRANS_X(CLAIM, DONE_BY " requires evidence outcome delivered")
              EVIDENCE("photos", "photos", "1") REC),
     SPEC(EXEC LIFE TRANS_X(CLAIM, DONE_BY " requires evidence outcome delivered")
              EVIDENCE("photos", "receipt", "1") REC)},
    {"Q112", "duplicate record field",
     "A record field is listed twice. The record lists what the composed "
     "ServiceEvent Record carries when a Job completes; each field appears in it "
     "once. Remove the copy.",
     SPEC(EXEC LIFE TRANS "    record { job outcome job }\n"), OK},
    {"Q113", "unknown actor",
     "The word after `by` is not an actor: `operator` (the claim, or any operator "
     "under `ownership pool`), `owner` (the operator who claimed the Job) or "
     "`admin`. Who may move a Job is the heart of governance; a misspelt actor "
     "would leave a transition no one may fire. qtmc suggests the closest actor.",
     SPEC(EXEC LIFE TRANS_X(CLAIM, "claimed -> complete on complete by owenr") REC),
     OK},
    {"Q114", "unknown or repeated condition",
     "A word after `requires` is not a condition (`evidence`, `payment`, "
     "`participants`), or a condition is listed twice. Conditions are the gates the "
     "runtime checks before a Job may move; an unknown one could not be checked, so "
     "it would gate nothing while looking like a gate.",
     SPEC(EXEC LIFE TRANS_X(CLAIM, DONE_BY " requires evidense outcome delivered") REC),
     SPEC(EXEC LIFE TRANS_X(CLAIM, DONE_BY " requires evidence outcome delivered") REC)},
    {"Q115", "name not in the required style",
     "A name breaks the naming rule: phases, events, sections, fields and evidence "
     "categories are lowercase snake_case; the surface slug is lowercase words "
     "joined by hyphens, and `qtm-` slugs are reserved. These names become C "
     "identifiers, file names, JSON keys and database values along the whole "
     "Request -> Settlement path, so they must be the same in every one of them.",
     SPEC(EXEC INTAKE("fullName: text") LIFE TRANS REC),
     SPEC(EXEC INTAKE("full_name: text") LIFE TRANS REC)},
    {"Q116", "attribute given twice",
     "A phase has its label, hint, `initial` or `final` twice, or a field has "
     "`required` or `max` twice. Labels and hints are what operators see at each "
     "phase of the Job; when one is given twice, one of them would silently lose. "
     "Give each attribute once.",
     SPEC(EXEC
          "    lifecycle { queued \"Queued\" initial initial  claimed \"Claimed\"\n"
          "                complete \"Complete\" final }\n" TRANS REC),
     OK},
    {"Q117", "bad `max` or `min`",
     "`max` is on a field that is neither text nor integer, a text field has `max "
     "0`, or `min` is on a field that is not an integer. On text `max` bounds the "
     "length of the answer (a maximum of 0 would reject every answer); on an "
     "integer `min` and `max` bound its value; other types have their own fixed "
     "bounds. Put `max N` (N >= 1) on text fields, `min N` and `max N` on integers.",
     SPEC(EXEC INTAKE("email: email max 100") LIFE TRANS REC),
     SPEC(EXEC INTAKE("email: email") LIFE TRANS REC)},
    {"Q118", "surface defined twice",
     "Two inputs define the same surface slug. The slug names the surface in the "
     "registry, on every Request and Job and in the generated files; two "
     "definitions would leave it to argument order which rules a Job runs under. "
     "Give each surface its own slug (or compile only one of the files).",
     OK EXPLAIN_FILE_SEP OK,
     OK EXPLAIN_FILE_SEP HEAD_AS("demo-two") TOP EXEC LIFE TRANS REC TAIL},
    {"Q119", "bad summary",
     "The intake's `summary` names a field the intake does not have, or names no "
     "field at all. The summary is the one line desks and the task queue show for "
     "a Request (\"Sat 16 May: Wedding at Laguna Gloria\"), made of the Request's "
     "own answers as `section.field` with text in quotes between them; a name that "
     "is not an intake field would show nothing. Name fields as declared.",
     SPEC(EXEC INTAKE_SUM("name: text required  city: text", "contact.name \" in \" contact.town")
              LIFE TRANS REC),
     SPEC(EXEC INTAKE_SUM("name: text required  city: text", "contact.name \" in \" contact.city")
              LIFE TRANS REC)},
    {"Q120", "integer `min` above its `max`",
     "An integer field's `min` is greater than its `max`. Intake refuses a value "
     "outside the bounds, so no answer could ever be accepted and, for a required "
     "field, no Request could be submitted. Make `min` at most `max`.",
     SPEC(EXEC INTAKE("guests: integer min 500 max 50") LIFE TRANS REC),
     SPEC(EXEC INTAKE("guests: integer min 1 max 500") LIFE TRANS REC)},

    /* --- lifecycle graph -------------------------------------------------------- */
    {"Q201", "no initial phase",
     "No phase is marked `initial`. A Job is created from an approved, assigned "
     "Task and must start in a known phase; without one the runtime could not "
     "create work at all. Mark the phase new jobs start in with `initial`.",
     SPEC(EXEC
          "    lifecycle { queued \"Queued\"  claimed \"Claimed\"  complete \"Complete\" final }\n"
          TRANS REC),
     OK},
    {"Q202", "two initial phases",
     "More than one phase is marked `initial`. Job creation is the one way work "
     "enters execution, and it must put every Job in the same, single phase so the "
     "claim and the desk see all new work in one place. Keep `initial` on one phase.",
     SPEC(EXEC
          "    lifecycle { queued \"Queued\" initial  claimed \"Claimed\" initial\n"
          "                complete \"Complete\" final }\n" TRANS REC),
     OK},
    {"Q203", "no final phase",
     "No phase is marked `final`. Reaching a final phase is what completes a Job "
     "and composes its ServiceEvent Record; without one no Job could ever complete "
     "and no Record would exist. Mark the phase that completes a job with `final`.",
     SPEC(EXEC
          "    lifecycle { queued \"Queued\" initial  claimed \"Claimed\"  complete \"Complete\" }\n"
          TRANS REC),
     OK},
    {"Q204", "unreachable phase",
     "No path of transitions leads from the initial phase to this phase. Every Job "
     "starts in the initial phase, so an unreachable phase is dead text: operators "
     "would read about a step no Job can ever be in. Add a transition into it, or "
     "remove it.",
     SPEC(EXEC LIFE_X("  archived \"Archived\" final") TRANS REC), OK},
    {"Q205", "dead-end phase",
     "No final phase can be reached from this phase. A Job that enters it could "
     "never complete, so it would never produce a Record or reach the point where "
     "settlement normally follows. Add a way out towards a final phase.",
     SPEC(EXEC LIFE_X("  on_hold \"On hold\"")
              "    transitions { " CLAIM "\n"
              "                  " DONE "\n"
              "                  claimed -> on_hold on pause by owner }\n" REC),
     SPEC(EXEC LIFE_X("  on_hold \"On hold\"")
              "    transitions { " CLAIM "\n"
              "                  " DONE "\n"
              "                  claimed -> on_hold on pause by owner\n"
              "                  on_hold -> claimed on resume by owner }\n" REC)},
    {"Q206", "transition out of a final phase",
     "A transition leaves a final phase. Reaching a final phase completes the Job "
     "and composes its Record, which is then immutable execution truth; moving the "
     "Job on afterwards would contradict the Record already written. Model rework "
     "as a new Request, or make the phase non-final.",
     SPEC(EXEC LIFE
              "    transitions { " CLAIM "\n"
              "                  " DONE "\n"
              "                  complete -> claimed on reopen by owner }\n" REC),
     OK},
    {"Q207", "phase both initial and final",
     "A phase is marked both `initial` and `final`. Every Job would be complete the "
     "moment it was created, before any claim or ServiceEvent: no work could "
     "happen. Start in one phase and finish in another.",
     SPEC(EXEC_X("none", "none", "independent")
              "    lifecycle { queued \"Queued\" initial final }\n"
              "    transitions { }\n" REC),
     SPEC(EXEC_NONE LIFE2 "    transitions { queued -> complete on complete by operator outcome delivered }\n"
              REC)},

    {"Q208", "a way into a final phase without an outcome",
     "A transition enters a final phase but does not say its outcome. Reaching a "
     "final phase ends the ServiceEvent, and the Record must say how it ended: the "
     "work delivered, or the event closed undelivered. Two ways into the same "
     "final phase differ only by their outcome, so each must name one. End the "
     "line with `outcome NAME`. A retained spec (an older version kept for jobs in "
     "flight, which a newer spec of the surface names in `migrate from`, or the "
     "OLD of `qtmc diff`) is not held to this: it was shipped before outcomes "
     "existed and must keep its fingerprint; its records carry the final phase "
     "instead.",
     SPEC(EXEC LIFE TRANS_X(CLAIM, DONE_BY) REC), OK},
    {"Q209", "an outcome on a transition that does not end the work",
     "A transition has `outcome NAME` but its target phase is not final. Only the "
     "step that ends the ServiceEvent has an outcome; anywhere else it would "
     "promise a Record that is not composed yet. Remove it, or mark the target "
     "phase `final`.",
     SPEC(EXEC LIFE TRANS_X(CLAIM " outcome started", DONE) REC), OK},

    /* --- determinism ------------------------------------------------------------ */
    {"Q301", "two transitions on one event",
     "A phase has two transitions on the same event. The runtime finds a Job's next "
     "phase by (phase, event) in a table; two targets would make the outcome of "
     "one action depend on rule order, and every Job must move the same way for "
     "the same action. Use a different event for each target.",
     SPEC(EXEC LIFE_X("  cancelled \"Cancelled\" final")
              "    transitions { " CLAIM "\n"
              "                  " DONE "\n"
              "                  claimed -> cancelled on complete by owner outcome cancelled }\n" REC),
     SPEC(EXEC LIFE_X("  cancelled \"Cancelled\" final")
              "    transitions { " CLAIM "\n"
              "                  " DONE "\n"
              "                  claimed -> cancelled on cancel by owner outcome cancelled }\n" REC)},

    /* --- governance --------------------------------------------------------------- */
    {"Q401", "no claim transition",
     "The execution contract says `claim required`, but no `on claim` transition "
     "leaves the initial phase. Under `claim required` a Job only enters "
     "execution when its operator claims it, which establishes who owns the "
     "ServiceEvent; without a claim transition no Job could ever be owned or "
     "started. Add `INITIAL -> ... on claim by operator`.",
     SPEC(EXEC LIFE TRANS_X("queued -> claimed on accept by operator", DONE) REC), OK},
    {"Q402", "after the claim only the owner advances",
     "Under `ownership assigned` the operator who claimed a Job owns its "
     "ServiceEvent, and every step after the claim must be `by owner`, not by any "
     "operator or an admin. In the envelope Request -> Task -> Assignment -> Job -> "
     "ServiceEvent -> Record -> Settlement, the Assignment decides who does the "
     "work and the claim makes it binding: letting anyone else advance the Job "
     "would make the Record's operator untrue. Use `by owner`, or `ownership pool` "
     "if any operator may act.",
     SPEC(EXEC LIFE TRANS_X(CLAIM, "claimed -> complete on complete by operator") REC),
     OK},
    {"Q403", "a vendor or client drives a transition",
     "A transition is `by vendor` or `by client`. Vendors and clients are data of "
     "the Request and the ServiceEvent (who is served, who supplied what), never "
     "actors of the governed system: only operators, owners and admins move a Job, "
     "so every step is attributable to an accountable account. Record their input "
     "as evidence or participants, and let the owner advance the Job.",
     SPEC(EXEC LIFE TRANS_X(CLAIM, "claimed -> complete on complete by client") REC), OK},
    {"Q404", "bad claim transition",
     "The claim transition does not leave the initial phase, or is not `by "
     "operator`. The claim is the moment a Job, created from an assigned Task, is "
     "taken by an operator (the assignee, or any active operator under `ownership "
     "pool`); it happens once, at the start, and it is what makes that operator the "
     "owner. Write it as `INITIAL -> ... on claim by operator`.",
     SPEC(EXEC LIFE TRANS_X("queued -> claimed on claim by admin", DONE) REC), OK},
    {"Q405", "claim and ownership contradict each other",
     "`claim none` with an ownership other than `none`, or a claim with `ownership "
     "none`. Ownership of a Job is established by the claim: without a claim there "
     "is no owner, and a claim that records no owner would mean nothing. Pair "
     "`claim none` with `ownership none`, or claim with `assigned`/`pool`.",
     SPEC(EXEC_X("none", "assigned", "independent") LIFE2
              "    transitions { queued -> complete on complete by operator outcome delivered }\n" REC),
     SPEC(EXEC_NONE LIFE2 "    transitions { queued -> complete on complete by operator outcome delivered }\n"
              REC)},
    {"Q406", "`by owner` where no owner exists",
     "A transition is `by owner` on a surface with `ownership none`, or leaves the "
     "initial phase by owner before any claim. A Job has an owner only after its "
     "claim; a step reserved to the owner before that could never be taken. Use "
     "`by operator` there, or make it the claim.",
     SPEC(EXEC_NONE LIFE2 "    transitions { queued -> complete on complete by owner }\n"
              REC),
     SPEC(EXEC_NONE LIFE2 "    transitions { queued -> complete on complete by operator outcome delivered }\n"
              REC)},
    {"Q407", "required evidence is never checked",
     "The evidence contract has required categories, but no transition `requires "
     "evidence`. Required evidence is the proof a ServiceEvent happened before its "
     "Record is composed; the runtime checks it only on transitions that require "
     "it, so without one the requirement would bind nothing. Add `requires "
     "evidence` to the transition that must check it (usually the one into the "
     "final phase).",
     SPEC(EXEC LIFE TRANS EVIDENCE("photos", "", "1") REC),
     SPEC(EXEC LIFE TRANS_X(CLAIM, DONE_BY " requires evidence outcome delivered") EVIDENCE("photos", "", "1")
              REC)},
    {"Q408", "payment gate without `before_complete`",
     "A transition `requires payment` but the payment timing is `independent` or "
     "`after_complete`. Settlement is the last layer of the envelope and is kept "
     "separate from execution: only `payment_timing before_complete` lets payment "
     "gate a Job, and then explicitly. Remove the condition or set `payment_timing "
     "before_complete`.",
     SPEC(EXEC LIFE TRANS_X(CLAIM, DONE_BY " requires payment outcome delivered") REC),
     SPEC(EXEC_X("required", "assigned", "before_complete") LIFE
              TRANS_X(CLAIM, DONE_BY " requires payment outcome delivered") REC)},
    {"Q409", "`before_complete` without a payment gate",
     "`payment_timing before_complete` is set but no transition into a final phase "
     "`requires payment`. The setting promises that no Job completes before its "
     "Settlement is paid or waived; the runtime keeps that promise only through a "
     "`requires payment` gate on the way into a final phase. Add one, or choose "
     "another payment timing.",
     SPEC(EXEC_X("required", "assigned", "before_complete") LIFE TRANS REC),
     SPEC(EXEC_X("required", "assigned", "before_complete") LIFE
              TRANS_X(CLAIM, DONE_BY " requires payment outcome delivered") REC)},
    {"Q410", "record field is not a ServiceEvent field",
     "The record lists a field that is not part of the ServiceEvent: settlement "
     "state (amount, paid...), governance state (approval, assignee...) or request "
     "data, or a typo. The Record is execution truth composed when a Job "
     "completes; money lives in Settlement and decisions in Task and Assignment, "
     "so mixing them would let the Record disagree with the layer that owns them. "
     "Use ServiceEvent fields: job, surface, fingerprint, request, operator, scope, "
     "context, participants, evidence, phases, outcome, claimed_at, started_at, "
     "completed_at, notes.",
     SPEC(EXEC LIFE TRANS "    record { job outcome amount }\n"), OK},
    {"Q411", "settlement drives a transition",
     "A transition's event is a settlement word (pay, paid, settle, invoice, "
     "charge, refund...). Payments are recorded with `qtm settle` and never move a "
     "Job: Settlement follows the Record, it does not drive execution. Use an "
     "execution event, and if completion must wait for payment, use `requires "
     "payment` with `payment_timing before_complete`.",
     SPEC(EXEC LIFE TRANS_X(CLAIM, "claimed -> complete on pay by owner") REC), OK},
    {"Q412", "required evidence with minimum 0",
     "Evidence categories are required but `min_per_category` is 0. A required "
     "category with a minimum of zero items is satisfied by no evidence at all, "
     "so the gate before the Record would check nothing. Set `min_per_category` to "
     "at least 1, or make the categories optional.",
     SPEC(EXEC LIFE TRANS_X(CLAIM, DONE_BY " requires evidence outcome delivered") EVIDENCE("photos", "", "0")
              REC),
     SPEC(EXEC LIFE TRANS_X(CLAIM, DONE_BY " requires evidence outcome delivered") EVIDENCE("photos", "", "1")
              REC)},
    {"Q413", "claim event under `claim none`",
     "A transition uses the `claim` event on a surface with `claim none`. The claim "
     "event is the one that makes an operator a Job's owner; under `claim none` "
     "nobody owns Jobs, so such a step would promise an ownership the runtime never "
     "records. Use another event, or set `claim required` or `optional`.",
     SPEC(EXEC_NONE LIFE2 "    transitions { queued -> complete on claim by operator }\n"
              REC),
     SPEC(EXEC_NONE LIFE2 "    transitions { queued -> complete on complete by operator outcome delivered }\n"
              REC)},

    {"Q414", "an admin transition out of the initial phase",
     "A transition `by admin` leaves the initial phase. Leaving it opens the "
     "ServiceEvent, which is execution: it belongs to the operator who claims the "
     "Job, and a Record composed from it could name no operator. An admin acts on "
     "work before its claim through governance instead: `qtm job cancel` cancels a "
     "queued Job (no ServiceEvent, no Record). Remove the transition, or let the "
     "owner end the work after the claim with an outcome and a reason. A retained "
     "spec (an older version named by a newer spec's `migrate from`, or the OLD of "
     "`qtmc diff`) shipped before this check keeps its transition, so that its "
     "jobs in flight run under the rules they were created with; the current "
     "spec is always checked.",
     SPEC(EXEC LIFE_X("  cancelled \"Cancelled\" final")
              "    transitions { " CLAIM "\n"
              "                  " DONE "\n"
              "                  queued -> cancelled on cancel by admin outcome cancelled }\n" REC),
     SPEC(EXEC LIFE_X("  cancelled \"Cancelled\" final")
              "    transitions { " CLAIM "\n"
              "                  " DONE "\n"
              "                  claimed -> cancelled on cancel by owner requires reason outcome cancelled }\n"
              REC)},

    /* --- warnings ------------------------------------------------------------------ */
    {"Q501", "phase without a label (-Wmissing-label)",
     "A phase has no label. Operators see the label of a Job's phase on the desk and "
     "in the operator guide; without it they see the bare identifier. Write the "
     "label after the phase name, e.g. `claimed \"Confirmed\"`. A warning: "
     "-Wno-missing-label silences it, -Werror makes it an error.",
     SPEC(EXEC
          "    lifecycle { queued \"Queued\" initial  claimed\n"
          "                complete \"Complete\" final }\n" TRANS REC),
     OK},
    {"Q502", "empty intake section (-Wempty-section)",
     "An intake section has no fields. The intake form is what a Request asks its "
     "client; an empty section asks nothing and shows an empty heading. Add fields "
     "or remove the section. A warning: -Wno-empty-section silences it.",
     SPEC(EXEC "    intake { contact { name: text } notes { } photos min 0 }\n" LIFE TRANS
              REC),
     SPEC(EXEC "    intake { contact { name: text } photos min 0 }\n" LIFE TRANS REC)},
    {"Q503", "optional evidence never checked (-Wunused-category)",
     "Optional evidence categories are declared but no transition `requires "
     "evidence`, so the runtime never looks at the evidence contract for this "
     "surface. Optional categories are context attached to the ServiceEvent; "
     "declaring them suggests a check that never happens. Add `requires evidence` "
     "where evidence is reviewed, or drop the categories. A warning: "
     "-Wno-unused-category silences it.",
     SPEC(EXEC LIFE TRANS EVIDENCE("", "receipt", "0") REC),
     SPEC(EXEC LIFE TRANS_X(CLAIM, DONE_BY " requires evidence outcome delivered") EVIDENCE("", "receipt", "0")
              REC)},
    {"Q504", "scheduling, messaging or payment as a phase or event (-Wguardrail)",
     "A phase or event is named like scheduling (`schedule*`, `calendar*`), "
     "messaging (`message*`, `notify*`, `remind*`) or payment (`paid`, `settled`, "
     "`captured`, `invoice*`, `payment*`, `charge*`). In the governed envelope "
     "those are not execution: a date or window is Request or ServiceEvent data, "
     "a message is context, and payment is settlement, recorded apart and never "
     "moving a Job. A phase named for them suggests the lifecycle waits on them. "
     "Name phases for the work itself. A warning: -Wno-guardrail silences it.",
     SPEC(EXEC LIFE TRANS_X(CLAIM, "claimed -> complete on notify_client by owner outcome delivered")
              REC),
     OK},

    /* --- versions and migration -------------------------------------------------- */
    {"Q601", "malformed fingerprint in `migrate from`",
     "A `migrate from` names the older spec by its fingerprint: \"sha256:\" and 64 "
     "lowercase hex digits, exactly as `qtmc --emit json` or `qtm surfaces --json` "
     "print it. Jobs carry that fingerprint from the moment they are created, and "
     "`qtm migrate` matches it byte for byte, so an abbreviated or mistyped one could "
     "never apply. Copy the whole fingerprint of the older spec.",
     V2(MIGRATE("sha256:b21a9292", "claimed -> confirmed")),
     V2(MIGRATE(FP_OK, "claimed -> confirmed"))},
    {"Q602", "two migrate blocks from one fingerprint",
     "Each older fingerprint gets one `migrate from` block. With two, a job in flight "
     "under that spec would have two answers for where it goes. Merge the blocks.",
     V2(MIGRATE(FP_OK, "claimed -> confirmed") MIGRATE(FP_OK, "queued -> queued")),
     V2(MIGRATE(FP_OK, "claimed -> confirmed  queued -> queued"))},
    {"Q603", "migration to an undefined phase",
     "The right side of `old -> new` must be a phase of this spec: it is where jobs "
     "waiting in the old phase continue, under this spec's tables. Name one of the "
     "phases in the lifecycle block.",
     V2(MIGRATE(FP_OK, "claimed -> confirmd")),
     V2(MIGRATE(FP_OK, "claimed -> confirmed"))},
    {"Q604", "old phase mapped twice",
     "A phase of the older spec appears on the left of two lines of one migrate block. "
     "A job in it must go to exactly one phase, so each old phase is mapped once. Keep "
     "the line you mean.",
     V2(MIGRATE(FP_OK, "claimed -> confirmed  claimed -> queued")),
     V2(MIGRATE(FP_OK, "claimed -> confirmed"))},
    {"Q605", "old phase not in the older spec",
     "The older spec was compiled alongside (as history, or in the same run), and the "
     "left side of a mapping is not one of its phases. A mapping from a phase no job "
     "can be in is a typo that hides a missing one. Use a phase name of the older "
     "spec.",
     WITH_V1(MIGRATE(FP_OK, "claimd -> confirmed")),
     WITH_V1(MIGRATE(FP_OK, "claimed -> confirmed"))},
    {"Q606", "in-flight phase of the older spec not mapped",
     "A non-final phase of the older spec can hold jobs in flight, and this spec has no "
     "phase of the same name, so those jobs would have nowhere to go: `qtm migrate` "
     "would refuse them. Phases with the same name in both specs map to each other "
     "implicitly; map every other one with `old -> new`. (A final phase left unmapped "
     "keeps its jobs under the older spec until `job complete`.)",
     WITH_V1(MIGRATE(FP_OK, "")),
     WITH_V1(MIGRATE(FP_OK, "claimed -> confirmed"))},
    {"Q607", "migration to a phase that cannot hold the job",
     "A mapping (explicit or by name) would put jobs where they cannot be: the initial "
     "phase must map to the initial phase (a job not yet claimed has no ServiceEvent) "
     "and no other phase may map to it (a job past it is claimed); a phase where "
     "execution goes on cannot map to a final phase (the record would never be "
     "composed), and a final phase must map to a final phase. Map the phase to one "
     "that plays the same part.",
     WITH_V1(MIGRATE(FP_OK, "claimed -> complete")),
     WITH_V1(MIGRATE(FP_OK, "claimed -> confirmed"))},
};

const size_t explain_count = countof(explain_table);

const explain_entry *explain_find(const char *code)
{
    for (size_t i = 0; i < explain_count; i++) {
        const char *a = explain_table[i].code, *b = code;
        while (*a && toupper((unsigned char)*b) == *a) {
            a++;
            b++;
        }
        if (!*a && !*b)
            return &explain_table[i];
    }
    return NULL;
}

/* Writes text word-wrapped at `width` columns (words are never split). */
static void wrap(FILE *out, const char *text, size_t width)
{
    size_t col = 0;
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (!n)
            break;
        if (col && col + 1 + n > width) {
            fputc('\n', out);
            col = 0;
        } else if (col) {
            fputc(' ', out);
            col++;
        }
        fwrite(p, 1, n, out);
        col += n;
        p += n;
    }
    fputc('\n', out);
}

/* Writes each line of a spec indented by four spaces. */
static void indented(FILE *out, const char *spec)
{
    while (*spec) {
        size_t n = strcspn(spec, "\n");
        fputs(n ? "    " : "", out);
        fwrite(spec, 1, n, out);
        fputc('\n', out);
        spec += n + (spec[n] == '\n');
    }
}

int explain_print(const char *code, FILE *out, FILE *err)
{
    if (!code) {
        for (size_t i = 0; i < explain_count; i++)
            fprintf(out, "%s  %s\n", explain_table[i].code, explain_table[i].title);
        return 0;
    }
    const explain_entry *e = explain_find(code);
    if (!e) {
        fprintf(err,
                "qtmc: error: unknown diagnostic code '%s'\n"
                "Codes look like Q402: Q001-Q005 lexical, syntax and limits; Q101-Q118 names "
                "and values;\nQ201-Q207 lifecycle graph; Q301 determinism; Q401-Q413 "
                "governance; Q501-Q503 warnings; Q601-Q607 versions and migration.\n"
                "'qtmc --explain' lists them all.\n",
                code);
        return 2;
    }
    fprintf(out, "%s: %s\n\n", e->code, e->title);
    wrap(out, e->text, 76);
    fputs("\nBad:\n\n", out);
    indented(out, e->bad);
    fputs("\nGood:\n\n", out);
    indented(out, e->good);
    return 0;
}
