/* test_compare.c - --compare: the policy list is read and refused as the
 * command line says; each row holds the totals of a run of that policy
 * alone; the table and the JSON carry them; the pictures keep every
 * block's life and draw every policy. */
#define _GNU_SOURCE /* open_memstream */
#include "freespace_test.h"

static const char *const OPS = "+10,+20,-0,+5,+30,-1,+12,+40,-2";

static struct freespace_comparison *compare(const char *list, bool history)
{
    char names[FREESPACE_COMPARE_MAX][16];
    size_t count, op_count;
    struct sim_diag diag = {0};
    assert_int_equal(freespace_compare_parse(list, names, &count, &diag), SIM_OK);
    struct freespace_op *ops = test_ops(OPS, &op_count);
    struct freespace_config config;
    freespace_config_default(&config);
    config.size = 256;
    struct freespace_comparison *c;
    assert_int_equal(freespace_compare(&config, names, count, ops, op_count, history, &c, &diag),
                     SIM_OK);
    free(ops);
    return c;
}

/* What a writer puts out, in a buffer to free. */
static char *written(void (*write)(FILE *, const struct freespace_comparison *),
                     const struct freespace_comparison *c)
{
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    assert_non_null(out);
    write(out, c);
    fclose(out);
    return text;
}

static void the_policy_list_is_read_and_refused_by_item(void **state)
{
    char names[FREESPACE_COMPARE_MAX][16];
    size_t count;
    struct sim_diag diag = {0};
    assert_int_equal(freespace_compare_parse("first, BEST,buddy", names, &count, &diag), SIM_OK);
    assert_int_equal(count, 3);
    assert_string_equal(names[1], "best");
    assert_int_equal(freespace_compare_parse("first,bogus", names, &count, &diag),
                     SIM_ERR_CONFIG);
    assert_string_equal(diag.message, "'bogus' is no policy (first, best, worst, next, "
                                      "segregated, tlsf, buddy, slab or mmkit)");
    assert_int_equal(freespace_compare_parse("first,,best", names, &count, &diag),
                     SIM_ERR_CONFIG);
    assert_string_equal(diag.message, "item 2: empty (a comma with nothing before it)");
    assert_int_equal(freespace_compare_parse("", names, &count, &diag), SIM_ERR_CONFIG);
    assert_string_equal(diag.message, "no policies");
}

static void each_row_is_the_run_of_its_policy_alone(void **state)
{
    struct freespace_comparison *c = compare("first,worst,buddy,slab", false);
    const char *policies[] = {"first", "worst", "buddy", "slab"};
    char *json = written(freespace_compare_json, c);
    for (size_t i = 0; i < 4; i++) {
        struct freespace_config config;
        freespace_config_default(&config);
        config.size = 256;
        snprintf(config.policy, sizeof config.policy, "%s", policies[i]);
        struct freespace_heap *heap = test_run(&config, OPS);
        struct freespace_stats s;
        freespace_heap_stats(heap, &s);
        /* the JSON row of the policy carries the same totals */
        char row[160];
        snprintf(row, sizeof row,
                 "{\"policy\": \"%s\", \"totals\": {\n      \"operations\": 9,\n"
                 "      \"allocations\": 6,\n      \"frees\": 3,\n      \"failures\": %" PRIu64
                 ",\n      \"peak_live_bytes\": %" PRIu64 ",",
                 policies[i], s.failures, s.peak_live_bytes);
        if (!strstr(json, row))
            fail_msg("no row '%s' in:\n%s", row, json);
        snprintf(row, sizeof row, "\"peak_footprint\": %" PRIu64 ",", s.peak_footprint);
        assert_non_null(strstr(json, row));
        freespace_heap_destroy(heap);
    }
    free(json);
    freespace_comparison_destroy(c);
}

static void the_table_has_a_row_per_policy(void **state)
{
    struct freespace_comparison *c = compare("first,best,worst,next,buddy", false);
    char *text = written(freespace_compare_text, c);
    assert_non_null(strstr(text, "9 operations, 6 allocations, on each policy\n"));
    /* worked by hand: first fit spans 100 bytes for 87 live; the buddy
     * system rounds 10, 20, 5, 30, 12, 40 up to 16, 32, 8, 32, 16, 64 */
    assert_non_null(strstr(text, "\nfirst                9       0         87        100    "
                                 "1.149"));
    assert_non_null(strstr(text, "\nbuddy                9       0         87        192    "
                                 "2.207"));
    free(text);
    freespace_comparison_destroy(c);
}

static void svg_by_size(FILE *out, const struct freespace_comparison *c)
{
    freespace_compare_svg(out, c, false);
}

static void svg_by_call(FILE *out, const struct freespace_comparison *c)
{
    freespace_compare_svg(out, c, true);
}

static void the_pictures_draw_every_block_and_policy(void **state)
{
    struct freespace_comparison *c = compare("first,buddy", true);
    char *svg = written(svg_by_size, c);
    assert_true(!strncmp(svg, "<svg ", 5));
    assert_non_null(strstr(svg, ">first</text>"));
    assert_non_null(strstr(svg, ">buddy</text>"));
    /* the first block of first fit: 10 bytes at 1000 from op 1 to its free, op 3 */
    assert_non_null(strstr(svg, "<title>10 bytes at 1000, ops 1 to 3</title>"));
    /* the buddy system's 40 bytes take 64, split from [1128, 128], live to the end */
    assert_non_null(strstr(svg, "<title>64 bytes at 1128, ops 8 to 9</title>"));
    size_t blocks = 0;
    for (const char *at = svg; (at = strstr(at, "<title>")); at++)
        blocks++;
    assert_int_equal(blocks, 2 * 6);
    assert_int_equal(strstr(svg, "<polyline") != NULL, 1);
    free(svg);
    freespace_comparison_destroy(c);
}

/* The fill of the block whose title starts with title. */
static void fill_of(const char *svg, const char *title, char *fill, size_t size)
{
    assert_non_null(strstr(svg, title));
    size_t at = (size_t)(strstr(svg, title) - svg);
    while (at > 0 && strncmp(svg + at, "fill=\"", 6))
        at--;
    size_t length = strcspn(svg + at + 6, "\"");
    snprintf(fill, size, "%.*s", (int)length, svg + at + 6);
}

static void coloured_by_call_each_allocation_has_its_own_colour(void **state)
{
    struct freespace_comparison *c = compare("first", true);
    char *svg = written(svg_by_call, c);
    assert_non_null(strstr(svg, "a block's colour is the allocation's"));
    assert_non_null(strstr(svg, "<title>ptr[0]: 10 bytes at 1000, ops 1 to 3</title>"));
    char first[32], second[32];
    fill_of(svg, "<title>ptr[0]:", first, sizeof first);
    fill_of(svg, "<title>ptr[1]:", second, sizeof second);
    assert_string_not_equal(first, second);
    free(svg);
    freespace_comparison_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_policy_list_is_read_and_refused_by_item),
        cmocka_unit_test(each_row_is_the_run_of_its_policy_alone),
        cmocka_unit_test(the_table_has_a_row_per_policy),
        cmocka_unit_test(the_pictures_draw_every_block_and_policy),
        cmocka_unit_test(coloured_by_call_each_allocation_has_its_own_colour),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
