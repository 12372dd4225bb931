/*
 * intake.h - validates an intake packet against a surface's compiled schema
 * (qtm_surface.fields, nfields, photo_min) and produces its stored form.
 * Validation is total and deterministic: every input, however malformed,
 * gets either the canonical text or exactly one message naming the first
 * problem, found in the fixed order documented on qtmi_intake_validate().
 */
#ifndef QTM_INTAKE_H
#define QTM_INTAKE_H

#include <stddef.h>

#include <jansson.h>

#include "qtm/qtm.h"

#define INTAKE_MAX_BYTES 65536     /* largest packet accepted, in bytes */
#define INTAKE_QUOTE_MAX 40        /* bytes of a user value quoted in a message */
#define INTAKE_PHONE_MIN_DIGITS 7  /* a phone number has 7 to 20 digits */
#define INTAKE_PHONE_MAX_DIGITS 20
#define INTAKE_MAX_PHOTOS 100      /* photos one request may list */

/*
 * qtmi_intake_validate - checks the packet json_text[0..len) (a JSON object:
 * section name -> object of field name -> value) against s's schema, and
 * that its photos reach s->photo_min.  The photos are the packet's
 * top-level "photos" (an array of at most INTAKE_MAX_PHOTOS "sha256:HEX"
 * blob names) followed by the nextra names in extra (files given beside
 * the packet); a name given twice counts once.  Whether they name stored
 * image blobs is the caller's to check (it needs the database).
 *
 * Checks, and so the message given when several problems exist, go in this
 * order: s and json_text present; len <= INTAKE_MAX_BYTES; valid JSON
 * (duplicate keys refused; jansson's nesting limit applies) whose top level
 * is an object; unknown sections (the smallest name, by byte order); then,
 * section by section in schema order, a section that is not an object and
 * its unknown fields (smallest first); then every field in schema order
 * (missing, null, JSON type, emptiness, length, format, choice); last, the
 * photos (their form, then their count).  A missing section means all its fields are missing.  A
 * JSON null on an optional field is the same as leaving it out.
 *
 * Returns QTM_OK and, when canonical is not NULL, stores in *canonical a
 * malloc'd compact JSON text with sorted keys holding exactly the fields
 * given (nulls on optional fields dropped; a section left with no fields
 * is dropped) and, when there are any, "photos": the distinct names in
 * order; the caller frees it with free().  Returns QTM_EINVALID (or
 * QTM_ESTORAGE when out of memory) with *canonical set to NULL and, when
 * msg is not NULL and msglen > 0, a NUL-terminated message in msg such as
 * `intake: contact.email: "ana@" is not an email address` (user values
 * quoted, at most INTAKE_QUOTE_MAX bytes of them, control characters
 * shown as '?'; the message is cut to fit msglen).  Never writes msg on
 * success other than emptying it.  Does not keep any pointer it is given.
 */
qtm_status qtmi_intake_validate(const qtm_surface *s, const char *json_text, size_t len,
                                const char *const *extra, size_t nextra, char **canonical,
                                char *msg, size_t msglen);

/*
 * qtmi_intake_schema_json - the intake schema of s as JSON, for forms:
 *   {"sections": [{"name": S, "fields": [{"name": F, "type": T,
 *     "required": B, "max": N, "choices": [...]}, ...]}, ...],
 *    "photos_min": N}
 * in schema order; "choices" only for one_of fields.  This is the same
 * value as the "intake" member of the surface's model (qtmc --emit json).
 * Returns a new reference the caller owns (json_decref), or NULL if s is
 * NULL or memory runs out.
 */
json_t *qtmi_intake_schema_json(const qtm_surface *s);

#endif /* QTM_INTAKE_H */
