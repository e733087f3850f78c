/* ops.c - operations as the textbook exercises write them: "+10,+20,-0"
 * allocates 10 bytes, then 20, then frees the first block (a list of items
 * as the simulator's items.h reads them).  Then the checks every
 * operation must pass before a heap runs it, the same for a whole
 * sequence and for one. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "sim/diag.h"
#include "sim/items.h"

void freespace_op_text(char *text, size_t size, const struct freespace_op *op)
{
    snprintf(text, size, "%c%llu", op->kind == FREESPACE_ALLOC ? '+' : '-',
             (unsigned long long)op->value);
}

/* One item, "+N" or "-K", of length `length` at text; NULL, or what is
 * wrong with it. */
static const char *parse_item(const char *text, size_t length, struct freespace_op *op)
{
    if (text[0] != '+' && text[0] != '-')
        return "expected +SIZE to allocate or -INDEX to free";
    if (length == 1 || !isdigit((unsigned char)text[1]))
        return text[0] == '+' ? "expected a size after '+'" : "expected an index after '-'";
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text + 1, &end, 10);
    if (end != text + length)
        return "unexpected text after the number";
    if (errno)
        return "the number is too large";
    *op = (struct freespace_op){text[0] == '+' ? FREESPACE_ALLOC : FREESPACE_FREE, value};
    return NULL;
}

int freespace_ops_parse(const char *text, struct freespace_op **ops, size_t *count,
                        struct sim_diag *diag)
{
    /* An operation takes three characters or more with its separator. */
    struct freespace_op *out = malloc(sizeof *out * ((strlen(text) + 1) / 3 + 1));
    size_t n = 0;
    if (!out)
        return SIM_ERR_NOMEM;
    struct items items = {.at = text};
    const char *p, *problem;
    size_t length;
    while (items_next(&items, &p, &length, &problem)) {
        if (!problem)
            problem = parse_item(p, length, &out[n]);
        if (problem) {
            char where[32], item[32];
            snprintf(where, sizeof where, "op %zu", n + 1);
            snprintf(item, sizeof item, "%.*s%s", length > 24 ? 24 : (int)length, p,
                     length > 24 ? "..." : "");
            free(out);
            return diag_set(diag, SIM_ERR_PARSE, where, 0, item, "%s", problem);
        }
        n++;
    }
    if (n == 0) {
        free(out);
        return diag_set(diag, SIM_ERR_PARSE, "--ops", 0, NULL, "no operations");
    }
    *ops = out;
    *count = n;
    return SIM_OK;
}

bool freespace_block_size(const struct freespace_config *c, uint64_t request,
                          uint64_t *size)
{
    if (request > c->size)
        return false;
    uint64_t padding = request % c->align ? c->align - request % c->align : 0;
    if (padding > c->size - request || c->header > c->size - request - padding)
        return false;
    *size = request + padding + c->header;
    return true;
}

int freespace_op_refused(const struct freespace_config *c, const struct freespace_op *op,
                         uint64_t number, uint64_t allocations, bool freed,
                         struct sim_diag *diag)
{
    char where[32], text[24], reason[160];
    uint64_t size;
    if (op->kind == FREESPACE_ALLOC && op->value == 0)
        snprintf(reason, sizeof reason, "a request for 0 bytes (ask for 1 or more)");
    else if (op->kind == FREESPACE_ALLOC && !freespace_block_size(c, op->value, &size))
        snprintf(reason, sizeof reason, "%llu bytes%s do not fit in the %llu-byte heap",
                 (unsigned long long)op->value,
                 c->header || c->align > 1 ? " with the header and rounding" : "",
                 (unsigned long long)c->size);
    else if (op->kind == FREESPACE_FREE && op->value >= allocations && allocations)
        snprintf(reason, sizeof reason,
                 "block %llu was never allocated (the allocations so far are 0 to %llu)",
                 (unsigned long long)op->value, (unsigned long long)allocations - 1);
    else if (op->kind == FREESPACE_FREE && op->value >= allocations)
        snprintf(reason, sizeof reason, "block %llu was never allocated (nothing has been yet)",
                 (unsigned long long)op->value);
    else if (op->kind == FREESPACE_FREE && freed)
        snprintf(reason, sizeof reason, "block %llu was already freed",
                 (unsigned long long)op->value);
    else
        return SIM_OK;
    snprintf(where, sizeof where, "op %llu", (unsigned long long)number);
    freespace_op_text(text, sizeof text, op);
    return diag_set(diag, SIM_ERR_PARSE, where, 0, text, "%s", reason);
}

int freespace_ops_check(const struct freespace_config *config, const struct freespace_op *ops,
                        size_t count, struct sim_diag *diag)
{
    bool *freed = calloc(count ? count : 1, sizeof *freed); /* by allocation */
    if (!freed)
        return SIM_ERR_NOMEM;
    uint64_t allocations = 0;
    int status = SIM_OK;
    for (size_t i = 0; i < count && !status; i++) {
        const struct freespace_op *op = &ops[i];
        bool known = op->kind == FREESPACE_FREE && op->value < allocations;
        status = freespace_op_refused(config, op, i + 1, allocations,
                                      known && freed[op->value], diag);
        if (op->kind == FREESPACE_ALLOC)
            allocations++;
        else if (known)
            freed[op->value] = true;
    }
    free(freed);
    return status;
}
