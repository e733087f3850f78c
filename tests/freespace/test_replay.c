/* test_replay.c - a program's calls replayed (freespace_replay): blocks
 * found by the program's address, unmatched frees counted and skipped,
 * realloc as a free and an allocation, aligned calls given room, a heap
 * that grows for the fits, and the heap a trace gets per policy. */
#include "freespace_test.h"

/* A 64-byte heap at 0, requests rounded to 16, first fit, coalescing. */
static struct freespace_heap *small_heap(bool grow)
{
    struct freespace_config config = test_config("first", FREESPACE_BY_ADDRESS, true,
                                                 FREESPACE_ANY);
    config.base = 0;
    config.size = 64;
    config.align = 16;
    config.grow = grow;
    return test_heap(&config);
}

static void call(struct freespace_heap *heap, enum freespace_call_kind kind, uint64_t address,
                 uint64_t old_address, uint64_t size, uint64_t alignment)
{
    struct freespace_call c = {kind, address, old_address, size, alignment};
    struct sim_diag diag = {0};
    freespace_replay_prefetch(heap, &c); /* a hint: every answer below holds with it */
    assert_int_equal(freespace_replay(heap, &c, NULL, &diag), SIM_OK);
}

#define ALLOC(heap, address, size) call(heap, FREESPACE_CALL_ALLOC, address, 0, size, 0)
#define FREE(heap, address) call(heap, FREESPACE_CALL_FREE, address, 0, 0, 0)
#define REALLOC(heap, old, address, size) call(heap, FREESPACE_CALL_REALLOC, address, old, size, 0)

static void frees_find_blocks_by_address_and_unmatched_ones_are_counted(void **state)
{
    struct freespace_heap *heap = small_heap(false);
    ALLOC(heap, 0x1000, 10); /* [0, 16] */
    ALLOC(heap, 0x2000, 40); /* [16, 48]: the heap is full */
    FREE(heap, 0x3000);      /* never allocated: unmatched */
    ALLOC(heap, 0x4000, 20); /* 32 bytes, none free: fails */
    FREE(heap, 0x1000);
    FREE(heap, 0x4000);      /* the failed one: a free of nothing, but matched */
    FREE(heap, 0x4000);      /* now unmatched */
    FREE(heap, 0);           /* free(NULL): not replayed */
    struct freespace_stats s;
    freespace_heap_stats(heap, &s);
    assert_int_equal(s.allocations, 3);
    assert_int_equal(s.failures, 1);
    assert_int_equal(s.frees, 2);
    assert_int_equal(s.unmatched_frees, 2);
    assert_int_equal(s.operations, 5);
    assert_int_equal(s.live_bytes, 40);
    assert_int_equal(s.peak_live_bytes, 50);
    char list[128];
    test_free_list(heap, list, sizeof list);
    assert_string_equal(list, "0:16");
    freespace_heap_destroy(heap);
}

static void realloc_frees_then_allocates_so_it_can_grow_in_place(void **state)
{
    struct freespace_heap *heap = small_heap(false);
    ALLOC(heap, 0x1000, 16);          /* [0, 16] */
    ALLOC(heap, 0x2000, 16);          /* [16, 16] */
    FREE(heap, 0x2000);               /* [16, 48] free */
    REALLOC(heap, 0x1000, 0x5000, 48); /* freed, merged, placed at 0 again */
    char list[128];
    test_free_list(heap, list, sizeof list);
    assert_string_equal(list, "48:16");
    REALLOC(heap, 0x5000, 0x6000, 0); /* shrinks to a block of its own: 16 bytes */
    test_free_list(heap, list, sizeof list);
    assert_string_equal(list, "16:48");
    REALLOC(heap, 0x6000, 0, 8);      /* failed in the program: the block stays */
    REALLOC(heap, 0x7000, 0x8000, 8); /* an old block never seen: unmatched, then allocated */
    struct freespace_stats s;
    freespace_heap_stats(heap, &s);
    assert_int_equal(s.unmatched_frees, 1);
    assert_int_equal(s.live_bytes, 1 + 8);
    call(heap, FREESPACE_CALL_REALLOC, 0, 0x6000, 0, 0); /* realloc(p, 0) returned NULL: freed */
    freespace_heap_stats(heap, &s);
    assert_int_equal(s.live_bytes, 8);
    test_free_list(heap, list, sizeof list);
    assert_string_equal(list, "0:16 32:32");
    freespace_heap_destroy(heap);
}

static void an_address_given_again_frees_the_block_that_had_it(void **state)
{
    struct freespace_heap *heap = small_heap(false);
    ALLOC(heap, 0x1000, 16);
    ALLOC(heap, 0x1000, 32); /* its free was lost */
    struct freespace_stats s;
    freespace_heap_stats(heap, &s);
    assert_int_equal(s.live_bytes, 32);
    assert_int_equal(s.frees, 1);
    freespace_heap_destroy(heap);
}

static void an_aligned_call_gets_room_to_slide_up_to_its_alignment(void **state)
{
    struct freespace_heap *heap = small_heap(false);
    call(heap, FREESPACE_CALL_ALLOC, 0x1000, 0, 10, 64); /* 16, and 64 - 16 to slide */
    call(heap, FREESPACE_CALL_ALLOC, 0x2000, 0, 10, 8);  /* 16-byte blocks are 8-aligned */
    struct freespace_stats s;
    freespace_heap_stats(heap, &s);
    assert_int_equal(s.failures, 1); /* 64 bytes and then 16 do not fit in 64 */
    assert_int_equal(s.peak_padding_bytes, 64 - 10);
    freespace_heap_destroy(heap);
    heap = small_heap(false);
    call(heap, FREESPACE_CALL_ALLOC, 0x2000, 0, 10, 8);
    freespace_heap_stats(heap, &s);
    assert_int_equal(s.peak_padding_bytes, 16 - 10);
    freespace_heap_destroy(heap);
}

static void a_growing_heap_takes_what_no_hole_holds_at_its_end(void **state)
{
    struct freespace_heap *heap = small_heap(true);
    ALLOC(heap, 0x1000, 48);     /* [0, 48] */
    ALLOC(heap, 0x2000, 100000); /* 16 free: the heap grows by 100000, merged with them */
    struct freespace_stats s;
    freespace_heap_stats(heap, &s);
    assert_int_equal(s.failures, 0);
    assert_int_equal(s.peak_footprint, 48 + 100000);
    assert_int_equal(freespace_heap_config(heap)->size, 64 + 100000);
    ALLOC(heap, 0x3000, 8);  /* the 16 bytes left after it */
    ALLOC(heap, 0x4000, 20); /* less than 64K: the heap grows by 64K */
    assert_int_equal(freespace_heap_config(heap)->size, 64 + 100000 + 64 * 1024);
    freespace_heap_destroy(heap);
}

static void a_trace_gets_a_growing_heap_for_the_fits_and_a_fixed_one_else(void **state)
{
    struct freespace_config config;
    freespace_config_default(&config);
    freespace_trace_heap(&config, 5 << 20, false); /* best fit */
    assert_true(config.grow);
    assert_int_equal(config.size, 64 * 1024);
    assert_int_equal(freespace_config_set(&config, "policy", "buddy", NULL), SIM_OK);
    freespace_trace_heap(&config, 5 << 20, false);
    assert_false(config.grow);
    assert_int_equal(config.size, 32 << 20); /* 4 times 5M, a power of two */
    freespace_trace_heap(&config, 1000, false);
    assert_int_equal(config.size, 16 << 20); /* and no less than 16M */
    config.size = 4096;
    freespace_trace_heap(&config, 5 << 20, true);
    assert_false(config.grow);
    assert_int_equal(config.size, 4096);
    config.grow = true; /* a family cannot grow */
    struct freespace_heap *heap;
    struct sim_diag diag = {0};
    assert_int_equal(freespace_heap_create(&heap, &config, &diag), SIM_ERR_CONFIG);
    assert_string_equal(diag.field, "grow");
}

static void every_policy_replays_the_same_calls(void **state)
{
    for (const char *const *name = freespace_policy_names; *name; name++) {
        struct freespace_config config;
        freespace_config_default(&config);
        assert_int_equal(freespace_config_set(&config, "policy", *name, NULL), SIM_OK);
        config.align = 16;
        config.coalesce = true;
        freespace_trace_heap(&config, 1 << 20, false);
        struct freespace_heap *heap = test_heap(&config);
        for (uint64_t i = 1; i <= 2000; i++) {
            ALLOC(heap, i * 16, i * 37 % 5000 + 1);
            if (i % 3 == 0)
                FREE(heap, (i - 2) * 16);
            if (i % 7 == 0)
                REALLOC(heap, (i - 1) * 16, (i - 1) * 16, i * 11 % 3000);
        }
        for (uint64_t i = 1; i <= 2000; i++)
            FREE(heap, i * 16);
        struct freespace_stats s;
        freespace_heap_stats(heap, &s);
        if (s.failures || s.live_bytes || s.unmatched_frees != 2000 / 3 - 0)
            fail_msg("%s: %" PRIu64 " failures, %" PRIu64 " live, %" PRIu64 " unmatched", *name,
                     s.failures, s.live_bytes, s.unmatched_frees);
        freespace_heap_destroy(heap);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frees_find_blocks_by_address_and_unmatched_ones_are_counted),
        cmocka_unit_test(realloc_frees_then_allocates_so_it_can_grow_in_place),
        cmocka_unit_test(an_address_given_again_frees_the_block_that_had_it),
        cmocka_unit_test(an_aligned_call_gets_room_to_slide_up_to_its_alignment),
        cmocka_unit_test(a_growing_heap_takes_what_no_hole_holds_at_its_end),
        cmocka_unit_test(a_trace_gets_a_growing_heap_for_the_fits_and_a_fixed_one_else),
        cmocka_unit_test(every_policy_replays_the_same_calls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
