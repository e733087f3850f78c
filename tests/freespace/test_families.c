/* test_families.c - the families beyond the free list, on sequences worked
 * by hand: the blocks they return and their holes, by address, after every
 * operation; the buddy system's splits and merges, TLSF's rounding to a
 * class, segregated fit within and above a class; and what --explain says
 * of each. */
#define _GNU_SOURCE /* open_memstream */
#include "freespace_test.h"

#define FAMILY_MAX_OPS 16

struct family_case {
    const char *what; /* the case shows that... */
    const char *policy;
    uint64_t heap, min_split;
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
     "buddy", 128, 0, false, "+10,+20,-0,+5,-1,-2",
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
     "buddy", 100, 0, false, "+10,+20,-0,-1,+60,+100",
     {
         {1064, "1000:64 1080:16 1096:4"}, /* order 4 empty: [1064, 32] splits */
         {1000, "1032:32 1080:16 1096:4"}, /* order 5 empty now: [1000, 64] splits */
         /* [1064, 32] touches [1032, 32] but its buddy would be [1096, 32] */
         {0, "1032:32 1064:32 1096:4"},
         {0, "1000:64 1064:32 1096:4"},
         {1000, "1064:32 1096:4"}, /* 60 bytes take 64 */
         {-1, "1064:32 1096:4"},   /* 100 bytes fit the heap, but no block of 128 is */
     }},
    {"no block is split below --min-split", "buddy", 64, 16, false, "+3,+3,-0",
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
     "segregated", 100, 0, false, "+10,+20,-0,+5,-1,+18,+8",
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
     "segregated", 100, 0, false, "+20,+1,+24,+1,-0,-2,+22,+30",
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
     "segregated", 100, 0, true, "+10,+20,+30,-0,-2,-1",
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
     "tlsf", 100, 0, false, "+10,+20,-0,+9,+69,-1,+69",
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buddy_splits_and_merges_as_worked_by_hand),
        cmocka_unit_test(buddy_explain_tells_each_split_and_merge),
        cmocka_unit_test(segregated_fit_as_worked_by_hand),
        cmocka_unit_test(tlsf_places_as_worked_by_hand),
        cmocka_unit_test(tlsf_and_segregated_explain_name_their_classes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
