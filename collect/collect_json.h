/*
 * collect_json: jansson helpers shared by the platform files of collect only
 * (json_t never leaves the collect module).
 */
#ifndef COLLECT_JSON_H
#define COLLECT_JSON_H

#include <jansson.h>

#include "collect.h"

/*
 * Parse a reply body. An empty body or one that is not JSON (an HTML page) is
 * SV_EEXTERNAL with `what_if_not_json` as the reason ("RemoteControl not
 * enabled or wrong URL"); NULL gives a parse error with line and column.
 * Caller owns *out (json_decref).
 */
int collect_json_parse(json_t **out, const struct sv_buf *body, const char *source,
                       const char *what_if_not_json, struct sv_error *err);

/* The value at a dotted path ("data.items"); "" or NULL = the root. Borrowed. */
json_t *collect_json_path(json_t *root, const char *path);

/* A scalar as a string (numbers in C notation, booleans "true"/"false"); NULL for null. */
int collect_json_scalar(char *buf, size_t size, const json_t *v, const char **out);

/*
 * Hand one response object to the sink: nested objects are flattened to
 * "group/question" keys, arrays (repeat groups) and keys in `skip` (NULL-ended
 * list of exact keys) are left out, personal and system fields are removed
 * from the raw payload kept in the store (and from `obj`, which is changed).
 */
int collect_json_record(struct collect_sink *s, json_t *obj, const char *id, const char *submitted,
                        const char *const *skip, struct sv_error *err);

/*
 * A LimeSurvey RemoteControl session (collect_limesurvey.c), for the commands
 * that do more than fetch (participants, invitations). Opening logs in (the
 * password goes only into the get_session_key call); closing releases the key.
 */
/*
 * Call `method` with the session key followed by `args` (stolen); the key is
 * renewed once when the server forgot it. Transport and JSON-RPC errors are
 * SV_EEXTERNAL; an application error ({"status": ...}) is returned as the
 * result for the caller to judge, since LimeSurvey's errors differ per method.
 */
int collect_ls_call(struct collect_ls *ls, const char *method, json_t *args, json_t **result_out,
                    struct sv_error *err);
/* The "status" text of a result object, or NULL. Borrowed. */
const char *collect_ls_status(json_t *result);
/* True when `status` contains `needle`, ignoring case (NULL status: false). */
bool collect_ls_status_has(const char *status, const char *needle);

#endif
