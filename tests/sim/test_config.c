/* test_config.c - machine files, presets and the consistency check: what
 * they set, and the file, line and field of what they get wrong. */
#include <stdio.h>
#include <string.h>

#include "sim_test.h"

static char *machine_file(const char *text)
{
    return test_temp_file(text, strlen(text));
}

static void machine_file_sets_what_it_names(void **state)
{
    char *path = machine_file("# a 32-bit teaching machine\n"
                              "preset = x86-32\n"
                              "\n"
                              "frames = 12   # small on purpose\n"
                              "tlb-entries = 8\n"
                              "tlb-ways = 2\n"
                              "policy = esc\n"
                              "allocation = local\n"
                              "cost-fault = 8ms\n"
                              "segment = code 0x08048000 64K r-x\n"
                              "segment = stack 0xc0000000 1M rw down\n");
    struct sim_config c;
    sim_config_default(&c);
    assert_int_equal(sim_config_load(&c, path, NULL), SIM_OK);
    assert_int_equal(sim_config_finish(&c, NULL), SIM_OK);
    assert_int_equal(c.address_bits, 32);
    assert_int_equal(c.levels, 2);
    assert_int_equal(c.level_bits[0], 10);
    assert_int_equal(c.frames, 12);
    assert_int_equal(c.tlb_entries, 8);
    assert_int_equal(c.tlb_ways, 2);
    assert_string_equal(c.policy, "esc");
    assert_true(c.local_allocation);
    assert_true(c.cost_fault_ns == 8e6);
    assert_int_equal(c.segment_count, 2);
    assert_int_equal(c.segments[0].base, 0x08048000);
    assert_int_equal(c.segments[0].limit, 64 * 1024);
    assert_int_equal(c.segments[0].prot, SIM_PROT_READ | SIM_PROT_EXEC);
    assert_true(c.segments[1].grows_down);
    test_temp_remove(path);
}

static void assert_file_error(const char *text, unsigned long line, const char *field)
{
    char *path = machine_file(text);
    struct sim_config c;
    sim_config_default(&c);
    struct sim_diag diag = {0};
    assert_int_not_equal(sim_config_load(&c, path, &diag), SIM_OK);
    test_assert_diag(&diag, path, line, field);
    test_temp_remove(path);
}

static void machine_file_errors_name_line_and_field(void **state)
{
    assert_file_error("frames = 4\npage-size = lots\n", 2, "page-size");
    assert_file_error("# comment\n\npolicy = belady\n", 3, "policy");
    assert_file_error("colour = blue\n", 1, "colour");
    assert_file_error("frames 4\n", 1, "");
    assert_file_error("segment = code 0x0 0x1000 rwz\n", 1, "segment");
    assert_file_error("tlb-switch = sometimes\n", 1, "tlb-switch");
}

static void missing_machine_file_is_an_io_error_naming_it(void **state)
{
    struct sim_config c;
    struct sim_diag diag = {0};
    assert_int_equal(sim_config_load(&c, "/nonexistent/machine", &diag), SIM_ERR_IO);
    assert_string_equal(diag.file, "/nonexistent/machine");
}

static void presets_describe_their_machines(void **state)
{
    struct sim_config c;
    assert_int_equal(sim_config_load(&c, "x86-64-2m", NULL), SIM_OK);
    assert_int_equal(sim_config_finish(&c, NULL), SIM_OK);
    assert_int_equal(c.page_size, 2 * 1024 * 1024);
    assert_int_equal(c.levels, 3);
    assert_int_equal(sim_config_load(&c, "tiny", NULL), SIM_OK);
    assert_int_equal(sim_config_finish(&c, NULL), SIM_OK);
    assert_int_equal(c.levels, 1);
    assert_int_equal(c.level_bits[0], 8);
}

static void derived_levels_split_page_bits_like_x86_64(void **state)
{
    struct sim_config c;
    sim_config_default(&c);
    assert_int_equal(sim_config_set(&c, "page-size", "2M", NULL), SIM_OK);
    assert_int_equal(sim_config_finish(&c, NULL), SIM_OK);
    assert_int_equal(c.levels, 3);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(c.level_bits[i], 9);
    sim_config_default(&c);
    assert_int_equal(sim_config_set(&c, "memory", "1M", NULL), SIM_OK);
    assert_int_equal(sim_config_finish(&c, NULL), SIM_OK);
    assert_int_equal(c.frames, 256);
}

static void assert_inconsistent(const char *key, const char *value, const char *field)
{
    struct sim_config c;
    sim_config_default(&c);
    assert_int_equal(sim_config_set(&c, key, value, NULL), SIM_OK);
    struct sim_diag diag = {0};
    assert_int_equal(sim_config_finish(&c, &diag), SIM_ERR_CONFIG);
    assert_string_equal(diag.field, field);
}

static void inconsistent_machines_are_refused(void **state)
{
    assert_inconsistent("levels", "9,9,9", "levels");
    assert_inconsistent("page-size", "3000", "page-size");
    assert_inconsistent("tlb-ways", "3", "tlb-ways");
    assert_inconsistent("frames", "0", "frames");
    assert_inconsistent("levels", "linear", "levels"); /* 2^36 entries */
    assert_inconsistent("translation", "segmentation", "segment");
    assert_inconsistent("translation", "base-bounds", "bounds");
    assert_inconsistent("memory", "1000", "memory"); /* less than one 4 KiB page */
    /* paging puts pages in frames: a segment's physical address means nothing */
    assert_inconsistent("segment", "code 0x0 0x1000 r-x 0x5000", "segment");
}

/* Exercises use tiny machines: 8-byte pages, 7-bit address spaces; the
 * limit is a page number of at least one bit. */
/* A 7-bit machine with pages of `page` bytes and a linear table: the
 * status of finishing it, and its page-number bits. */
static int small_machine(const char *page, unsigned *page_bits, struct sim_diag *diag)
{
    struct sim_config c;
    sim_config_default(&c);
    assert_int_equal(sim_config_set(&c, "address-bits", "7", NULL), SIM_OK);
    assert_int_equal(sim_config_set(&c, "page-size", page, NULL), SIM_OK);
    assert_int_equal(sim_config_set(&c, "levels", "linear", NULL), SIM_OK);
    int status = sim_config_finish(&c, diag);
    *page_bits = c.level_bits[0];
    return status;
}

static void small_machines_are_taken_down_to_one_page_number_bit(void **state)
{
    unsigned bits;
    assert_int_equal(small_machine("8", &bits, NULL), SIM_OK);
    assert_int_equal(bits, 4);
    assert_int_equal(small_machine("64", &bits, NULL), SIM_OK);
    assert_int_equal(bits, 1);
    struct sim_diag diag = {0};
    assert_int_equal(small_machine("128", &bits, &diag), SIM_ERR_CONFIG);
    assert_string_equal(diag.field, "address-bits");
    assert_non_null(strstr(diag.message, "a page of at most 2^6 bytes"));
    struct sim_config c;
    sim_config_default(&c);
    assert_int_equal(sim_config_set(&c, "address-bits", "0", &diag), SIM_ERR_CONFIG);
    assert_string_equal(diag.message, "invalid value '0' (1 to 64)");
}

/* The finish of a segmentation machine of 7-bit addresses whose top
 * `bits` choose among the two segments given. */
static int top_bits_machine(const char *bits, const char *first, const char *second,
                            struct sim_diag *diag)
{
    struct sim_config c;
    sim_config_default(&c);
    const char *settings[] = {"translation", "segmentation", "address-bits", "7",
                              "segment-bits", bits, "segment", first, "segment", second};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i += 2)
        assert_int_equal(sim_config_set(&c, settings[i], settings[i + 1], NULL), SIM_OK);
    return sim_config_finish(&c, diag);
}

static void segments_chosen_by_top_bits_fill_their_regions(void **state)
{
    struct sim_diag diag = {0};
    assert_int_equal(top_bits_machine("1", "code 0 20 r-x 0", "stack 128 20 rw 512 down", NULL),
                     SIM_OK);
    assert_int_equal(top_bits_machine("2", "code 0 32 r-x 0", "heap 32 32 rw 512", NULL), SIM_OK);
    /* the heap must start where its region does */
    assert_int_equal(top_bits_machine("2", "code 0 32 r-x 0", "heap 40 8 rw 512", &diag),
                     SIM_ERR_CONFIG);
    assert_string_equal(diag.message, "segment heap: with segments chosen by the top 2 bits, a "
                                      "segment starts at the start of a region of 0x20 bytes (a "
                                      "multiple of it, below 0x80)");
    assert_int_equal(top_bits_machine("1", "code 0 65 r-x 0", "stack 128 20 rw 512 down", &diag),
                     SIM_ERR_CONFIG);
    assert_non_null(strstr(diag.message, "segment code: a limit of 0x41 is more than its region"));
    assert_int_equal(top_bits_machine("1", "code 0 20 r-x 0", "data 0 8 rw 512", &diag),
                     SIM_ERR_CONFIG);
    assert_string_equal(diag.message, "segments code and data share the top bits 0");
    assert_int_equal(top_bits_machine("7", "code 0 1 r-x 0", "data 1 1 rw 512", &diag),
                     SIM_ERR_CONFIG);
    assert_string_equal(diag.field, "segment-bits");
}

static void a_given_table_lies_in_the_address_space_and_in_memory(void **state)
{
    struct sim_config c;
    struct sim_diag diag = {0};
    sim_config_default(&c);
    assert_int_equal(sim_config_load(&c, "tiny", NULL), SIM_OK);
    assert_int_equal(sim_config_set(&c, "map", "0x100 1", NULL), SIM_OK);
    assert_int_equal(sim_config_finish(&c, &diag), SIM_ERR_CONFIG);
    assert_string_equal(diag.message, "page 0x100 is beyond the 16-bit address space (its last "
                                      "page is 0xff)");
    sim_config_default(&c);
    assert_int_equal(sim_config_load(&c, "tiny", NULL), SIM_OK);
    assert_int_equal(sim_config_set(&c, "page-table", "0x0 0x80000008", NULL), SIM_OK);
    assert_int_equal(sim_config_finish(&c, &diag), SIM_ERR_CONFIG);
    assert_string_equal(diag.message, "page 0x1 is in frame 0x8, but memory has 8 frames (set "
                                      "frames or memory)");
    assert_int_equal(sim_config_set(&c, "map", "1 2", NULL), SIM_OK);
    assert_int_equal(sim_config_finish(&c, &diag), SIM_ERR_CONFIG);
    assert_string_equal(diag.field, "page-table");
    assert_int_equal(sim_config_set(&c, "entry-format", "valid:3 pfn:0-7", &diag), SIM_ERR_CONFIG);
    assert_int_equal(sim_config_set(&c, "map", "1", &diag), SIM_ERR_CONFIG);
    struct sim_map map;
    struct sim_entry_format format = {.valid_bit = 7, .pfn_low = 0, .pfn_high = 6};
    assert_true(sim_entry_decode(&format, 3, 0x9c, &map)); /* OSTEP's 1-byte entries */
    assert_int_equal(map.pfn, 0x1c);
    assert_false(sim_entry_decode(&format, 3, 0x7f, &map));
}

/* A machine file names its memory image beside itself; a bad dump says
 * where it went wrong. */
static void a_memory_image_is_found_beside_its_machine_file(void **state)
{
    char *image = test_temp_file("page 1: 81 # the table\n", 22);
    char text[256];
    snprintf(text, sizeof text, "address-bits = 8\npage-size = 16\nlevels = linear\n"
                                "memory-image = %s\nentry-size = 1\n"
                                "entry-format = valid:7 pfn:0-6\npdbr = 1\n",
             strrchr(image, '/') + 1);
    char *machine = machine_file(text);
    struct sim_config c;
    sim_config_default(&c);
    assert_int_equal(sim_config_load(&c, machine, NULL), SIM_OK);
    assert_string_equal(c.memory_image, image);
    struct sim_machine *m = NULL;
    assert_int_equal(sim_machine_create(&m, &c, 1, NULL), SIM_OK);
    sim_machine_destroy(m);
    test_temp_remove(machine);
    FILE *bad = fopen(image, "w");
    fputs("page 1: 81\n00 0g\n", bad);
    fclose(bad);
    struct sim_diag diag = {0};
    snprintf(c.memory_image, sizeof c.memory_image, "%s", image);
    assert_int_equal(sim_machine_create(&m, &c, 1, &diag), SIM_ERR_PARSE);
    assert_string_equal(diag.file, image);
    assert_int_equal(diag.line, 2);
    assert_non_null(strstr(diag.message, "column 4: expected two hex digits"));
    test_temp_remove(image);
}

static void a_segment_places_itself_in_memory_only_under_segmentation(void **state)
{
    struct sim_config c;
    sim_config_default(&c);
    assert_int_equal(sim_config_set(&c, "segment", "code 0x0 0x1000 r-x 0x0", NULL), SIM_OK);
    struct sim_diag diag = {0};
    assert_int_equal(sim_config_finish(&c, &diag), SIM_ERR_CONFIG);
    assert_string_equal(diag.message, "segment code: a physical address places a segment under "
                                      "segmentation; under paging its pages go to frames (leave "
                                      "it out, or set translation = segmentation)");
    sim_config_default(&c);
    assert_int_equal(sim_config_set(&c, "segment", "code 0x0 0x1000 r-x", NULL), SIM_OK);
    assert_int_equal(sim_config_finish(&c, NULL), SIM_OK);
    assert_int_equal(sim_config_set(&c, "translation", "segmentation", NULL), SIM_OK);
    assert_int_equal(sim_config_set(&c, "segment", "heap 0x4000 0x1000 rw 0x9000", NULL), SIM_OK);
    assert_int_equal(sim_config_finish(&c, NULL), SIM_OK);
}

/* A value the machine cannot take is refused, never changed into one it
 * can: each of these once became a default without a word. */
static void values_are_refused_not_replaced(void **state)
{
    static const struct { const char *key, *value, *says; } refused[] = {
        {"memory", "0", "a size above 0"},
        {"tlb-ways", "0", "from 1 to the number of TLB entries"},
        {"cost-fault", "5", "a time with its unit"},
        {"cost-tlb", "1.5", "a time with its unit"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        struct sim_config c;
        sim_config_default(&c);
        struct sim_diag diag = {0};
        assert_int_equal(sim_config_set(&c, refused[i].key, refused[i].value, &diag),
                         SIM_ERR_CONFIG);
        assert_string_equal(diag.field, refused[i].key);
        assert_non_null(strstr(diag.message, refused[i].says));
    }
    struct sim_config c;
    sim_config_default(&c);
    assert_int_equal(sim_config_set(&c, "cost-fault", "0", NULL), SIM_OK);
    assert_int_equal(sim_config_set(&c, "cost-memory", "80ns", NULL), SIM_OK);
    assert_true(c.cost_fault_ns == 0 && c.cost_memory_ns == 80);
    /* a TLB smaller than the default 4 ways is fully associative */
    assert_int_equal(sim_config_set(&c, "tlb-entries", "2", NULL), SIM_OK);
    assert_int_equal(sim_config_finish(&c, NULL), SIM_OK);
    assert_int_equal(c.tlb_ways, 2);
    sim_config_default(&c);
    struct sim_diag diag = {0};
    assert_int_equal(sim_config_set(&c, "tlb-entries", "8", NULL), SIM_OK);
    assert_int_equal(sim_config_set(&c, "tlb-ways", "16", NULL), SIM_OK);
    assert_int_equal(sim_config_finish(&c, &diag), SIM_ERR_CONFIG);
    assert_string_equal(diag.field, "tlb-ways");
}

/* The list of names is the list the setter knows: no name missing, none
 * made up. */
static void every_listed_setting_is_one_the_setter_knows(void **state)
{
    size_t count = 0;
    for (const char *const *name = sim_config_names; *name; name++, count++) {
        struct sim_config c;
        sim_config_default(&c);
        struct sim_diag diag = {0};
        sim_config_set(&c, *name, "?", &diag);
        assert_null(strstr(diag.message, "unknown setting"));
        assert_true(sim_config_has(*name));
    }
    assert_int_equal(count, 35);
    assert_false(sim_config_has("colour"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(machine_file_sets_what_it_names),
        cmocka_unit_test(machine_file_errors_name_line_and_field),
        cmocka_unit_test(missing_machine_file_is_an_io_error_naming_it),
        cmocka_unit_test(presets_describe_their_machines),
        cmocka_unit_test(derived_levels_split_page_bits_like_x86_64),
        cmocka_unit_test(inconsistent_machines_are_refused),
        cmocka_unit_test(a_segment_places_itself_in_memory_only_under_segmentation),
        cmocka_unit_test(small_machines_are_taken_down_to_one_page_number_bit),
        cmocka_unit_test(segments_chosen_by_top_bits_fill_their_regions),
        cmocka_unit_test(a_given_table_lies_in_the_address_space_and_in_memory),
        cmocka_unit_test(a_memory_image_is_found_beside_its_machine_file),
        cmocka_unit_test(values_are_refused_not_replaced),
        cmocka_unit_test(every_listed_setting_is_one_the_setter_knows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
