/* test_families.c - the families beyond the free list, on sequences worked
 * by hand: the blocks they return and their holes, by address, after every
 * operation; the buddy system's splits and merges, the slab allocator's
 * full, partial and empty slabs and its reaping, TLSF's rounding to a
 * class, segregated fit within and above a class, libmmkit's classes and
 * pages; and what --explain says of each. */
#define _GNU_SOURCE /* open_memstream */
#include "freespace_test.h"

#define FAMILY_MAX_OPS 16

struct family_case {
    const char *what; /* the case shows that... */
    const char *policy;
    uint64_t heap, min_split, page;
    bool coalesce;
    const char *ops;
    struct {
        int64_t block;         /* ALLOC: the block's first byte; -1 if it failed */
        const char *free_list; /* the holes by address after the operation */
    } answers[FAMILY_MAX_OPS];
};

static struct freespace_config family_config(const struct family_case *c)
{
    struct freespace_config config = test_config(c->policy, FREESPACE_BY_ADDRESS, c->coalesce,
                                                 FREESPACE_ANY);
    config.size = c->heap;
    config.min_split = c->min_split ? c->min_split : 1;
    config.page = c->page;
    return config;
}

static void check_family_case(const struct family_case *c)
{
    struct freespace_config config = family_config(c);
    struct freespace_heap *heap = test_heap(&config);
    size_t count;
    struct freespace_op *ops = test_ops(c->ops, &count);
    assert_true(count <= FAMILY_MAX_OPS);
    for (size_t i = 0; i < count; i++) {
        struct freespace_result r;
        char list[4096];
        int64_t block = test_step(heap, &ops[i], &r, list, sizeof list);
        if (block != c->answers[i].block || strcmp(list, c->answers[i].free_list))
            fail_msg("%s (%s, %s), op %zu: block %" PRId64 " holes '%s'; wanted %" PRId64
                     " holes '%s'",
                     c->what, c->policy, c->ops, i + 1, block, list, c->answers[i].block,
                     c->answers[i].free_list);
    }
    free(ops);
    freespace_heap_destroy(heap);
}

/* ---- buddy ----------------------------------------------------------------- */

static const struct family_case buddy_cases[] = {
    {"a block splits down to its order and merges back up with its buddies",
     "buddy", 128, 0, 0, false, "+10,+20,-0,+5,-1,-2",
     {
         /* 128 -> 64 + [1064, 64] -> 32 + [1032, 32] -> 16 + [1016, 16] */
         {1000, "1016:16 1032:32 1064:64"},
         {1032, "1016:16 1064:64"}, /* order 5 has a block: no split */
         {0, "1000:32 1064:64"},    /* merged with [1016, 16]; [1032, 32] is in use */
         {1000, "1008:8 1016:16 1064:64"}, /* 32 -> 16 + [1016, 16] -> 8 + [1008, 8] */
         {0, "1008:8 1016:16 1032:32 1064:64"}, /* its buddy [1000, 32] is not whole */
         {0, "1000:128"},                       /* 8 + 8, + 16, + 32, + 64 */
     }},
    {"a heap of 100 bytes is 64 + 32 + 4, and neighbours that are not buddies stay apart",
     "buddy", 100, 0, 0, false, "+10,+20,-0,-1,+60,+100",
     {
         {1064, "1000:64 1080:16 1096:4"}, /* order 4 empty: [1064, 32] splits */
         {1000, "1032:32 1080:16 1096:4"}, /* order 5 empty now: [1000, 64] splits */
         /* [1064, 32] touches [1032, 32] but its buddy would be [1096, 32] */
         {0, "1032:32 1064:32 1096:4"},
         {0, "1000:64 1064:32 1096:4"},
         {1000, "1064:32 1096:4"}, /* 60 bytes take 64 */
         {-1, "1064:32 1096:4"},   /* 100 bytes fit the heap, but no block of 128 is */
     }},
    {"no block is split below --min-split", "buddy", 64, 16, 0, false, "+3,+3,-0",
     {
         {1000, "1016:16 1032:32"},
         {1016, "1032:32"},
         {0, "1000:16 1032:32"},
     }},
};

static void buddy_splits_and_merges_as_worked_by_hand(void **state)
{
    for (size_t i = 0; i < sizeof buddy_cases / sizeof buddy_cases[0]; i++)
        check_family_case(&buddy_cases[i]);
}

/* ---- segregated ------------------------------------------------------------ */

static const struct family_case segregated_cases[] = {
    {"a request takes the first hole of the next class with holes; rests go to their class",
     "segregated", 100, 0, 0, false, "+10,+20,-0,+5,-1,+18,+8",
     {
         {1000, "1010:90"}, /* 8..15 is empty: the first of 64..127 */
         {1010, "1030:70"},
         {0, "1000:10 1030:70"},
         {1000, "1005:5 1030:70"},          /* 4..7 is empty: [1000, 10] of 8..15 */
         {0, "1005:5 1010:20 1030:70"},     /* no coalescing */
         {1010, "1005:5 1028:2 1030:70"},   /* [1010, 20] in its own class 16..31 */
         {1030, "1005:5 1028:2 1038:62"},   /* 8..15 is empty: 32..63 too: 64..127 */
     }},
    {"within its class a request takes the first hole by address that holds it",
     "segregated", 100, 0, 0, false, "+20,+1,+24,+1,-0,-2,+22,+30",
     {
         {1000, "1020:80"},
         {1020, "1021:79"},
         {1021, "1045:55"},
         {1045, "1046:54"},
         {0, "1000:20 1046:54"},
         {0, "1000:20 1021:24 1046:54"},
         {1021, "1000:20 1043:2 1046:54"}, /* 16..31: [1000, 20] is too small */
         {1046, "1000:20 1043:2 1076:24"}, /* 16..31 has none of 30: 32..63 */
     }},
    {"with --coalesce a freed block merges with its neighbours by address",
     "segregated", 100, 0, 0, true, "+10,+20,+30,-0,-2,-1",
     {
         {1000, "1010:90"},
         {1010, "1030:70"},
         {1030, "1060:40"},
         {0, "1000:10 1060:40"},
         {0, "1000:10 1030:70"},
         {0, "1000:100"},
     }},
};

static void segregated_fit_as_worked_by_hand(void **state)
{
    for (size_t i = 0; i < sizeof segregated_cases / sizeof segregated_cases[0]; i++)
        check_family_case(&segregated_cases[i]);
}

/* ---- TLSF -------------------------------------------------------------------- */

static const struct family_case tlsf_cases[] = {
    {"a request rounded up to its class fails where a hole of its class would hold it",
     "tlsf", 100, 0, 0, false, "+10,+20,-0,+9,+69,-1,+69",
     {
         {1000, "1010:90"},        /* class 10 empty: the bits give 100..103 */
         {1010, "1030:70"},
         {0, "1000:10 1030:70"},
         {1000, "1009:1 1030:70"}, /* class 9 empty: class 10 */
         /* 69 rounds up to 72 (classes of 4 from 64): [1030, 70] is in 68..71 */
         {-1, "1009:1 1030:70"},
         {0, "1009:91"}, /* merged both ways, although coalescing is off */
         {1009, "1078:22"},
     }},
};

static void tlsf_places_as_worked_by_hand(void **state)
{
    for (size_t i = 0; i < sizeof tlsf_cases / sizeof tlsf_cases[0]; i++)
        check_family_case(&tlsf_cases[i]);
}

/* ---- slab -------------------------------------------------------------------- */

static const struct family_case slab_cases[] = {
    {"objects come from partial slabs, empty slabs are kept until reaped, large blocks "
     "take pages",
     "slab", 128, 0, 32, false, "+8,+16,+50,-1,+20,+8,+8,+8,+8,-0,-5,-2",
     {
         /* caches of 8 and 16 bytes, in slabs of one 32-byte page */
         {1000, "1008:8 1016:8 1024:8 1032:96"},
         {1032, "1008:8 1016:8 1024:8 1048:16 1064:64"},
         {1064, "1008:8 1016:8 1024:8 1048:16"}, /* 50 bytes: two pages */
         {0, "1008:8 1016:8 1024:8 1032:16 1048:16"}, /* the slab is empty, and kept */
         {1032, "1008:8 1016:8 1024:8"}, /* no free page: the empty slab is reaped */
         {1008, "1016:8 1024:8"},
         {1016, "1024:8"},
         {1024, ""}, /* the slab is full */
         {-1, ""},   /* no page, and no empty slab to reap */
         {0, "1000:8"},
         {0, "1000:8 1016:8"}, /* allocation 5 is the second 8 of the slab's rest */
         {0, "1000:8 1016:8 1064:64"},
     }},
};

static void slab_caches_as_worked_by_hand(void **state)
{
    for (size_t i = 0; i < sizeof slab_cases / sizeof slab_cases[0]; i++)
        check_family_case(&slab_cases[i]);
}

/* --explain of a run, in a buffer to free. */
static char *explained(const struct freespace_config *config, const char *text)
{
    char *story = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&story, &length);
    assert_non_null(out);
    size_t count;
    struct freespace_op *ops = test_ops(text, &count);
    struct freespace_heap *heap = test_heap(config);
    struct freespace_run_options options = {.explain = out};
    struct sim_diag diag = {0};
    assert_int_equal(freespace_run(heap, ops, count, &options, &diag), SIM_OK);
    fclose(out);
    free(ops);
    freespace_heap_destroy(heap);
    return story;
}

static void assert_told(const char *story, const char *line)
{
    if (!strstr(story, line))
        fail_msg("--explain does not say '%s':\n%s", line, story);
}

static void slab_explain_names_every_transition(void **state)
{
    struct freespace_config config = family_config(&slab_cases[0]);
    char *story = explained(&config, slab_cases[0].ops);
    assert_told(story, "op 1: ptr[0] = alloc(8) returned 1000, searched 1 hole\n"
                       "  the cache of 8-byte objects: no slab with a free object, so a new "
                       "slab [1000, 32] from the free pages\n"
                       "  object 1 of 4, [1000, 8], 0 bytes over the request; the slab is now "
                       "partial (1 of 4 used)\n");
    assert_told(story, "  larger than the largest cache (16 bytes): 2 pages of its own, "
                       "[1064, 64]\n");
    assert_told(story, "  back to slab [1032, 32] of the 16-byte cache, partial and now empty "
                       "(0 of 2 used): kept for the cache until pages run out\n");
    assert_told(story, "  no run of free pages was large enough: 1 empty slab gave its pages "
                       "back\n");
    assert_told(story, "  object 4 of 4, [1024, 8], 0 bytes over the request; the slab is now "
                       "full (4 of 4 used)\n");
    assert_told(story, "  the cache of 8-byte objects has no free object, and no free pages "
                       "make a new slab\n");
    assert_told(story, "  back to slab [1000, 32] of the 8-byte cache, full and now partial "
                       "(3 of 4 used)\n");
    assert_told(story, "  its 2 pages go back to the free pages\n");
    free(story);
}

static void buddy_explain_tells_each_split_and_merge(void **state)
{
    struct freespace_config config = family_config(&buddy_cases[0]);
    char *story = explained(&config, buddy_cases[0].ops);
    assert_told(story, "  no free block of order 4 to 6; the first of order 7 is [1000, 128]\n"
                       "  split [1000, 128] into [1000, 64] and its buddy [1064, 64], which is "
                       "free\n");
    assert_told(story, "  the block is [1000, 16]: 6 bytes more than the request\n");
    assert_told(story, "  its buddy [1016, 16] is free: merged into [1000, 32]\n"
                       "  [1000, 32] is free, as a block of order 5: its buddy [1032, 32] is "
                       "not free as a whole\n");
    assert_told(story, "  its buddy [1064, 64] is free: merged into [1000, 128]\n");
    free(story);
}

static void tlsf_and_segregated_explain_name_their_classes(void **state)
{
    struct freespace_config tlsf = family_config(&tlsf_cases[0]);
    char *story = explained(&tlsf, tlsf_cases[0].ops);
    assert_told(story, "  rounded up to 72, the start of class 72..75: it and the classes "
                       "above have no holes\n");
    assert_told(story, "  class 10 has no holes; the bits give class 100..103, and its first "
                       "hole, [1000, 100], holds it\n");
    free(story);
    struct freespace_config segregated = family_config(&segregated_cases[1]);
    story = explained(&segregated, segregated_cases[1].ops);
    assert_told(story, "  class 16..31: [1021, 24], hole 2 of the class, is the first that "
                       "holds it\n");
    assert_told(story, "  class 16..31: none of its 1 holes holds it; the next class with "
                       "holes is 32..63, and its first, [1046, 54], holds it\n");
    free(story);
}

/* ---- libmmkit ------------------------------------------------------------------ */

static void mmkit_uses_the_allocator_classes_and_pages(void **state)
{
    struct freespace_config config = test_config("mmkit", FREESPACE_BY_ADDRESS, false,
                                                  FREESPACE_ANY);
    config.base = 0;
    config.size = 1 << 20; /* 16 slices of 64K */
    struct freespace_heap *heap = test_run(&config, "+1,+17,+100000,+200000");
    struct freespace_stats s;
    freespace_heap_stats(heap, &s);
    /* 16 bytes in a 64K page; 32 in another; 112K (7/4 of 64K) in a page of
     * 8 slices that holds 4 of them and 64K it cannot use; 200000 bytes in
     * 4 slices of their own */
    assert_int_equal(s.peak_header_bytes + s.peak_padding_bytes,
                     (16 - 1) + (32 - 17) + (114688 - 100000) + (262144 - 200000));
    assert_int_equal(s.overhead_bytes, 524288 - 4 * 114688);
    assert_int_equal(s.peak_footprint, 10 * 65536 + 4 * 65536);
    struct freespace_op ops[] = {{FREESPACE_FREE, 1}, {FREESPACE_FREE, 3}, {FREESPACE_ALLOC, 20}};
    test_apply(heap, &ops[0]); /* its page is empty, but the class's current one: kept */
    test_apply(heap, &ops[1]); /* the large block's slices go back */
    struct freespace_result r = test_apply(heap, &ops[2]);
    assert_int_equal(r.block, 65536);
    assert_int_equal(r.block_size, 32);
    freespace_heap_stats(heap, &s);
    assert_int_equal(s.largest_hole, 6 * 65536); /* the slices after the 8-slice page */
    freespace_heap_destroy(heap);
}

static void mmkit_gives_an_empty_page_back_unless_it_is_the_current_one(void **state)
{
    struct freespace_config config = test_config("mmkit", FREESPACE_BY_ADDRESS, false,
                                                  FREESPACE_ANY);
    config.base = 0;
    config.size = 4 * 65536;
    struct freespace_heap *heap = test_heap(&config);
    /* 4097 blocks of 16 bytes: a page of 4096 is full, and a second page
     * holds one and is the current page */
    for (int i = 0; i < 4097; i++)
        test_apply(heap, &(struct freespace_op){FREESPACE_ALLOC, 16});
    struct freespace_stats s;
    freespace_heap_stats(heap, &s);
    assert_int_equal(s.largest_hole, 2 * 65536);
    for (uint64_t i = 0; i < 4096; i++)
        test_apply(heap, &(struct freespace_op){FREESPACE_FREE, i});
    freespace_heap_stats(heap, &s);
    /* the first page went back: its slice is free again, beside none */
    struct freespace_hole holes[4096];
    size_t count = freespace_heap_holes(heap, holes, 4096);
    assert_int_equal(count, 1 + 4095 + 1);
    assert_int_equal(holes[0].addr, 0);
    assert_int_equal(holes[0].size, 65536);
    test_apply(heap, &(struct freespace_op){FREESPACE_FREE, 4096});
    count = freespace_heap_holes(heap, holes, 4096);
    assert_int_equal(count, 1 + 4096 + 1); /* the current page is kept, all of it free */
    freespace_heap_destroy(heap);
}

static void mmkit_in_a_heap_under_a_slice_fails_every_request(void **state)
{
    struct freespace_config config = test_config("mmkit", FREESPACE_BY_ADDRESS, false,
                                                  FREESPACE_ANY);
    struct freespace_heap *heap = test_run(&config, "+1,+2,-0");
    struct freespace_stats s;
    freespace_heap_stats(heap, &s);
    assert_int_equal(s.failures, 2);
    assert_int_equal(s.overhead_bytes, 100);
    assert_int_equal(s.free_bytes, 0);
    freespace_heap_destroy(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buddy_splits_and_merges_as_worked_by_hand),
        cmocka_unit_test(buddy_explain_tells_each_split_and_merge),
        cmocka_unit_test(segregated_fit_as_worked_by_hand),
        cmocka_unit_test(tlsf_places_as_worked_by_hand),
        cmocka_unit_test(tlsf_and_segregated_explain_name_their_classes),
        cmocka_unit_test(slab_caches_as_worked_by_hand),
        cmocka_unit_test(slab_explain_names_every_transition),
        cmocka_unit_test(mmkit_uses_the_allocator_classes_and_pages),
        cmocka_unit_test(mmkit_gives_an_empty_page_back_unless_it_is_the_current_one),
        cmocka_unit_test(mmkit_in_a_heap_under_a_slice_fails_every_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
