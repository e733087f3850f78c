/* test_shared_memory.c - shared and file-backed segments in the kernel
 * model, on hand-worked runs: a shared page is resident once, whoever
 * touched it first; a file-backed page leaves to its file when dirty and is
 * dropped when clean. */
#include "sim_test.h"

/* Run "P:ADDR[w],..." on the default machine with these settings and
 * `processes` processes; the totals. */
static struct sim_stats run(const char *const *settings, const char *refs, unsigned processes)
{
    struct sim_config config;
    sim_config_default(&config);
    for (; *settings; settings += 2) {
        struct sim_diag diag = {0};
        if (sim_config_set(&config, settings[0], settings[1], &diag) != SIM_OK)
            fail_msg("%s = %s: %s", settings[0], settings[1], diag.message);
    }
    struct sim_record *records;
    size_t count;
    assert_int_equal(sim_refs_parse(refs, true, config.page_size, &records, &count, NULL),
                     SIM_OK);
    struct sim_stats stats = test_run_records(&config, records, count, processes);
    free(records);
    return stats;
}

/* Two processes touch the same 2 pages of a shared segment: the first
 * brings each in (zero-filled), the second only maps it (a minor fault).
 * The pages take 2 frames, not 4: with 2 frames nothing is evicted. */
static void a_shared_segment_is_resident_once(void **state)
{
    (void)state;
    const char *const settings[] = {"frames", "2", "segment", "shm 0x10000 8K rw shared=1",
                                    NULL};
    struct sim_stats s = run(settings, "0:0x10000,0:0x11000w,1:0x10008,1:0x11008", 2);
    assert_int_equal(s.page_faults, 4);
    assert_int_equal(s.zero_fills, 2);
    assert_int_equal(s.minor_faults, 2);
    assert_int_equal(s.evictions, 0);
    /* The same without shared=: 4 pages in 2 frames, 2 evictions. */
    const char *const private_settings[] = {"frames", "2", "segment", "shm 0x10000 8K rw",
                                            NULL};
    struct sim_stats p = run(private_settings, "0:0x10000,0:0x11000w,1:0x10008,1:0x11008", 2);
    assert_int_equal(p.zero_fills, 4);
    assert_int_equal(p.minor_faults, 0);
    assert_int_equal(p.evictions, 2);
}

/* One frame, fifo.  Process 0 stores to shared page 0; process 1 loads
 * shared page 1, which evicts page 0 (dirty: to swap) from both; process 1
 * then loads page 0, which comes back from swap, not zero-filled. */
static void a_dirty_shared_page_goes_to_swap_and_comes_back(void **state)
{
    (void)state;
    const char *const settings[] = {"frames", "1", "policy", "fifo", "segment",
                                    "shm 0x10000 8K rw shared=7", NULL};
    struct sim_stats s = run(settings, "0:0x10000w,1:0x11000,1:0x10000", 2);
    assert_int_equal(s.swap_writes, 1);
    assert_int_equal(s.swap_reads, 1);
    assert_int_equal(s.zero_fills, 2);
}

/* Two frames, fifo, a segment backed by a file.  Store to page 0 and load
 * page 1 (both read from the file); page 2 evicts page 0, which is dirty:
 * written to its file, not to swap; page 3 evicts page 1, which is clean:
 * dropped, nothing written; page 0 again comes from the file. */
static void a_file_backed_page_is_written_to_its_file_or_dropped(void **state)
{
    (void)state;
    const char *const settings[] = {"frames", "2", "policy", "fifo", "segment",
                                    "data 0x10000 16K rw file=data.bin", NULL};
    struct sim_stats s = run(settings, "0x10000w,0x11000,0x12000,0x13000,0x10000", 1);
    assert_int_equal(s.file_reads, 5);
    assert_int_equal(s.file_writes, 1);
    assert_int_equal(s.swap_writes, 0);
    assert_int_equal(s.swap_reads, 0);
    assert_int_equal(s.zero_fills, 0);
}

/* Two segments backed by the same file map the same pages (the page
 * cache): page 0 of the second is page 0 of the first. */
static void segments_of_one_file_share_its_pages(void **state)
{
    (void)state;
    const char *const settings[] = {"segment", "a 0x10000 8K r file=lib.so", "segment",
                                    "b 0x40000 8K r file=lib.so", NULL};
    struct sim_stats s = run(settings, "0x10000,0x40000", 1);
    assert_int_equal(s.file_reads, 1);
    assert_int_equal(s.minor_faults, 1);
}

/* Settings that cannot work are refused, saying why. */
static void bad_shared_segments_are_refused(void **state)
{
    (void)state;
    struct sim_config config;
    sim_config_default(&config);
    struct sim_diag diag = {0};
    assert_int_equal(sim_config_set(&config, "segment", "s 0 4K rw shared=0", &diag),
                     SIM_ERR_CONFIG);
    assert_non_null(strstr(diag.message, "shared=ID"));
    assert_int_equal(sim_config_set(&config, "segment", "s 0 4K rw file=", NULL),
                     SIM_ERR_CONFIG);
    assert_int_equal(sim_config_set(&config, "translation", "segmentation", NULL), SIM_OK);
    assert_int_equal(sim_config_set(&config, "segment", "s 0 4K rw shared=2", NULL), SIM_OK);
    assert_int_equal(sim_config_finish(&config, &diag), SIM_ERR_CONFIG);
    assert_non_null(strstr(diag.message, "needs paging"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_shared_segment_is_resident_once),
        cmocka_unit_test(a_dirty_shared_page_goes_to_swap_and_comes_back),
        cmocka_unit_test(a_file_backed_page_is_written_to_its_file_or_dropped),
        cmocka_unit_test(segments_of_one_file_share_its_pages),
        cmocka_unit_test(bad_shared_segments_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
