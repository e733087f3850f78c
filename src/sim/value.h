/* value.h - the values settings take (numbers, sizes, yes/no), read the
 * same way by the machine's settings and by the free-space heap's, and the
 * one message that refuses a setting. */
#ifndef MMKIT_SIM_VALUE_H
#define MMKIT_SIM_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "mmkit/sim.h"

/* Each returns false if text is not a valid value. */

/* A whole number, decimal or 0x hexadecimal; no sign. */
bool value_parse_u64(const char *text, uint64_t *out);
/* A size in bytes: a number with an optional K, M, G or T (binary units,
 * "KiB" and "KB" spelled out too). */
bool value_parse_size(const char *text, uint64_t *out);
/* yes/true/1 or no/false/0. */
bool value_parse_bool(const char *text, bool *out);

/* Fill diag for a setting that was refused: an unknown key, or a value
 * not valid for it (why, if not NULL, says what is); returns
 * SIM_ERR_CONFIG. */
int value_refused(struct sim_diag *diag, const char *key, const char *value, bool known,
                  const char *why);

#endif
