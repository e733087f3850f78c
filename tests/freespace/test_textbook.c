/* test_textbook.c - the worked answers: every case malloc.py answers
 * (malloc_py_answers.h) gives the same blocks, search counts and free
 * lists here, with the list and, in address order, with the tree; next fit
 * and the minimum split, which malloc.py does not have, worked by hand;
 * and the totals of a small run. */
#include "malloc_py_answers.h"

#define CASE_COUNT (sizeof malloc_py_cases / sizeof malloc_py_cases[0])

/* Run a worked case on the structure and compare every answer. */
static void check_case(const struct worked_case *c, enum freespace_structure structure,
                       uint64_t min_split)
{
    struct freespace_config config = test_config(c->policy, c->order, c->coalesce, structure);
    config.header = c->header;
    config.align = c->align;
    config.min_split = min_split;
    struct freespace_heap *heap = test_heap(&config);
    size_t count;
    struct freespace_op *ops = test_ops(c->ops, &count);
    assert_true(count <= WORKED_MAX_OPS);
    for (size_t i = 0; i < count; i++) {
        struct freespace_result r;
        char list[4096];
        int64_t block = test_step(heap, &ops[i], &r, list, sizeof list);
        bool alloc = ops[i].kind == FREESPACE_ALLOC;
        if (block != c->answers[i].block || (alloc && r.searched != c->answers[i].searched) ||
            strcmp(list, c->answers[i].free_list))
            fail_msg("%s fit, order %s, %scoalescing, header %" PRIu64 ", align %" PRIu64
                     ", %s: %s, op %zu: block %" PRId64 " searched %" PRIu64 " list '%s'; "
                     "wanted %" PRId64 " searched %" PRIu64 " list '%s'",
                     c->policy, freespace_order_names[c->order], c->coalesce ? "" : "no ",
                     c->header, c->align, freespace_heap_structure(heap), c->ops, i + 1, block,
                     r.searched, list, c->answers[i].block, c->answers[i].searched,
                     c->answers[i].free_list);
        if (alloc && !r.failed)
            assert_int_equal(r.address, r.block + c->header);
    }
    free(ops);
    freespace_heap_destroy(heap);
}

static void every_malloc_py_answer_holds_on_the_list(void **state)
{
    for (size_t i = 0; i < CASE_COUNT; i++)
        check_case(&malloc_py_cases[i], FREESPACE_LIST, 1);
}

static void every_malloc_py_answer_in_address_order_holds_on_the_tree(void **state)
{
    size_t checked = 0;
    for (size_t i = 0; i < CASE_COUNT; i++) {
        if (malloc_py_cases[i].order != FREESPACE_BY_ADDRESS)
            continue;
        check_case(&malloc_py_cases[i], FREESPACE_TREE, 1);
        checked++;
    }
    assert_true(checked >= 12);
}

/* Next fit, worked by hand: the search starts at the hole the last block
 * came from, or at the one after it if the block used it up, and wraps. */
static const struct worked_case next_fit_cases[] = {
    {"next", FREESPACE_BY_ADDRESS, false, 0, 1,
     "+10,+10,+10,-0,-1,+5,+5,+70,+8,+52,+10,+3,-2,+8,+6",
     {
         {1000, 1, "1010:90"},
         {1010, 1, "1020:80"},
         {1020, 1, "1030:70"},
         {0, 0, "1000:10 1030:70"},
         {0, 0, "1000:10 1010:10 1030:70"},
         /* first fit would take 1000; next fit resumes at 1030 */
         {1030, 1, "1000:10 1010:10 1035:65"},
         {1035, 1, "1000:10 1010:10 1040:60"},
         {-1, 3, "1000:10 1010:10 1040:60"},
         {1040, 1, "1000:10 1010:10 1048:52"},
         /* used up the last hole: the rover wraps to the first */
         {1048, 1, "1000:10 1010:10"},
         {1000, 1, "1010:10"},
         {1010, 1, "1013:7"},
         {0, 0, "1013:7 1020:10"},
         {1020, 2, "1013:7 1028:2"},
         /* from 1028 (too small), around to 1013 */
         {1013, 2, "1019:1 1028:2"},
     }},
    /* With coalescing, a rover hole merged into the hole before it moves
     * there: the search resumes at the merged hole. */
    {"next", FREESPACE_BY_ADDRESS, true, 0, 1,
     "+10,+10,+10,-2,+5,-0,+30",
     {
         {1000, 1, "1010:90"},
         {1010, 1, "1020:80"},
         {1020, 1, "1030:70"},
         {0, 0, "1020:80"},
         {1020, 1, "1025:75"},
         {0, 0, "1000:10 1025:75"},
         {1025, 1, "1000:10 1055:45"},
     }},
    /* In the other orders the rover is a place in the list, kept by the
     * hole, which a free may move. */
    {"next", FREESPACE_AT_FRONT, false, 0, 1,
     "+10,+10,+10,-0,+5,-1,+5",
     {
         {1000, 1, "1010:90"},
         {1010, 1, "1020:80"},
         {1020, 1, "1030:70"},
         {0, 0, "1000:10 1030:70"},
         {1030, 1, "1000:10 1035:65"},
         {0, 0, "1010:10 1000:10 1035:65"},
         {1035, 1, "1010:10 1000:10 1040:60"},
     }},
};

static void next_fit_resumes_where_the_last_search_stopped(void **state)
{
    for (size_t i = 0; i < sizeof next_fit_cases / sizeof next_fit_cases[0]; i++) {
        check_case(&next_fit_cases[i], FREESPACE_LIST, 1);
        if (next_fit_cases[i].order == FREESPACE_BY_ADDRESS)
            check_case(&next_fit_cases[i], FREESPACE_TREE, 1);
    }
}

/* With a minimum split of 8, a rest of fewer than 8 bytes stays with the
 * block: 5 bytes asked for take the whole 10-byte hole, and give all 10
 * back. */
static const struct worked_case min_split_case = {
    "first", FREESPACE_BY_ADDRESS, false, 0, 1, "+90,+5,-1",
    {
        {1000, 1, "1090:10"},
        {1090, 1, ""},
        {0, 0, "1090:10"},
    }};

static void a_rest_below_the_minimum_split_stays_with_the_block(void **state)
{
    check_case(&min_split_case, FREESPACE_LIST, 8);
    check_case(&min_split_case, FREESPACE_TREE, 8);
    struct freespace_config config = test_config("first", FREESPACE_BY_ADDRESS, false,
                                                 FREESPACE_ANY);
    config.min_split = 8;
    struct freespace_heap *heap = test_heap(&config);
    size_t count;
    struct freespace_op *ops = test_ops("+90,+5", &count);
    test_apply(heap, &ops[0]);
    struct freespace_result r = test_apply(heap, &ops[1]);
    assert_int_equal(r.block_size, 10);
    assert_false(r.split);
    struct freespace_stats s;
    freespace_heap_stats(heap, &s);
    assert_int_equal(s.peak_live_bytes, 95);
    assert_int_equal(s.peak_padding_bytes, 5);
    free(ops);
    freespace_heap_destroy(heap);
}

/* free(NULL) gives nothing back; freeing it twice is still a double free. */
static void freeing_a_failed_allocation_gives_nothing_back(void **state)
{
    struct freespace_config config = test_config("first", FREESPACE_BY_ADDRESS, false,
                                                 FREESPACE_ANY);
    struct freespace_heap *heap = test_heap(&config);
    size_t count;
    struct freespace_op *ops = test_ops("+60,+60,-1,-1", &count);
    test_apply(heap, &ops[0]);
    assert_true(test_apply(heap, &ops[1]).failed);
    struct freespace_result r = test_apply(heap, &ops[2]);
    assert_true(r.failed);
    char list[64];
    test_free_list(heap, list, sizeof list);
    assert_string_equal(list, "1060:40");
    struct sim_diag diag = {0};
    assert_int_equal(freespace_apply(heap, &ops[3], &r, &diag), SIM_ERR_PARSE);
    assert_string_equal(diag.file, "op 4");
    assert_string_equal(diag.field, "-1");
    assert_string_equal(diag.message, "block 1 was already freed");
    free(ops);
    freespace_heap_destroy(heap);
}

/* +10,+20,-0 on 100 bytes: 30 bytes live at the peak, spanning 30; after
 * the free, holes of 10 and 70: 1 - 70/80 of the free space is not in the
 * largest hole. */
static void totals_of_a_small_run(void **state)
{
    struct freespace_config config = test_config("first", FREESPACE_BY_ADDRESS, false,
                                                 FREESPACE_ANY);
    struct freespace_heap *heap = test_run(&config, "+10,+20,-0");
    struct freespace_stats s;
    freespace_heap_stats(heap, &s);
    assert_int_equal(s.operations, 3);
    assert_int_equal(s.allocations, 2);
    assert_int_equal(s.frees, 1);
    assert_int_equal(s.failures, 0);
    assert_int_equal(s.peak_live_bytes, 30);
    assert_int_equal(s.live_bytes, 20);
    assert_int_equal(s.peak_footprint, 30);
    assert_true(s.fragmentation == 1.0);
    assert_true(s.external_now == 0.125);
    assert_true(s.external_worst == 0.125);
    assert_true(s.external_mean > 0.0416 && s.external_mean < 0.0417);
    assert_true(s.searched_mean == 1.0);
    assert_int_equal(s.free_bytes, 80);
    assert_int_equal(s.holes, 2);
    assert_int_equal(s.largest_hole, 70);
    freespace_heap_destroy(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_malloc_py_answer_holds_on_the_list),
        cmocka_unit_test(every_malloc_py_answer_in_address_order_holds_on_the_tree),
        cmocka_unit_test(next_fit_resumes_where_the_last_search_stopped),
        cmocka_unit_test(a_rest_below_the_minimum_split_stays_with_the_block),
        cmocka_unit_test(freeing_a_failed_allocation_gives_nothing_back),
        cmocka_unit_test(totals_of_a_small_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
