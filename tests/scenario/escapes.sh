#!/usr/bin/env bash
# tests/scenario/escapes.sh - hostile text in every field the CLI stores.
#
# An actor name, participant name/role/contact, evidence ref/note (the
# categories are the surface's own: a hostile one is refused, and its
# message checked), intake text fields, a reject reason and a settle note
# carry terminal commands (OSC title, clear screen, colours, BEL, C1 CSI),
# bidi controls (U+202E, U+2066, U+200F, U+061C), DEL, tab and newline.
# Every text view (stdout and stderr) must show them escaped (\x1b, \u202e)
# with no raw control, C1 or bidi byte and valid UTF-8 throughout, while
# --json still round-trips the exact string.  Text that is not valid UTF-8
# is refused field by field (exit 7, the field named, the database
# unchanged); a message quoting such bytes shows them as \xff.  The last
# line is "N passed, N failed".
. "$(dirname "$0")/lib.sh"
export QTM_FAKE_NOW=2026-01-01T00:00:00Z
EC=event-coordination
AD=auto-detailing

command -v perl >/dev/null 2>&1 || { echo "FAIL: perl is not installed"; echo "0 passed, 1 failed"; exit 1; }

# valid UTF-8 throughout, so JSON can carry it exactly
H=$'pwn\e]0;owned\a\e[2J\e[31m\xc2\x9b6n\xe2\x80\xaeevil\xe2\x81\xa6\xe2\x80\x8f\xd8\x9c\x7f\x01\tx\ny'
# what a text view shows for it
E='pwn\x1b]0;owned\x07\x1b[2J\x1b[31m\u009b6n\u202eevil\u2066\u200f\u061c\x7f\x01\x09x\x0ay'

# clean NAME : the last command's stdout and stderr are valid UTF-8 with no
# C0 byte but newline and tab, no DEL, no C1 and no bidi control.  One check.
clean() {
    local f why
    for f in "$T/out" "$T/err"; do
        why=$(perl -0777 -ne '
            if (!utf8::decode($_)) { print "invalid UTF-8"; exit }
            print "raw control" if /[\x00-\x08\x0b-\x1f\x7f-\x9f\x{61c}\x{200e}\x{200f}\x{2028}-\x{202e}\x{2066}-\x{2069}]/' "$f")
        if [ -n "$why" ]; then
            bad "$1: $why in $(basename "$f"): $(od -c "$f" | head -n 8 | oneline)"
            return
        fi
    done
    ok
}

# view NAME ARGS... : qtm ARGS exits 0 and its output is clean.  Two checks.
view() {
    local name=$1
    shift
    run "$name" "$@"
    clean "$name"
}

# refused NAME ARGS... : qtm ARGS fails and its message is clean.  Two checks.
refused() {
    local name=$1
    shift
    q "$@"
    if [ "$rc" -ne 0 ]; then ok; else bad "$name: qtm $*: exit 0, want a refusal"; fi
    clean "$name"
}

fresh escapes
run "init" init
setup_actors

# --- actor name -------------------------------------------------------------
run "add mal" actor add mal --role operator --name "$H"
view "actor list" actor list
has "actor list shows the name escaped" "$T/out" "$E"
run "actor list --json" --json actor list
jqt --arg h "$H" "json: the actor name round-trips" '(.actors[] | select(.slug == "mal") | .name) == $h'

# --- intake text fields, a reject reason -------------------------------------
jq --arg h "$H" '.contact.name = $h | .event.venue = $h | .request.preferred_days = $h | .notes.access = $h' \
    "$EX/event-coordination-wedding.json" >"$T/hostile.json"
run "submit hostile intake" --json request submit $EC --intake "$T/hostile.json"
TASK=$(jv .task)
view "task show (intake)" task show "$TASK"
has "task show escapes what jansson leaves raw" "$T/out" '\u202eevil\u2066\u200f\u061c\x7f'
run "task show --json" --json task show "$TASK"
jqt --arg h "$H" "json: the intake round-trips" \
    '.request.intake.contact.name == $h and .request.intake.notes.access == $h and .request.intake.event.venue == $h'
run "submit another" --json request submit $EC --intake "$T/hostile.json"
REJ=$(jv .task)
view "reject with a hostile reason" --as admin task reject "$REJ" --reason "$H"
view "task show (reason)" task show "$REJ"
has "the reason is escaped" "$T/out" "reason: $E"
run "task show --json (reason)" --json task show "$REJ"
jqt --arg h "$H" "json: the reason round-trips" '.reason == $h'
view "task list" task list

# --- participants, settlement notes: an event-coordination job ------------------
run "approve" --as admin task approve "$TASK"
run "assign" --as admin task assign "$TASK" --to ana
run "create" --json --as admin job create --task "$TASK"
J=$(jv .job)
run "claim" --as ana job claim "$J"
view "participant add" --as ana participant add "$J" --name "$H" --role "$H" --contact "$H"
has "job show escapes the participant" "$T/out" "participant: $E ($E)"
view "settle with a hostile note" --as ana settle "$J" --amount 10 --method cash --note "$H"
run "job show --json" --json job show "$J"
jqt --arg h "$H" "json: the participant round-trips" \
    '.participants[0].name == $h and .participants[0].role == $h and .participants[0].contact == $h' \
    "json: the payment note round-trips" '.settlement.payments[0].note == $h'
for e in arrive start complete; do
    view "advance $e" --as ana job advance "$J" "$e"
done
view "job complete" --as ana job complete "$J"
view "record show" record show --job "$J"
view "record list" record list

# --- evidence: ref and note on an auto-detailing job; a hostile category -------
new_job $AD "$EX/auto-detailing.json" ana 1
run "claim AD" --as ana job claim "$JOB"
PH=$(photo escapes.jpg)
view "evidence with a hostile note" --as ana evidence add "$JOB" arrival "$PH" --note "$H"
has "job show escapes the note" "$T/out" "note: $E"
run "job show --json (evidence)" --json job show "$JOB"
jqt --arg h "$H" "json: the note round-trips" '.evidence[0].note == $h'
refused "a hostile evidence category" --as ana evidence add "$JOB" "$H" "$PH"
has "the category is escaped in the message" "$T/err" "evidence category '$E'"

# --- messages that quote input, invalid UTF-8 -----------------------------------
refused "a hostile method" --as ana settle "$JOB" --amount 5 --method "$H"
has "the method is escaped in the message" "$T/err" "unknown payment method '$E'"
refused "a hostile actor" --as "$H" job claim "$JOB"
refused "a hostile job id" job show "$H"
has "the id is escaped in the message" "$T/err" "'$E' is not a job id"
refused "invalid UTF-8 in a message" --as ana settle "$JOB" --amount 5 --method $'\xff\x9b\xc3'
has "invalid bytes are shown escaped" "$T/err" "method '\\xff\\x9b\\xc3'"

# --- invalid UTF-8 is refused where it would be stored ---------------------------
X=$'ok\xff\x9b'
refuse "actor name" 7 "the actor name is not valid UTF-8" actor add zed --role operator --name "$X"
refuse "participant name" 7 "the participant name is not valid UTF-8" \
    --as ana participant add "$JOB" --name "$X" --role vendor
refuse "participant role" 7 "the participant role is not valid UTF-8" \
    --as ana participant add "$JOB" --name ok --role $'\xc0\xaf'
refuse "participant contact" 7 "the participant contact is not valid UTF-8" \
    --as ana participant add "$JOB" --name ok --role vendor --contact $'\xed\xa0\x80'
refuse "evidence category" 7 "the evidence category is not valid UTF-8" \
    --as ana evidence add "$JOB" $'\xff\x9b\xc3' "$PH"
refuse "evidence file name" 7 "cannot open ok\\xff\\x9b" \
    --as ana evidence add "$JOB" arrival "$X"
refuse "evidence note" 7 "the evidence note is not valid UTF-8" \
    --as ana evidence add "$JOB" arrival "$PH" --note $'\xe2\x80'
refuse "settle note" 7 "the payment note is not valid UTF-8" \
    --as ana settle "$JOB" --amount 5 --method cash --note "$X"
run "submit one to reject" --json request submit $EC --intake "$EX/event-coordination-wedding.json"
R2=$(jv .task)
refuse "reject reason" 7 "the reason is not valid UTF-8" --as admin task reject "$R2" --reason "$X"
refuse "idempotency key" 7 "the idempotency key is not valid UTF-8" \
    request submit $EC --intake "$EX/event-coordination-wedding.json" --key "$X"
jq -r '.contact.name = "@NAME@"' "$EX/event-coordination-wedding.json" |
    perl -pe 's/\@NAME\@/ok\xff\x9b/' >"$T/bad-utf8.json"
refuse "intake text" 7 "intake: not valid JSON" request submit $EC --intake "$T/bad-utf8.json"

# --- every other text view --------------------------------------------------------
view "job show" job show "$J"
view "job show AD" job show "$JOB"
view "desk" desk
view "desk --operator" desk --operator ana
view "log" log
view "log --job" log --job "$J"
view "token list" token list
view "surfaces" surfaces
view "surface show" surface show $AD
view "verify" verify

finish
