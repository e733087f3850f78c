/*
 * suppressions.h - suppressions=FILE: findings a project knows of and does
 * not own (a library's leaks, say) are not reported.  The file has one rule
 * a line, in LeakSanitizer's format:
 *
 *   # comments and blank lines are ignored
 *   leak:libfontconfig.so
 *   double_free:^legacy_cache_drop$
 *
 * The kind is `leak` or an error of error_kind.h in underscores; the pattern
 * names a function, a source file or a library (its path or file name) of
 * any frame of the finding's stack: '*' stands for any run of characters,
 * '^' and '$' tie it to the start and the end, and without them it may
 * match anywhere in the name.  The first rule that matches is the one
 * counted; at exit the rules used are listed with what they hid.
 */
#ifndef MMKIT_SUPPRESSIONS_H
#define MMKIT_SUPPRESSIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "error_kind.h"
#include "platform.h"
#include "stack.h"

/* A rule's kind: an error_kind, or leaks. */
#define SUPPRESS_LEAK ERROR_KIND_COUNT

/* Read the rules of `path` at start-up (instead of any read before),
 * warning once about each line that is not a rule and about a file that
 * cannot be read (then nothing is suppressed).  False if no rule was read. */
bool suppressions_load(const char *path) INTERNAL;

/* Is there a rule of this kind? */
bool suppressions_of(unsigned kind) INTERNAL;

/* The first rule of `kind` that a frame of `stack` matches, or -1. */
int suppressions_match(unsigned kind, stack_id stack) INTERNAL;

/* A finding the rule hid: an error (bytes 0) or a leaked block. */
void suppressions_count(int rule, size_t bytes) INTERNAL;

/* The leaked bytes and blocks the rules hid in all. */
void suppressions_leak_totals(size_t *bytes, size_t *blocks) INTERNAL;

/* The rules used so far, as a table ("Suppressions used:", then a line a
 * rule: count, bytes or '-' for errors, the rule), or as the JSON array of
 * the leak report; nothing if no rule was used.  The text table is printed
 * once: later calls print nothing.  suppressions_print_report heads it with
 * the lines that begin a report, for when the leak report did not print
 * it. */
void suppressions_print_used(void) INTERNAL;
void suppressions_print_report(void) INTERNAL;
void suppressions_print_used_json(void) INTERNAL;

#endif /* MMKIT_SUPPRESSIONS_H */
