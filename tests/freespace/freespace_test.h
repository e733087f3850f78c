/* freespace_test.h - helpers shared by the free-space tests: make a heap,
 * run operations on it, and write its free list the way the expected
 * answers do ("1000:8 1008:92"). */
#ifndef MMKIT_FREESPACE_TEST_H
#define MMKIT_FREESPACE_TEST_H

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mmkit/freespace.h"

/* Operations on malloc.py's heap (100 bytes at 1000), and the answers. */
#define WORKED_MAX_OPS 40
struct worked_case {
    const char *policy;
    enum freespace_order order;
    bool coalesce;
    uint64_t header, align;
    const char *ops;
    struct {
        int64_t block;     /* ALLOC: the block's first byte; -1 if it failed */
        uint64_t searched; /* ALLOC: holes looked at */
        const char *free_list; /* after the operation */
    } answers[WORKED_MAX_OPS];
};

/* malloc.py's heap (100 bytes at 1000) with this policy. */
static inline struct freespace_config test_config(const char *policy, enum freespace_order order,
                                                  bool coalesce, enum freespace_structure structure)
{
    struct freespace_config config;
    freespace_config_default(&config);
    assert_int_equal(freespace_config_set(&config, "policy", policy, NULL), SIM_OK);
    config.order = order;
    config.coalesce = coalesce;
    config.structure = structure;
    return config;
}

static inline struct freespace_heap *test_heap(const struct freespace_config *config)
{
    struct freespace_heap *heap;
    struct sim_diag diag = {0};
    int status = freespace_heap_create(&heap, config, &diag);
    if (status)
        fail_msg("no heap: %s: %s", diag.field, diag.message);
    return heap;
}

/* The free list as "addr:size addr:size", in list order. */
static inline void test_free_list(const struct freespace_heap *heap, char *text, size_t size)
{
    struct freespace_hole holes[256];
    size_t count = freespace_heap_holes(heap, holes, 256);
    assert_true(count <= 256);
    size_t used = 0;
    text[0] = '\0';
    for (size_t i = 0; i < count && used < size; i++)
        used += (size_t)snprintf(text + used, size - used, "%s%" PRIu64 ":%" PRIu64,
                                 i ? " " : "", holes[i].addr, holes[i].size);
}

/* Parse ops, which must be good. */
static inline struct freespace_op *test_ops(const char *text, size_t *count)
{
    struct freespace_op *ops;
    struct sim_diag diag = {0};
    if (freespace_ops_parse(text, &ops, count, &diag))
        fail_msg("%s: %s: %s", diag.file, diag.field, diag.message);
    return ops;
}

/* Apply an op the heap must accept. */
static inline struct freespace_result test_apply(struct freespace_heap *heap,
                                                 const struct freespace_op *op)
{
    struct freespace_result result;
    struct sim_diag diag = {0};
    if (freespace_apply(heap, op, &result, &diag))
        fail_msg("%s: %s: %s", diag.file, diag.field, diag.message);
    return result;
}

/* Apply an op the heap must accept, and say what came of it: the block it
 * allocated (-1 if the allocation failed, 0 for a free), and the free
 * list after it, as test_free_list writes it. */
static inline int64_t test_step(struct freespace_heap *heap, const struct freespace_op *op,
                                struct freespace_result *result, char *list, size_t size)
{
    *result = test_apply(heap, op);
    test_free_list(heap, list, size);
    if (op->kind == FREESPACE_FREE)
        return 0;
    return result->failed ? -1 : (int64_t)result->block;
}

/* A heap made from config that has run the operations text, which it must
 * accept; destroy it when done. */
static inline struct freespace_heap *test_run(const struct freespace_config *config,
                                              const char *text)
{
    size_t count;
    struct freespace_op *ops = test_ops(text, &count);
    struct freespace_heap *heap = test_heap(config);
    struct sim_diag diag = {0};
    if (freespace_run(heap, ops, count, NULL, &diag))
        fail_msg("%s: %s: %s", diag.file, diag.field, diag.message);
    free(ops);
    return heap;
}

#endif
