/* test_translation.c - translation answers in every mode: paging (multi-
 * level and linear tables, TLB, faults, protection, swap), segmentation and
 * base-and-bounds, each for valid accesses, accesses out of bounds and
 * accesses the protection bits forbid. */
#include <stdio.h>
#include <string.h>

#include "sim_test.h"

struct outcome {
    struct sim_stats stats;
    char *explained; /* the --explain text */
};

static struct outcome run_explained(const struct sim_config *config,
                                    const struct sim_record *records, size_t count,
                                    unsigned processes)
{
    struct outcome o = {0};
    size_t size;
    FILE *out = open_memstream(&o.explained, &size);
    assert_non_null(out);
    struct sim_workload workload = {.records = (struct sim_record *)records, .count = count,
                                    .processes = processes};
    struct sim_machine *machine = NULL;
    struct sim_run_options options = {.explain = out};
    assert_int_equal(sim_run_workload(&machine, config, &workload, &options, NULL), SIM_OK);
    fclose(out);
    sim_machine_stats(machine, -1, &o.stats);
    sim_machine_destroy(machine);
    return o;
}

static struct sim_config machine_with(const char *preset, const char *const *settings)
{
    struct sim_config config;
    sim_config_default(&config);
    if (preset)
        assert_int_equal(sim_config_load(&config, preset, NULL), SIM_OK);
    for (size_t i = 0; settings && settings[i]; i += 2)
        assert_int_equal(sim_config_set(&config, settings[i], settings[i + 1], NULL), SIM_OK);
    assert_int_equal(sim_config_finish(&config, NULL), SIM_OK);
    return config;
}

#define LOAD(a) {.addr = (a), .size = 1, .kind = SIM_LOAD}
#define STORE(a) {.addr = (a), .size = 1, .kind = SIM_STORE}
#define FETCH(a) {.addr = (a), .size = 1, .kind = SIM_INSTR}

static void paging_maps_pages_to_frames_in_fault_order(void **state)
{
    struct sim_config config = machine_with("tiny", NULL);
    const struct sim_record refs[] = {LOAD(0x3a7), LOAD(0x1f0c), LOAD(0x3a8)};
    struct outcome o = run_explained(&config, refs, 3, 1);
    assert_non_null(strstr(o.explained, "page 0x3, offset 0xa7"));
    assert_non_null(strstr(o.explained, "physical 0xa7"));  /* page 3 -> frame 0 */
    assert_non_null(strstr(o.explained, "physical 0x10c")); /* page 0x1f -> frame 1 */
    assert_non_null(strstr(o.explained, "physical 0xa8"));
    assert_int_equal(o.stats.page_faults, 2);
    assert_int_equal(o.stats.tlb_hits, 1);
    assert_int_equal(o.stats.protection_faults, 0);
    free(o.explained);
}

static void explain_names_the_victim_and_its_swap_write(void **state)
{
    const char *settings[] = {"frames", "1", "policy", "fifo", NULL};
    struct sim_config config = machine_with("tiny", settings);
    const struct sim_record refs[] = {STORE(0x100), LOAD(0x200), LOAD(0x100)};
    struct outcome o = run_explained(&config, refs, 3, 1);
    assert_non_null(strstr(o.explained, "evicts process 0 page 0x1 from frame 0 (dirty: written to swap)"));
    assert_non_null(strstr(o.explained, "page read from swap"));
    /* back in, the page keeps its copy in swap, and the story says what that means */
    assert_non_null(strstr(o.explained, "entry: frame 0, present writable user accessed in-swap\n"
                                        "  in-swap: swap still holds a copy of the page, so "
                                        "evicting it clean writes nothing\n"));
    assert_int_equal(o.stats.swap_writes, 1);
    assert_int_equal(o.stats.swap_reads, 1);
    assert_int_equal(o.stats.zero_fills, 2);
    free(o.explained);
}

/* --explain says why the victim was chosen: the policy's view of the
 * pages, and the second chances a clock gave on its way. */
static void explain_tells_why_the_policy_chose_its_victim(void **state)
{
    const struct sim_record refs[] = {LOAD(0x700), LOAD(0x000), LOAD(0x100), LOAD(0x200),
                                      LOAD(0x000), LOAD(0x300)};
    const char *policies[] = {"lru", "opt", "fifo", "clock"};
    const char *said[] = {
        "    lru, by last use: 0x7 at 1, 0x0 at 2, 0x1 at 3\n",
        "    opt, by next use: 0x7 never, 0x0 at 5, 0x1 never\n",
        "    fifo, oldest first: 0x7 R, 0x0 R, 0x1 R\n",
        /* every bit set: the hand clears them all, comes round, takes 0x7 */
        ("    clock, from the hand: 0x7 R, 0x0 R, 0x1 R\n"
         "    second chance (reference bit cleared): 0x0, 0x1\n")};
    for (size_t i = 0; i < 4; i++) {
        const char *settings[] = {"frames", "3", "policy", policies[i], "tlb-entries", "0", NULL};
        struct sim_config config = machine_with("tiny", settings);
        struct outcome o = run_explained(&config, refs, 6, 1);
        if (!strstr(o.explained, said[i]))
            fail_msg("%s: no \"%s\" in\n%s", policies[i], said[i], o.explained);
        free(o.explained);
    }
}

static void clean_victims_come_back_zero_filled_without_swap_traffic(void **state)
{
    const char *settings[] = {"frames", "1", NULL};
    struct sim_config config = machine_with("tiny", settings);
    const struct sim_record refs[] = {LOAD(0x100), LOAD(0x200), LOAD(0x100)};
    struct outcome o = run_explained(&config, refs, 3, 1);
    assert_int_equal(o.stats.swap_writes, 0);
    assert_int_equal(o.stats.swap_reads, 0);
    assert_int_equal(o.stats.zero_fills, 3);
    free(o.explained);
}

static void address_beyond_the_address_space_is_a_protection_fault(void **state)
{
    struct sim_config config = machine_with("tiny", NULL);
    const struct sim_record refs[] = {LOAD(0x10000)};
    struct outcome o = run_explained(&config, refs, 1, 1);
    assert_int_equal(o.stats.protection_faults, 1);
    assert_int_equal(o.stats.page_faults, 0);
    assert_non_null(strstr(o.explained, "PROTECTION FAULT at 0x10000"));
    /* refused before the TLB: the story, the counters and the time agree */
    assert_null(strstr(o.explained, "TLB miss"));
    assert_non_null(strstr(o.explained, "beyond the 16-bit address space"));
    assert_int_equal(o.stats.tlb_hits + o.stats.tlb_misses, 0);
    assert_int_equal(o.stats.walk_accesses, 0);
    free(o.explained);
}

/* A textbook's small machine: 7-bit addresses, 8-byte pages (16 pages), a
 * linear table, 4 frames filled in fault order, FIFO after. */
static void an_exercise_sized_machine_translates_by_hand(void **state)
{
    const char *settings[] = {"address-bits", "7", "page-size", "8", "levels", "linear",
                              "frames", "4", "policy", "fifo", "tlb-entries", "0", NULL};
    struct sim_config config = machine_with(NULL, settings);
    const struct sim_record refs[] = {LOAD(0x0), LOAD(0x9), LOAD(0x7f), LOAD(0x11), LOAD(0x23),
                                      LOAD(0x80)};
    struct outcome o = run_explained(&config, refs, 6, 1);
    assert_non_null(strstr(o.explained, "physical 0x17 = frame 2 * 0x8 + offset 0x7"));
    assert_non_null(strstr(o.explained, "physical 0x19 = frame 3 * 0x8 + offset 0x1"));
    /* page 4 takes the frame of page 0, the first in */
    assert_non_null(strstr(o.explained, "evicts process 0 page 0x0 from frame 0"));
    assert_non_null(strstr(o.explained, "physical 0x3 = frame 0 * 0x8 + offset 0x3"));
    assert_non_null(strstr(o.explained, "beyond the 7-bit address space (its last page is 0xf)"));
    assert_int_equal(o.stats.page_faults, 5);
    assert_int_equal(o.stats.protection_faults, 1);
    free(o.explained);
}

/* OSTEP's segmentation.py README, seed 0: a 128-byte address space whose
 * top bit chooses the segment, segment 1 growing down from 512. */
static void top_bits_choose_the_segment_as_segmentation_py_does(void **state)
{
    const char *settings[] = {"translation", "segmentation", "address-bits", "7",
                              "segment-bits", "1", "segment", "seg0 0 20 rwx 0",
                              "segment", "seg1 128 20 rwx 512 down", NULL};
    struct sim_config config = machine_with(NULL, settings);
    const struct sim_record refs[] = {LOAD(108), LOAD(97), LOAD(53), LOAD(33), LOAD(65)};
    struct outcome o = run_explained(&config, refs, 5, 1);
    /* VA 0: 108 --> VALID in SEG1: 492; the others are violations */
    assert_non_null(strstr(o.explained, "-> physical 0x1ec = 0x200 - 0x14"));
    assert_int_equal(o.stats.protection_faults, 4);
    const char *said[] = {"at 0x61: segment seg1: offset beyond the limit",
                          "at 0x35: segment seg0: offset beyond the limit",
                          "at 0x21: segment seg0: offset beyond the limit",
                          "at 0x41: segment seg1: offset beyond the limit"};
    for (size_t i = 0; i < 4; i++)
        assert_non_null(strstr(o.explained, said[i]));
    free(o.explained);
}

/* An exercise's linear table of raw 32-bit entries (valid bit 31, frame
 * number below), 1K pages of a 14-bit address space: every address
 * translates as the table says, and a page it leaves invalid is a
 * protection fault, not a page fault. */
static void a_given_linear_table_translates_without_demand_paging(void **state)
{
    const char *settings[] = {"address-bits", "14", "page-size", "1K", "levels", "linear",
                              "frames", "32", "tlb-entries", "0",
                              "page-table", "0x8000000c 0x00000000 0x00000000 0x80000006",
                              "page-table", "0x0,0x0,0x0,0x0,0x0,0x0,0x0,0x0,0x0,0x0,0x0,0x8000001d",
                              NULL};
    struct sim_config config = machine_with(NULL, settings);
    const struct sim_record refs[] = {LOAD(0x0c00 + 0x2a), LOAD(0x3fff), LOAD(0x0123),
                                      LOAD(0x0400), STORE(0x3c00)};
    struct outcome o = run_explained(&config, refs, 5, 1);
    assert_non_null(strstr(o.explained, "physical 0x182a = frame 6 * 0x400 + offset 0x2a"));
    assert_non_null(strstr(o.explained, "physical 0x77ff = frame 29 * 0x400 + offset 0x3ff"));
    assert_non_null(strstr(o.explained, "physical 0x3123 = frame 12 * 0x400 + offset 0x123"));
    assert_non_null(strstr(o.explained, "PROTECTION FAULT at 0x400: page not valid in the given "
                                        "table"));
    assert_int_equal(o.stats.protection_faults, 1);
    assert_int_equal(o.stats.page_faults, 0);
    free(o.explained);
}

/* map lines, with their protection */
static void mapped_pages_keep_their_protection(void **state)
{
    const char *settings[] = {"preset", "tiny", "map", "1 5 r-x", "map", "2 7", NULL};
    struct sim_config config = machine_with(NULL, settings);
    const struct sim_record refs[] = {FETCH(0x100), STORE(0x100), STORE(0x2ff), LOAD(0x300)};
    struct outcome o = run_explained(&config, refs, 4, 1);
    assert_non_null(strstr(o.explained, "physical 0x500 = frame 5 * 0x100 + offset 0x0"));
    assert_non_null(strstr(o.explained, "PROTECTION FAULT at 0x100: write to a read-only page"));
    assert_non_null(strstr(o.explained, "physical 0x7ff = frame 7 * 0x100 + offset 0xff"));
    assert_non_null(strstr(o.explained, "PROTECTION FAULT at 0x300: page not valid"));
    assert_int_equal(o.stats.page_faults, 0);
    assert_int_equal(o.stats.evictions, 0);
    free(o.explained);
}

/* OSTEP's paging-multilevel-translate README: PDBR 108, 32-byte pages,
 * 15-bit addresses, 1-byte entries (valid bit 7), and virtual address
 * 0x611c: PDE index 0x18 holds 0xa1 (frame 0x21), PTE index 0x8 holds 0xb5
 * (frame 0x35), physical 0x6bc, value 0x08.  The image holds those bytes
 * (as a hex dump with "page N:" lines) and entries that are not valid. */
static void a_two_level_walk_reads_its_entries_from_the_memory_image(void **state)
{
    char dump[1024];
    char row[3][65];
    for (int page = 0; page < 3; page++)
        memset(row[page], '0', 64), row[page][64] = '\0';
    memcpy(row[0] + 2 * 0x18, "a1", 2); /* page 108, the directory; index 0x19 stays 00 */
    memcpy(row[1] + 2 * 0x08, "b5", 2); /* page 0x21, a table */
    memcpy(row[2] + 2 * 0x1c, "08", 2); /* page 0x35 */
    snprintf(dump, sizeof dump, "# memory\npage 108: %s\npage 33: %s\npage 53:%s\n", row[0],
             row[1], row[2]);
    char *image = test_temp_file(dump, strlen(dump));
    const char *settings[] = {"address-bits", "15", "page-size", "32", "levels", "5,5",
                              "frames", "128", "memory-image", image, "pdbr", "108",
                              "entry-size", "1", "entry-format", "valid:7 pfn:0-6", NULL};
    struct sim_config config = machine_with(NULL, settings);
    const struct sim_record refs[] = {LOAD(0x611c), LOAD(0x6400), LOAD(0x6120)};
    struct outcome o = run_explained(&config, refs, 3, 1);
    assert_non_null(strstr(o.explained, "L1[0x18] at 0xd98: 0xa1 -> valid, frame 0x21\n"
                                        "    L2[0x8] at 0x428: 0xb5 -> valid, frame 0x35\n"
                                        "  physical 0x6bc = frame 0x35 * 0x20 + offset 0x1c, "
                                        "holding 0x08\n"));
    assert_non_null(strstr(o.explained, "L1[0x19] at 0xd99: 0x00 -> not valid\n"
                                        "  PROTECTION FAULT at 0x6400: page-directory entry not "
                                        "valid"));
    assert_non_null(strstr(o.explained, "PROTECTION FAULT at 0x6120: page-table entry not valid"));
    assert_int_equal(o.stats.walk_accesses, 2 + 1 + 2);
    assert_int_equal(o.stats.tlb_hits + o.stats.tlb_misses, 0);
    assert_int_equal(o.stats.page_faults, 0);
    free(o.explained);
    test_temp_remove(image);
}

static const char *const segmented_paging[] = {
    "segment", "code 0x0 0x1000 r-x", "segment", "heap 0x4000 0x1000 rw", NULL};

static void paging_with_segments_tells_page_faults_from_protection_faults(void **state)
{
    struct sim_config config = machine_with("tiny", segmented_paging);
    const struct sim_record refs[] = {
        FETCH(0x10),   /* valid: page fault */
        STORE(0x20),   /* write to resident read-only page: protection */
        STORE(0x4010), /* valid write: page fault */
        LOAD(0x2000),  /* no segment: protection */
        FETCH(0x4020), /* fetch from no-execute page: protection */
        STORE(0x300),  /* write to read-only page not resident: protection */
    };
    struct outcome o = run_explained(&config, refs, 6, 1);
    assert_int_equal(o.stats.page_faults, 2);
    assert_int_equal(o.stats.protection_faults, 4);
    assert_non_null(strstr(o.explained, "write to a read-only page"));
    assert_non_null(strstr(o.explained, "no segment holds the address"));
    assert_non_null(strstr(o.explained, "instruction fetch from a no-execute page"));
    assert_non_null(strstr(o.explained, "write to a read-only segment"));
    free(o.explained);
}

static void protection_faults_are_kept_with_their_addresses(void **state)
{
    struct sim_config config = machine_with("tiny", segmented_paging);
    const struct sim_record refs[] = {LOAD(0x10), LOAD(0x2abc)};
    struct sim_workload workload = {.records = (struct sim_record *)refs, .count = 2,
                                    .processes = 1};
    struct sim_machine *machine = NULL;
    assert_int_equal(sim_run_workload(&machine, &config, &workload, NULL, NULL), SIM_OK);
    const struct sim_protection_fault *faults;
    assert_int_equal(sim_machine_protection_faults(machine, &faults), 1);
    assert_int_equal(faults[0].addr, 0x2abc);
    assert_int_equal(faults[0].reference, 2);
    sim_machine_destroy(machine);
}

static const char *const three_segments[] = {
    "translation", "segmentation",
    "segment", "code 0x0 0x800 r-x 0x8000",
    "segment", "heap 0x1000 0x400 rw 0x20000",
    "segment", "stack 0x4000 0x800 rw 0x30000 down", NULL};

static void segmentation_translates_each_segment_and_its_growth(void **state)
{
    struct sim_config config = machine_with(NULL, three_segments);
    const struct sim_record refs[] = {FETCH(0x7a), LOAD(0x1010), STORE(0x3ff0)};
    struct outcome o = run_explained(&config, refs, 3, 1);
    assert_int_equal(o.stats.protection_faults, 0);
    assert_non_null(strstr(o.explained, "physical 0x807a"));
    assert_non_null(strstr(o.explained, "physical 0x20010"));
    assert_non_null(strstr(o.explained, "physical 0x2fff0")); /* 0x10 below the stack top */
    assert_int_equal(o.stats.page_faults, 0);
    free(o.explained);
}

static void segmentation_faults_out_of_bounds_and_on_forbidden_access(void **state)
{
    struct sim_config config = machine_with(NULL, three_segments);
    const struct sim_record refs[] = {
        LOAD(0x800),  /* one past the code segment */
        STORE(0x10),  /* code is read-only */
        FETCH(0x1000), /* heap is not executable */
        LOAD(0x37ff), /* one below the stack's limit */
        LOAD(0x3800), /* the stack's lowest byte: valid */
    };
    struct outcome o = run_explained(&config, refs, 5, 1);
    assert_int_equal(o.stats.protection_faults, 4);
    assert_int_equal(o.stats.references, 5);
    free(o.explained);
}

static void base_and_bounds_relocates_and_checks_the_bound(void **state)
{
    const char *settings[] = {"translation", "base-bounds", "base", "0x8000", "bounds", "0x1000",
                              NULL};
    struct sim_config config = machine_with(NULL, settings);
    const struct sim_record refs[] = {LOAD(0x3a7), LOAD(0xfff), LOAD(0x1000)};
    struct outcome o = run_explained(&config, refs, 3, 1);
    assert_non_null(strstr(o.explained, "physical 0x83a7"));
    assert_non_null(strstr(o.explained, "physical 0x8fff"));
    assert_non_null(strstr(o.explained, "address beyond the bounds register"));
    assert_int_equal(o.stats.protection_faults, 1);
    free(o.explained);
}

static void multi_level_tables_are_allocated_on_demand(void **state)
{
    struct sim_config config = machine_with("x86-64", NULL);
    const struct sim_record one[] = {LOAD(0x1000)};
    /* Root, and one table at each of the three lower levels. */
    assert_int_equal(test_run_records(&config, one, 1, 1).page_table_bytes, 4 * 4096);
    /* A page under another root entry needs three more tables. */
    const struct sim_record far[] = {LOAD(0x1000), LOAD(0x7f0000000000)};
    assert_int_equal(test_run_records(&config, far, 2, 1).page_table_bytes, 7 * 4096);
    /* A neighbour shares them all. */
    const struct sim_record near[] = {LOAD(0x1000), LOAD(0x2000)};
    assert_int_equal(test_run_records(&config, near, 2, 1).page_table_bytes, 4 * 4096);
}

static void linear_table_is_allocated_whole(void **state)
{
    const char *settings[] = {"address-bits", "20", "page-size", "4K", "levels", "linear", NULL};
    struct sim_config config = machine_with(NULL, settings);
    const struct sim_record one[] = {LOAD(0x1000)};
    assert_int_equal(test_run_records(&config, one, 1, 1).page_table_bytes, 256 * 8);
}

static void walks_read_one_entry_per_level_on_each_tlb_miss(void **state)
{
    const char *settings[] = {"tlb-entries", "0", NULL};
    struct sim_config config = machine_with("x86-64", settings);
    const struct sim_record refs[] = {LOAD(0x1000), LOAD(0x1008), LOAD(0x1010)};
    struct sim_stats s = test_run_records(&config, refs, 3, 1);
    /* The first walk stops at the missing second level; then full walks. */
    assert_int_equal(s.walk_accesses, 1 + 4 + 4);
    assert_int_equal(s.tlb_hits + s.tlb_misses, 0);
}

static void tlb_associativity_decides_conflict_misses(void **state)
{
    /* Pages 0 and 2 fall in the same set of a 2-set TLB. */
    const struct sim_record refs[] = {LOAD(0x0), LOAD(0x2000), LOAD(0x0), LOAD(0x2000)};
    const char *direct[] = {"tlb-entries", "2", "tlb-ways", "1", NULL};
    struct sim_config config = machine_with(NULL, direct);
    assert_int_equal(test_run_records(&config, refs, 4, 1).tlb_hits, 0);
    const char *two_way[] = {"tlb-entries", "2", "tlb-ways", "2", NULL};
    config = machine_with(NULL, two_way);
    assert_int_equal(test_run_records(&config, refs, 4, 1).tlb_hits, 2);
}

static void context_switch_flushes_the_tlb_unless_it_has_asids(void **state)
{
    struct sim_record refs[8];
    for (int i = 0; i < 8; i++)
        refs[i] = (struct sim_record){.addr = 0x1000, .size = 1, .kind = SIM_LOAD,
                                      .pid = (uint16_t)(i % 2)};
    const char *flush[] = {"tlb-switch", "flush", NULL};
    struct sim_config config = machine_with(NULL, flush);
    struct sim_stats s = test_run_records(&config, refs, 8, 2);
    assert_int_equal(s.tlb_hits, 0);
    assert_int_equal(s.context_switches, 7);
    const char *asid[] = {"tlb-switch", "asid", NULL};
    config = machine_with(NULL, asid);
    s = test_run_records(&config, refs, 8, 2);
    assert_int_equal(s.tlb_hits, 6);
    /* Each process has its own page 1: two page faults, not one. */
    assert_int_equal(s.page_faults, 2);
}

static void evicting_another_process_page_keeps_the_running_one_translations(void **state)
{
    /* Flush mode tags every entry with id 0; process 1's page 5 must keep
     * its entry when process 0's page 5 is evicted. */
    const struct sim_record refs[] = {
        {.addr = 0x5000, .size = 1, .kind = SIM_LOAD, .pid = 0},
        {.addr = 0x5000, .size = 1, .kind = SIM_LOAD, .pid = 1},
        {.addr = 0x7000, .size = 1, .kind = SIM_LOAD, .pid = 1}, /* evicts process 0's page */
        {.addr = 0x5000, .size = 1, .kind = SIM_LOAD, .pid = 1},
    };
    const char *flush[] = {"tlb-switch", "flush", "frames", "2", "policy", "fifo", NULL};
    struct sim_config config = machine_with(NULL, flush);
    struct sim_stats s = test_run_records(&config, refs, 4, 2);
    assert_int_equal(s.evictions, 1);
    assert_int_equal(s.tlb_hits, 1);
}

static void local_allocation_keeps_each_process_in_its_share(void **state)
{
    /* Process 0 cycles over 4 pages; process 1 touches one page before and
     * after.  Globally, process 0 steals process 1's frame. */
    struct sim_record refs[10];
    refs[0] = (struct sim_record){.addr = 0x9000, .size = 1, .pid = 1, .kind = SIM_LOAD};
    for (int i = 0; i < 8; i++)
        refs[1 + i] = (struct sim_record){.addr = 0x1000u * (unsigned)(i % 4), .size = 1,
                                          .kind = SIM_LOAD};
    refs[9] = refs[0];
    const char *local[] = {"frames", "4", "policy", "lru", "allocation", "local", NULL};
    struct sim_config config = machine_with(NULL, local);
    struct sim_workload workload = {.records = refs, .count = 10, .processes = 2};
    struct sim_machine *machine = NULL;
    assert_int_equal(sim_run_workload(&machine, &config, &workload, NULL, NULL), SIM_OK);
    struct sim_stats p1;
    sim_machine_stats(machine, 1, &p1);
    assert_int_equal(p1.page_faults, 1);
    sim_machine_destroy(machine);
    const char *global[] = {"frames", "4", "policy", "lru", NULL};
    config = machine_with(NULL, global);
    assert_int_equal(sim_run_workload(&machine, &config, &workload, NULL, NULL), SIM_OK);
    sim_machine_stats(machine, 1, &p1);
    assert_int_equal(p1.page_faults, 2);
    sim_machine_destroy(machine);
}

static void straddling_access_touches_both_pages_only_when_asked(void **state)
{
    const struct sim_record refs[] = {{.addr = 0xffe, .size = 4, .kind = SIM_LOAD}};
    struct sim_config config = machine_with(NULL, NULL);
    assert_int_equal(test_run_records(&config, refs, 1, 1).page_faults, 1);
    const char *split[] = {"split-straddling", "yes", NULL};
    config = machine_with(NULL, split);
    struct sim_stats s = test_run_records(&config, refs, 1, 1);
    assert_int_equal(s.page_faults, 2);
    assert_int_equal(s.references, 2);
}

static void effective_access_time_follows_the_textbook_formula(void **state)
{
    const char *costs[] = {"cost-tlb", "20ns", "cost-memory", "100ns", "cost-fault", "8ms",
                           "cost-swap-write", "1ms", "frames", "1", NULL};
    struct sim_config config = machine_with(NULL, costs);
    const struct sim_record refs[] = {STORE(0x1000), LOAD(0x1008), LOAD(0x2000)};
    struct sim_stats s = test_run_records(&config, refs, 3, 1);
    double expected = 3 * 100.0 + (double)(s.tlb_hits + s.tlb_misses) * 20.0 +
                      (double)s.walk_accesses * 100.0 + (double)s.page_faults * 8e6 +
                      (double)s.swap_writes * 1e6;
    assert_int_equal(s.swap_writes, 1);
    assert_true(s.time_ns == expected);
    assert_true(sim_stats_eat(&s) == expected / 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paging_maps_pages_to_frames_in_fault_order),
        cmocka_unit_test(explain_names_the_victim_and_its_swap_write),
        cmocka_unit_test(clean_victims_come_back_zero_filled_without_swap_traffic),
        cmocka_unit_test(address_beyond_the_address_space_is_a_protection_fault),
        cmocka_unit_test(an_exercise_sized_machine_translates_by_hand),
        cmocka_unit_test(top_bits_choose_the_segment_as_segmentation_py_does),
        cmocka_unit_test(a_given_linear_table_translates_without_demand_paging),
        cmocka_unit_test(mapped_pages_keep_their_protection),
        cmocka_unit_test(explain_tells_why_the_policy_chose_its_victim),
        cmocka_unit_test(a_two_level_walk_reads_its_entries_from_the_memory_image),
        cmocka_unit_test(paging_with_segments_tells_page_faults_from_protection_faults),
        cmocka_unit_test(protection_faults_are_kept_with_their_addresses),
        cmocka_unit_test(segmentation_translates_each_segment_and_its_growth),
        cmocka_unit_test(segmentation_faults_out_of_bounds_and_on_forbidden_access),
        cmocka_unit_test(base_and_bounds_relocates_and_checks_the_bound),
        cmocka_unit_test(multi_level_tables_are_allocated_on_demand),
        cmocka_unit_test(linear_table_is_allocated_whole),
        cmocka_unit_test(walks_read_one_entry_per_level_on_each_tlb_miss),
        cmocka_unit_test(tlb_associativity_decides_conflict_misses),
        cmocka_unit_test(context_switch_flushes_the_tlb_unless_it_has_asids),
        cmocka_unit_test(evicting_another_process_page_keeps_the_running_one_translations),
        cmocka_unit_test(local_allocation_keeps_each_process_in_its_share),
        cmocka_unit_test(straddling_access_touches_both_pages_only_when_asked),
        cmocka_unit_test(effective_access_time_follows_the_textbook_formula),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
