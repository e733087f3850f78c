/*
 * maps_parse_test.c - the smaps reader on what a kernel, or a process that
 * exits mid-read, may hand it: fields it does not know, lines of any
 * length, numbers that do not fit, fields before any region, a last line
 * cut short.  It keeps what it understands and never reads past a line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "maps.h"

static int parse(const char *text, struct maps_layout *layout)
{
    FILE *in = fmemopen((void *)text, strlen(text), "r");
    assert_non_null(in);
    int error = maps_parse_smaps(in, layout);
    fclose(in);
    return error;
}

static void regions_and_their_fields(void **state)
{
    (void)state;
    struct maps_layout layout = {0};
    assert_int_equal(parse("55d0c0a00000-55d0c0a02000 r-xp 00001000 fe:00 248139   /usr/bin/x\n"
                           "Size:                  8 kB\n"
                           "Rss:                   4 kB\n"
                           "Pss:                   2 kB\n"
                           "Shared_Dirty:          1 kB\n"
                           "Private_Dirty:         2 kB\n"
                           "Swap:                  3 kB\n"
                           "Locked:                4 kB\n"
                           "AnonHugePages:      2048 kB\n"
                           "VmFlags: rd ex mr mw me\n"
                           "7f0000000000-7f0000001000 rw-p 00000000 00:00 0 \n"
                           "Rss:                   4 kB\n",
                           &layout),
                     0);
    assert_int_equal(layout.count, 2);
    const struct maps_region *text = &layout.regions[0];
    assert_int_equal(text->start, 0x55d0c0a00000);
    assert_int_equal(text->end, 0x55d0c0a02000);
    assert_int_equal(text->offset, 0x1000);
    assert_string_equal(text->perms, "r-xp");
    assert_string_equal(text->path, "/usr/bin/x");
    assert_int_equal(text->rss, 4096);
    assert_int_equal(text->pss, 2048);
    assert_int_equal(text->dirty, 3072);
    assert_int_equal(text->swap, 3072);
    assert_int_equal(text->locked, 4096);
    assert_int_equal(text->huge, 2048 * 1024);
    assert_string_equal(layout.regions[1].path, "");
    assert_int_equal(layout.regions[1].rss, 4096);
    maps_layout_free(&layout);
}

static void odd_lines_are_skipped(void **state)
{
    (void)state;
    struct maps_layout layout = {0};
    assert_int_equal(parse("Rss: 4 kB\n"                                    /* before any region */
                           "garbage\n"
                           "\n"
                           "2000-1000 rw-p 00000000 00:00 0\n"              /* ends before it starts */
                           "1000-2000 rwxpq 00000000 00:00 0\n"             /* permissions too long */
                           "zz-2000 rw-p 00000000 00:00 0\n"
                           "1000-2000 rw-p 00000000 00:00 0 [heap]\n"
                           "Rss:    lots kB\n"                              /* no number */
                           "Pss: 99999999999999999999999 kB\n"              /* does not fit */
                           "Brand_New_Field:   7 kB\n"
                           "Swap:  8 kB",                                   /* cut short */
                           &layout),
                     0);
    assert_int_equal(layout.count, 1);
    assert_string_equal(layout.regions[0].path, "[heap]");
    assert_int_equal(layout.regions[0].rss, 0);
    assert_int_equal(layout.regions[0].pss, 0);
    assert_int_equal(layout.regions[0].swap, 8192);
    maps_layout_free(&layout);
}

static void a_long_path_is_cut(void **state)
{
    (void)state;
    size_t length = 100000;
    char *text = malloc(length + 64);
    assert_non_null(text);
    int head = sprintf(text, "1000-2000 r--p 00000000 fe:00 1 /");
    memset(text + head, 'a', length);
    strcpy(text + head + length, "\nRss: 4 kB\n");
    struct maps_layout layout = {0};
    assert_int_equal(parse(text, &layout), 0);
    assert_int_equal(layout.count, 1);
    assert_int_equal(strlen(layout.regions[0].path), sizeof layout.regions[0].path - 1);
    assert_int_equal(layout.regions[0].rss, 4096);
    maps_layout_free(&layout);
    free(text);
}

static void no_regions_is_a_process_gone(void **state)
{
    (void)state;
    struct maps_layout layout = {0};
    assert_int_equal(parse("", &layout), ESRCH);
    assert_int_equal(parse("Rss: 4 kB\nnothing else\n", &layout), ESRCH);
    maps_layout_free(&layout);
}

static void many_regions_grow_the_table(void **state)
{
    (void)state;
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    for (unsigned i = 0; i < 1000; i++)
        fprintf(out, "%x000-%x000 rw-p 00000000 00:00 0\nRss: 4 kB\n", i + 1, i + 2);
    fclose(out);
    struct maps_layout layout = {0};
    assert_int_equal(parse(text, &layout), 0);
    assert_int_equal(layout.count, 1000);
    assert_int_equal(layout.regions[999].start, 0x3e8000);
    maps_layout_free(&layout);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(regions_and_their_fields),
        cmocka_unit_test(odd_lines_are_skipped),
        cmocka_unit_test(a_long_path_is_cut),
        cmocka_unit_test(no_regions_is_a_process_gone),
        cmocka_unit_test(many_regions_grow_the_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
