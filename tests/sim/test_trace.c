/* test_trace.c - trace input: lackey text (with valgrind's own lines), its
 * malformed lines (reported with line and field, or counted and skipped),
 * gzip, zstd and xz compression, mmkit's binary format, reference strings
 * and the round-robin interleaving of several traces. */
#include <lzma.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "sim_test.h"

static const char lackey_text[] =
    "==4242== Lackey, an example Valgrind tool\n"
    "==4242== Command: ls\n"
    "--4242-- a warning valgrind printed\n"
    "I  04010c0,3\n"
    " L 1ffefffd70,8\n"
    "\n"
    " S 04225e38,8\r\n"
    " M 0421ec0,4\n"
    "I  ffffffffff600000,16\n"
    "==4242== \n";

static const struct sim_record lackey_records[] = {
    {.addr = 0x4010c0, .size = 3, .kind = SIM_INSTR},
    {.addr = 0x1ffefffd70, .size = 8, .kind = SIM_LOAD},
    {.addr = 0x4225e38, .size = 8, .kind = SIM_STORE},
    {.addr = 0x421ec0, .size = 4, .kind = SIM_MODIFY},
    {.addr = 0xffffffffff600000, .size = 16, .kind = SIM_INSTR},
};

#define LACKEY_COUNT (sizeof lackey_records / sizeof lackey_records[0])

/* Read all of a trace; the status, records in *out (caller frees). */
static int read_all(const char *path, struct sim_trace_options options, struct sim_record **out,
                    size_t *count, struct sim_diag *diag, uint64_t *skipped)
{
    struct sim_trace *trace;
    int status = sim_trace_open(&trace, path, &options, diag);
    if (status)
        return status;
    *out = calloc(1024, sizeof **out);
    *count = 0;
    for (size_t got = 1; got && !status; *count += got)
        status = sim_trace_read(trace, *out + *count, 1024 - *count, &got, diag);
    if (skipped)
        *skipped = sim_trace_skipped(trace);
    sim_trace_close(trace);
    return status;
}

static void assert_records_equal(const struct sim_record *a, const struct sim_record *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(a[i].addr, b[i].addr);
        assert_int_equal(a[i].size, b[i].size);
        assert_int_equal(a[i].kind, b[i].kind);
        assert_int_equal(a[i].pid, b[i].pid);
    }
}

static void assert_reads_lackey_records(const void *data, size_t size)
{
    char *path = test_temp_file(data, size);
    struct sim_record *records;
    size_t count;
    struct sim_trace_options options = {.kinds = SIM_KIND_ALL};
    assert_int_equal(read_all(path, options, &records, &count, NULL, NULL), SIM_OK);
    assert_int_equal(count, LACKEY_COUNT);
    assert_records_equal(records, lackey_records, LACKEY_COUNT);
    free(records);
    test_temp_remove(path);
}

static void lackey_text_is_read_and_valgrind_lines_skipped(void **state)
{
    assert_reads_lackey_records(lackey_text, strlen(lackey_text));
}

static void kinds_keep_only_the_chosen_records(void **state)
{
    char *path = test_temp_file(lackey_text, strlen(lackey_text));
    struct sim_record *records;
    size_t count;
    struct sim_trace_options options = {0};
    assert_true(sim_kinds_parse("LSM", &options.kinds));
    assert_int_equal(read_all(path, options, &records, &count, NULL, NULL), SIM_OK);
    assert_int_equal(count, 3);
    assert_records_equal(records, lackey_records + 1, 3);
    assert_false(sim_kinds_parse("LX", &options.kinds));
    free(records);
    test_temp_remove(path);
}

static void assert_malformed(const char *text, unsigned long line, const char *field)
{
    char *path = test_temp_file(text, strlen(text));
    struct sim_record *records = NULL;
    size_t count;
    struct sim_diag diag = {0};
    struct sim_trace_options options = {.kinds = SIM_KIND_ALL};
    assert_int_equal(read_all(path, options, &records, &count, &diag, NULL), SIM_ERR_PARSE);
    test_assert_diag(&diag, path, line, field);
    free(records);
    test_temp_remove(path);
}

static void malformed_lines_are_reported_with_line_and_field(void **state)
{
    assert_malformed("I  0401,3\n X 0401,3\n", 2, "kind");
    assert_malformed("I  0401,3\n L 04g1,3\n", 2, "address");
    assert_malformed(" L ,3\n", 1, "address");
    assert_malformed("I  0401,3\nI  0401,3\n S 0401\n", 3, "address");
    assert_malformed(" S 0401,0\n", 1, "size");
    assert_malformed(" S 0401,8 junk\n", 1, "size");
    assert_malformed(" L 11112222333344445,8\n", 1, "address");
}

static void skip_bad_counts_malformed_lines_and_keeps_the_rest(void **state)
{
    const char text[] = "I  0401,3\n X 0401,3\n L zz,8\n S 0500,8\n";
    char *path = test_temp_file(text, strlen(text));
    struct sim_record *records;
    size_t count;
    uint64_t skipped;
    struct sim_trace_options options = {.kinds = SIM_KIND_ALL, .skip_bad = true};
    assert_int_equal(read_all(path, options, &records, &count, NULL, &skipped), SIM_OK);
    assert_int_equal(count, 2);
    assert_int_equal(skipped, 2);
    assert_int_equal(records[1].addr, 0x500);
    free(records);
    test_temp_remove(path);
}

static void gzip_traces_are_decompressed(void **state)
{
    uLongf size = compressBound(sizeof lackey_text) + 32;
    unsigned char *packed = malloc(size);
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)lackey_text;
    z.avail_in = (uInt)strlen(lackey_text);
    z.next_out = packed;
    z.avail_out = (uInt)size;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    assert_reads_lackey_records(packed, z.total_out);
    deflateEnd(&z);
    free(packed);
}

static void zstd_traces_are_decompressed(void **state)
{
    size_t size = ZSTD_compressBound(sizeof lackey_text);
    void *packed = malloc(size);
    size_t n = ZSTD_compress(packed, size, lackey_text, strlen(lackey_text), 3);
    assert_false(ZSTD_isError(n));
    assert_reads_lackey_records(packed, n);
    free(packed);
}

static void xz_traces_are_decompressed(void **state)
{
    uint8_t packed[4096];
    size_t n = 0;
    assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL,
                                             (const uint8_t *)lackey_text, strlen(lackey_text),
                                             packed, &n, sizeof packed),
                     LZMA_OK);
    assert_reads_lackey_records(packed, n);
}

static void truncated_compressed_trace_is_an_error(void **state)
{
    size_t size = ZSTD_compressBound(sizeof lackey_text);
    char *packed = malloc(size);
    size_t n = ZSTD_compress(packed, size, lackey_text, strlen(lackey_text), 3);
    char *path = test_temp_file(packed, n / 2);
    struct sim_record *records = NULL;
    size_t count;
    struct sim_trace_options options = {.kinds = SIM_KIND_ALL};
    assert_int_not_equal(read_all(path, options, &records, &count, NULL, NULL), SIM_OK);
    free(records);
    free(packed);
    test_temp_remove(path);
}

static void binary_format_round_trips_records(void **state)
{
    char *path = test_temp_file("", 0);
    struct sim_trace_writer *writer;
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    assert_int_equal(sim_trace_writer_open(&writer, file, path, 2, NULL), SIM_OK);
    struct sim_record two[LACKEY_COUNT];
    memcpy(two, lackey_records, sizeof two);
    two[2].pid = 1;
    assert_int_equal(sim_trace_writer_put(writer, two, LACKEY_COUNT, NULL), SIM_OK);
    assert_int_equal(sim_trace_writer_close(writer, NULL), SIM_OK);
    assert_int_equal(fclose(file), 0);
    struct sim_record *records;
    size_t count;
    struct sim_trace_options options = {.kinds = SIM_KIND_ALL, .first_pid = 3};
    assert_int_equal(read_all(path, options, &records, &count, NULL, NULL), SIM_OK);
    assert_int_equal(count, LACKEY_COUNT);
    for (size_t i = 0; i < count; i++)
        two[i].pid = (uint16_t)(two[i].pid + 3);
    assert_records_equal(records, two, count);
    free(records);
    test_temp_remove(path);
}

static void binary_format_refuses_what_it_cannot_hold(void **state)
{
    char *path = test_temp_file("", 0);
    struct sim_trace_writer *writer;
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    assert_int_equal(sim_trace_writer_open(&writer, file, path, 1, NULL), SIM_OK);
    struct sim_diag diag = {0};
    const struct sim_record wide = {.addr = 0x0000800000000000, .size = 1};
    assert_int_equal(sim_trace_writer_put(writer, &wide, 1, &diag), SIM_ERR_PARSE);
    assert_string_equal(diag.field, "address");
    const struct sim_record big = {.addr = 0x1000, .size = 4096};
    assert_int_equal(sim_trace_writer_put(writer, &big, 1, &diag), SIM_ERR_PARSE);
    assert_string_equal(diag.field, "size");
    sim_trace_writer_close(writer, NULL);
    fclose(file);
    test_temp_remove(path);
}

static void binary_trace_cut_inside_a_record_is_an_error(void **state)
{
    const char header[] = "MMKTRACE\1\0\0\0\1\0\0\0" "\0\x10\0\0\0\0\x05";
    char *path = test_temp_file(header, sizeof header - 1);
    struct sim_record *records = NULL;
    size_t count;
    struct sim_diag diag = {0};
    struct sim_trace_options options = {.kinds = SIM_KIND_ALL};
    assert_int_equal(read_all(path, options, &records, &count, &diag, NULL), SIM_ERR_PARSE);
    assert_string_equal(diag.field, "record");
    free(records);
    test_temp_remove(path);
}

static void reference_strings_read_pages_addresses_writes_and_processes(void **state)
{
    struct sim_record *records;
    size_t count;
    assert_int_equal(sim_refs_parse("7, 0 1w,1:2", false, 4096, &records, &count, NULL), SIM_OK);
    assert_int_equal(count, 4);
    assert_int_equal(records[0].addr, 7 * 4096);
    assert_int_equal(records[2].kind, SIM_STORE);
    assert_int_equal(records[3].pid, 1);
    assert_int_equal(records[3].addr, 2 * 4096);
    free(records);
    assert_int_equal(sim_refs_parse("0x3a7,0x1f0c", true, 4096, &records, &count, NULL), SIM_OK);
    assert_int_equal(records[1].addr, 0x1f0c);
    free(records);
    struct sim_diag diag = {0};
    assert_int_equal(sim_refs_parse("1,2,x", false, 4096, &records, &count, &diag), SIM_ERR_PARSE);
    assert_string_equal(diag.file, "--refs");
    assert_string_equal(diag.field, "item 3");
    assert_int_equal(sim_refs_parse("1,2q", false, 4096, &records, &count, &diag), SIM_ERR_PARSE);
    assert_string_equal(diag.field, "item 2");
}

static void several_traces_take_turns_by_quantum(void **state)
{
    char *a = test_temp_file(" L 1000,1\n L 1001,1\n L 1002,1\n", 30);
    char *b = test_temp_file(" S 2000,1\n", 10);
    const char *paths[] = {a, b};
    struct sim_workload w;
    struct sim_trace_options options = {.kinds = SIM_KIND_ALL};
    assert_int_equal(sim_workload_load(&w, paths, 2, &options, 2, NULL), SIM_OK);
    assert_int_equal(w.processes, 2);
    assert_int_equal(w.count, 4);
    const uint16_t pids[] = {0, 0, 1, 0};
    const uint64_t addrs[] = {0x1000, 0x1001, 0x2000, 0x1002};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(w.records[i].pid, pids[i]);
        assert_int_equal(w.records[i].addr, addrs[i]);
    }
    sim_workload_free(&w);
    test_temp_remove(a);
    test_temp_remove(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lackey_text_is_read_and_valgrind_lines_skipped),
        cmocka_unit_test(kinds_keep_only_the_chosen_records),
        cmocka_unit_test(malformed_lines_are_reported_with_line_and_field),
        cmocka_unit_test(skip_bad_counts_malformed_lines_and_keeps_the_rest),
        cmocka_unit_test(gzip_traces_are_decompressed),
        cmocka_unit_test(zstd_traces_are_decompressed),
        cmocka_unit_test(xz_traces_are_decompressed),
        cmocka_unit_test(truncated_compressed_trace_is_an_error),
        cmocka_unit_test(binary_format_round_trips_records),
        cmocka_unit_test(binary_format_refuses_what_it_cannot_hold),
        cmocka_unit_test(binary_trace_cut_inside_a_record_is_an_error),
        cmocka_unit_test(reference_strings_read_pages_addresses_writes_and_processes),
        cmocka_unit_test(several_traces_take_turns_by_quantum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
