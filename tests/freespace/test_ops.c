/* test_ops.c - reading operations and settings, and refusing the ones
 * that cannot run, each with where ("op 7"), the item and why. */
#include "freespace_test.h"

static void parses_allocations_and_frees_separated_by_commas_or_spaces(void **state)
{
    size_t count;
    struct freespace_op *ops = test_ops(" +10, +20 -0,+5\t-1 ", &count);
    assert_int_equal(count, 5);
    assert_int_equal(ops[0].kind, FREESPACE_ALLOC);
    assert_int_equal(ops[0].value, 10);
    assert_int_equal(ops[2].kind, FREESPACE_FREE);
    assert_int_equal(ops[2].value, 0);
    assert_int_equal(ops[4].value, 1);
    free(ops);
}

/* The text, and the diagnostic it must give. */
static const struct {
    const char *text, *where, *item, *message;
} malformed[] = {
    {"+10,,-0", "op 2", "", "empty (a comma with nothing before it)"},
    {"+10,", "op 2", "", "empty (a comma at the end)"},
    {",+10", "op 1", "", "empty (a comma with nothing before it)"},
    {"+10,x", "op 2", "x", "expected +SIZE to allocate or -INDEX to free"},
    {"10", "op 1", "10", "expected +SIZE to allocate or -INDEX to free"},
    {"+", "op 1", "+", "expected a size after '+'"},
    {"+1,-", "op 2", "-", "expected an index after '-'"},
    {"+-3", "op 1", "+-3", "expected a size after '+'"},
    {"+12x", "op 1", "+12x", "unexpected text after the number"},
    {"+1-2", "op 1", "+1-2", "unexpected text after the number"},
    {"+0x10", "op 1", "+0x10", "unexpected text after the number"},
    {"+99999999999999999999", "op 1", "+99999999999999999999", "the number is too large"},
    {"+1,+2,+345678901234567890123456x", "op 3", "+34567890123456789012345...",
     "unexpected text after the number"},
    {"", "--ops", "", "no operations"},
    {"  ", "--ops", "", "no operations"},
};

static void malformed_operations_are_refused_with_where_and_why(void **state)
{
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        struct freespace_op *ops = NULL;
        size_t count = 0;
        struct sim_diag diag = {0};
        assert_int_equal(freespace_ops_parse(malformed[i].text, &ops, &count, &diag),
                         SIM_ERR_PARSE);
        assert_null(ops);
        assert_string_equal(diag.file, malformed[i].where);
        assert_string_equal(diag.field, malformed[i].item);
        assert_string_equal(diag.message, malformed[i].message);
    }
}

/* Operations that parse but cannot run, and the first refusal. */
static const struct {
    const char *text, *where, *item, *message;
    uint64_t header, align;
} refused[] = {
    {"+1,+2,+3,-2,+4,+5,-3,-2", "op 8", "-2", "block 2 was already freed", 0, 1},
    {"-0", "op 1", "-0", "block 0 was never allocated (nothing has been yet)", 0, 1},
    {"+1,+2,-2", "op 3", "-2", "block 2 was never allocated (the allocations so far are 0 to 1)",
     0, 1},
    {"+1,+0", "op 2", "+0", "a request for 0 bytes (ask for 1 or more)", 0, 1},
    {"+101", "op 1", "+101", "101 bytes do not fit in the 100-byte heap", 0, 1},
    {"+97", "op 1", "+97", "97 bytes with the header and rounding do not fit in the 100-byte heap",
     4, 1},
    {"+97", "op 1", "+97", "97 bytes with the header and rounding do not fit in the 100-byte heap",
     0, 8},
    {"+18446744073709551615", "op 1", "+18446744073709551615",
     "18446744073709551615 bytes with the header and rounding do not fit in the 100-byte heap", 4,
     16},
};

static void operations_that_cannot_run_are_refused_before_any_runs(void **state)
{
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        struct freespace_config config = test_config("first", FREESPACE_BY_ADDRESS, false,
                                                     FREESPACE_ANY);
        config.header = refused[i].header;
        config.align = refused[i].align;
        size_t count;
        struct freespace_op *ops = test_ops(refused[i].text, &count);
        struct sim_diag diag = {0};
        assert_int_equal(freespace_ops_check(&config, ops, count, &diag), SIM_ERR_PARSE);
        assert_string_equal(diag.file, refused[i].where);
        assert_string_equal(diag.field, refused[i].item);
        assert_string_equal(diag.message, refused[i].message);
        /* A run refuses them before running anything. */
        struct freespace_heap *heap = test_heap(&config);
        struct sim_diag run_diag = {0};
        assert_int_equal(freespace_run(heap, ops, count, NULL, &run_diag), SIM_ERR_PARSE);
        assert_string_equal(run_diag.message, refused[i].message);
        struct freespace_stats s;
        freespace_heap_stats(heap, &s);
        assert_int_equal(s.operations, 0);
        freespace_heap_destroy(heap);
        free(ops);
    }
}

static void a_whole_heap_request_fits_exactly(void **state)
{
    struct freespace_config config = test_config("best", FREESPACE_BY_ADDRESS, false,
                                                 FREESPACE_ANY);
    config.header = 4;
    config.align = 8;
    struct freespace_heap *heap = test_run(&config, "+96,-0,+92");
    struct freespace_stats s;
    freespace_heap_stats(heap, &s);
    assert_int_equal(s.free_bytes, 0);
    assert_int_equal(s.failures, 0);
    freespace_heap_destroy(heap);
}

/* A setting, a value, and the message that refuses it. */
static const struct {
    const char *key, *value, *message;
} bad_settings[] = {
    {"heap", "0", "invalid value '0' (a size above 0, such as 100 or 64K)"},
    {"heap", "lots", "invalid value 'lots' (a size above 0, such as 100 or 64K)"},
    {"align", "0", "invalid value '0' (a size above 0; 1 rounds nothing)"},
    {"policy", "bud",
     "invalid value 'bud' (first, best, worst, next, segregated, tlsf, buddy, slab or mmkit)"},
    {"page", "48", "invalid value '48' (a power of two, such as 4096 or 4K)"},
    {"page", "0", "invalid value '0' (a power of two, such as 4096 or 4K)"},
    {"order", "random", "invalid value 'random' (addr, size-up, size-down, front or back)"},
    {"coalesce", "maybe", "invalid value 'maybe'"},
    {"structure", "heap", "invalid value 'heap' (list or tree)"},
    {"colour", "red", "unknown setting"},
};

static void bad_settings_are_refused(void **state)
{
    for (size_t i = 0; i < sizeof bad_settings / sizeof bad_settings[0]; i++) {
        struct freespace_config config;
        freespace_config_default(&config);
        struct sim_diag diag = {0};
        assert_int_equal(freespace_config_set(&config, bad_settings[i].key, bad_settings[i].value,
                                              &diag),
                         SIM_ERR_CONFIG);
        assert_string_equal(diag.field, bad_settings[i].key);
        assert_string_equal(diag.message, bad_settings[i].message);
    }
}

static void malloc_py_spellings_are_taken(void **state)
{
    struct freespace_config config;
    freespace_config_default(&config);
    assert_int_equal(freespace_config_set(&config, "order", "SIZESORT-", NULL), SIM_OK);
    assert_int_equal(config.order, FREESPACE_BY_SIZE_DOWN);
    assert_int_equal(freespace_config_set(&config, "order", "insert-front", NULL), SIM_OK);
    assert_int_equal(config.order, FREESPACE_AT_FRONT);
    assert_int_equal(freespace_config_set(&config, "policy", "WORST", NULL), SIM_OK);
    assert_string_equal(config.policy, "worst");
}

static void settings_that_do_not_go_together_are_refused(void **state)
{
    struct freespace_config config;
    struct sim_diag diag = {0};
    freespace_config_default(&config);
    config.order = FREESPACE_BY_SIZE_UP;
    config.structure = FREESPACE_TREE;
    assert_int_equal(freespace_config_finish(&config, &diag), SIM_ERR_CONFIG);
    assert_string_equal(diag.field, "structure");
    assert_string_equal(diag.message,
                        "the tree keeps the free list in address order, not in order 'size-up'");
    freespace_config_default(&config);
    config.header = 100;
    assert_int_equal(freespace_config_finish(&config, &diag), SIM_ERR_CONFIG);
    assert_string_equal(diag.message, "a 100-byte header leaves no room in a 100-byte heap");
    freespace_config_default(&config);
    config.base = UINT64_MAX - 10;
    assert_int_equal(freespace_config_finish(&config, &diag), SIM_ERR_CONFIG);
    assert_string_equal(diag.field, "heap");
    /* Any structure: the tree in address order, else the list. */
    freespace_config_default(&config);
    assert_int_equal(freespace_config_finish(&config, &diag), SIM_OK);
    assert_int_equal(config.structure, FREESPACE_TREE);
    config.structure = FREESPACE_ANY;
    config.order = FREESPACE_AT_BACK;
    assert_int_equal(freespace_config_finish(&config, &diag), SIM_OK);
    assert_int_equal(config.structure, FREESPACE_LIST);
    /* The slab's page: 4096, or a quarter of a smaller heap; never past the heap. */
    assert_int_equal(config.page, 16);
    freespace_config_default(&config);
    config.size = 1 << 20;
    assert_int_equal(freespace_config_finish(&config, &diag), SIM_OK);
    assert_int_equal(config.page, 4096);
    freespace_config_default(&config);
    config.page = 128;
    assert_int_equal(freespace_config_finish(&config, &diag), SIM_ERR_CONFIG);
    assert_string_equal(diag.field, "page");
    assert_string_equal(diag.message, "a 128-byte page does not fit in a 100-byte heap");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_allocations_and_frees_separated_by_commas_or_spaces),
        cmocka_unit_test(malformed_operations_are_refused_with_where_and_why),
        cmocka_unit_test(operations_that_cannot_run_are_refused_before_any_runs),
        cmocka_unit_test(a_whole_heap_request_fits_exactly),
        cmocka_unit_test(bad_settings_are_refused),
        cmocka_unit_test(malloc_py_spellings_are_taken),
        cmocka_unit_test(settings_that_do_not_go_together_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
