/*
 * traces_read_back_what_was_written.c - the allocation trace writer and
 * reader agree: several threads record calls at once and every record
 * comes back with the same fields, each thread's in its order; a fork
 * child writes a file of its own; allocations come back with their stacks,
 * one id per distinct stack, named down to this file's lines; cut and
 * damaged files give the errors docs/ALLOC-TRACE.md lists, naming the file
 * and the offset, in both versions of the format.
 */
#include "test_util.h"

#include <pthread.h>
#include <sys/wait.h>

#include "stack.h"
#include "trace_calls.h"
#include "trace_format.h"
#include "trace_symbols.h"

#define THREADS 4
#define CALLS 20000 /* per thread: the buffer fills several times */

static char path[64], scratch[80];
static pid_t tids[THREADS];

static void *make_calls(void *arg)
{
    unsigned t = (unsigned)(uintptr_t)arg;
    tids[t] = gettid();
    for (unsigned i = 0; i < CALLS; i++)
        trace_call(t, i, true);
    return NULL;
}

/* One trace for the whole program: the writer starts once per process. */
static int write_trace(void **state)
{
    snprintf(path, sizeof path, "trace-test.%d.mmat", (int)getpid());
    snprintf(scratch, sizeof scratch, "%s.cut", path);
    if (!trace_start(path))
        return -1;
    pthread_t threads[THREADS];
    for (unsigned t = 0; t < THREADS; t++)
        pthread_create(&threads[t], NULL, make_calls, (void *)(uintptr_t)t);
    for (unsigned t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    trace_flush();
    return 0;
}

static int remove_files(void **state)
{
    unlink(path);
    unlink(scratch);
    return 0;
}

static struct mmkit_alloc_trace *open_or_fail(const char *file)
{
    char error[512];
    struct mmkit_alloc_trace *t = mmkit_alloc_trace_open(file, error, sizeof error);
    if (!t)
        fail_msg("%s", error);
    return t;
}

static void every_record_comes_back_in_thread_order(void **state)
{
    struct mmkit_alloc_trace *trace = open_or_fail(path);
    const struct mmkit_alloc_trace_info *info = mmkit_alloc_trace_info(trace);
    assert_int_equal(info->pid, getpid());
    assert_int_equal(info->parent_pid, getppid());
    assert_true(info->start_realtime_ns > 0);

    /* The reader numbers threads by their first call; thread t's first
     * call has its address, which maps the number to t. */
    unsigned test_thread_of[THREADS], next_call[THREADS] = {0};
    unsigned seen = 0;
    uint64_t last_time = 0;
    struct mmkit_alloc_record r;
    int got;
    while ((got = mmkit_alloc_trace_next(trace, &r)) == 1) {
        assert_in_range(r.thread, 0, THREADS - 1);
        if (r.thread == seen) {
            assert_true(r.address >> 40 >= 1 && r.address >> 40 <= THREADS);
            test_thread_of[seen++] = (unsigned)(r.address >> 40) - 1;
        }
        unsigned t = test_thread_of[r.thread], i = next_call[t]++;
        assert_true(i < CALLS);
        struct mmkit_alloc_record want = trace_call(t, i, false);
        assert_int_equal(r.op, want.op);
        assert_int_equal(r.address, want.address);
        assert_int_equal(r.size, want.size);
        assert_int_equal(r.alignment, want.alignment);
        assert_int_equal(r.old_address, want.old_address);
        assert_int_equal(r.tid, tids[t]);
        assert_true(r.time_ns >= last_time);
        last_time = r.time_ns;
    }
    assert_int_equal(got, 0);
    assert_string_equal(mmkit_alloc_trace_error(trace), "");
    assert_int_equal(seen, THREADS);
    for (unsigned t = 0; t < THREADS; t++)
        assert_int_equal(next_call[t], CALLS);
    mmkit_alloc_trace_close(trace);
}

/* Records read until the end or an error: how many; the error in `error`. */
static size_t read_all(const char *file, char *error, size_t size)
{
    error[0] = '\0';
    struct mmkit_alloc_trace *trace = mmkit_alloc_trace_open(file, error, size);
    if (!trace)
        return 0;
    struct mmkit_alloc_record r;
    size_t count = 0;
    while (mmkit_alloc_trace_next(trace, &r) == 1)
        count++;
    snprintf(error, size, "%s", mmkit_alloc_trace_error(trace));
    assert_int_equal(mmkit_alloc_trace_next(trace, &r), error[0] ? -1 : 0);
    mmkit_alloc_trace_close(trace);
    return count;
}

static void write_bytes(const char *file, const void *bytes, size_t size)
{
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, size, f), size);
    fclose(f);
}

static size_t file_bytes(const char *file, uint8_t **out)
{
    FILE *f = fopen(file, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    size_t size = (size_t)ftell(f);
    rewind(f);
    *out = malloc(size);
    assert_int_equal(fread(*out, 1, size, f), size);
    fclose(f);
    return size;
}

static void cut_files_end_at_a_truncated_record(void **state)
{
    uint8_t *bytes;
    size_t size = file_bytes(path, &bytes);
    char error[512], want[512];
    size_t all = read_all(path, error, sizeof error);
    assert_string_equal(error, "");
    assert_int_equal(all, (size_t)THREADS * CALLS);

    write_bytes(scratch, bytes, 5);
    read_all(scratch, error, sizeof error);
    snprintf(want, sizeof want, "%s: not an mmkit allocation trace", scratch);
    assert_string_equal(error, want);

    write_bytes(scratch, bytes, 20);
    read_all(scratch, error, sizeof error);
    snprintf(want, sizeof want, "%s: offset 20: truncated header", scratch);
    assert_string_equal(error, want);

    uint64_t rng = 42;
    for (int round = 0; round < 40; round++) {
        size_t cut = TRACE_HEADER_SIZE + rng_below(&rng, size - TRACE_HEADER_SIZE);
        write_bytes(scratch, bytes, cut);
        size_t count = read_all(scratch, error, sizeof error);
        assert_true(count < all);
        if (!error[0])
            continue; /* cut between two records */
        unsigned long long offset;
        int end = 0;
        snprintf(want, sizeof want, "%s: offset %%llu: truncated record%%n", scratch);
        assert_int_equal(sscanf(error, want, &offset, &end), 1);
        assert_int_equal((size_t)end, strlen(error));
        assert_true(offset < cut && offset + 1 + 5 * TRACE_VARINT_MAX >= cut);
    }
    free(bytes);
}

/* Wait for a fork child that exits 0, and open the trace it wrote,
 * FILE.PID, whose name goes to child_path. */
static struct mmkit_alloc_trace *open_child_trace(pid_t child, char *child_path, size_t size)
{
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    snprintf(child_path, size, "%s.%d", path, (int)child);
    return open_or_fail(child_path);
}

/* A header of `version` and then `records`, as a file. */
static void write_trace_file(unsigned version, const char *records, size_t size)
{
    uint8_t bytes[512];
    memcpy(bytes, TRACE_MAGIC, TRACE_MAGIC_SIZE);
    memset(bytes + TRACE_MAGIC_SIZE, 0, TRACE_HEADER_SIZE - TRACE_MAGIC_SIZE);
    bytes[TRACE_AT_VERSION] = (uint8_t)version;
    bytes[TRACE_AT_HEADER_SIZE] = TRACE_HEADER_SIZE;
    memcpy(bytes + TRACE_HEADER_SIZE, records, size);
    write_bytes(scratch, bytes, TRACE_HEADER_SIZE + size);
}

/* The error reading such a file. */
static void expect_error(unsigned version, const char *records, size_t size, const char *message)
{
    write_trace_file(version, records, size);
    char error[512], want[512];
    read_all(scratch, error, sizeof error);
    snprintf(want, sizeof want, "%s: %s", scratch, message);
    assert_string_equal(error, want);
}

#define EXPECT_ERROR(records, message) expect_error(2, records, sizeof records - 1, message)
#define EXPECT_ERROR_V1(records, message) expect_error(1, records, sizeof records - 1, message)

/* a thread start: thread 0, 1 ns, tid 5 */
#define THREAD_0 "\x16\x00\x01\x05"

static void damaged_files_name_the_offset(void **state)
{
    EXPECT_ERROR(THREAD_0 "\x09\x00", "offset 44: unknown operation 9");
    EXPECT_ERROR(THREAD_0 "\x41\x00\x00\x00", "offset 44: flag O on a malloc record");
    EXPECT_ERROR(THREAD_0 "\x11\x03\x00\x00\x00", "offset 44: thread 3 has no start record");
    EXPECT_ERROR(THREAD_0 "\x16\x02\x00\x07", "offset 44: thread start 2 out of order (expected 1)");
    EXPECT_ERROR(THREAD_0 "\x06\x00\x07", "offset 44: thread start record needs flag T and no other (0x06)");
    EXPECT_ERROR(THREAD_0 "\x96\x00\x00\x07", "offset 44: thread start record needs flag T and no other (0x96)");
    EXPECT_ERROR(THREAD_0 "\x05\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
                 "offset 44: number longer than 10 bytes");
    EXPECT_ERROR(THREAD_0 "\x01\x00\x00", "offset 44: truncated record");
    EXPECT_ERROR("\x01\x00\x00\x00", "offset 40: the first record names no thread");

    /* version 1 knows no stacks: bit 7 is reserved, ops 7 and 8 unknown */
    EXPECT_ERROR_V1(THREAD_0 "\x81\x00\x00\x00\x01", "offset 44: reserved bits set in 0x81");
    EXPECT_ERROR_V1(THREAD_0 "\x07\x01\x00\x00\x01\x02", "offset 44: unknown operation 7");
    EXPECT_ERROR_V1("\x08\x00\x01\x00\x00\x00\x00", "offset 40: unknown operation 8");

    /* version 2's stacks and mappings */
    EXPECT_ERROR(THREAD_0 "\x85\x00\x00\x01", "offset 44: flag S on a free record");
    EXPECT_ERROR(THREAD_0 "\x81\x00\x00\x00\x01", "offset 44: stack 1 is not defined");
    EXPECT_ERROR("\x07\x02\x00\x00\x01\x02", "offset 40: stack 2 out of order (expected 1)");
    EXPECT_ERROR("\x17\x01\x00\x00\x01\x02", "offset 40: stack record with flags (0x17)");
    EXPECT_ERROR("\x07\x01\x01\x00\x01\x02", "offset 40: base stack distance 1 is more than 0");
    EXPECT_ERROR("\x07\x01\x00\x00\x00", "offset 40: stack 1 has no frames");
    EXPECT_ERROR("\x07\x01\x00\x00\x81\x02", "offset 40: frame count 257 is more than 256");
    EXPECT_ERROR("\x07\x01\x00\x00\x01\x02" "\x07\x02\x01\x02\x00",
                 "offset 46: shared frame count 2 is more than 1");
    EXPECT_ERROR("\x07\x01\x00\x00\x02\x02", "offset 40: truncated record");
    EXPECT_ERROR("\x08\x00\x00", "offset 40: mapping of 0 bytes at 0x0");
    EXPECT_ERROR("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x02",
                 "offset 40: mapping of 2 bytes at 0xffffffffffffffff");
    EXPECT_ERROR("\x48\x00\x01\x00\x00\x00\x00", "offset 40: mapping record with flags (0x48)");
    EXPECT_ERROR("\x08\x00\x01\x00\x00\x41", "offset 40: build id size 65 is more than 64");
    EXPECT_ERROR("\x08\x00\x01\x00\x00\x00\x81\x20", "offset 40: path size 4097 is more than 4096");
    EXPECT_ERROR("\x08\x00\x01\x00\x00\x00\x02\x61\x00",
                 "offset 40: a NUL byte in the mapping's path");

    uint8_t header[TRACE_HEADER_SIZE] = {0};
    memcpy(header, TRACE_MAGIC, TRACE_MAGIC_SIZE);
    header[TRACE_AT_VERSION] = 3;
    write_bytes(scratch, header, sizeof header);
    char error[512], want[512];
    read_all(scratch, error, sizeof error);
    snprintf(want, sizeof want,
             "%s: offset 8: format version 3 is not supported (this reader knows 1 to 2)", scratch);
    assert_string_equal(error, want);

    read_all("no-such-trace.mmat", error, sizeof error);
    assert_string_equal(error, "no-such-trace.mmat: No such file or directory");
}

/* Stacks as docs/ALLOC-TRACE.md lays them out: the second takes its outer
 * frame from the first; frames are named by the mapping holding them. */
static void stacks_and_mappings_read_back(void **state)
{
    static const char records[] =
        /* mapping: 0x1000, 0x1000 bytes, offset 0, at 0x100 in the file, no build id */
        "\x08\x80\x20\x80\x20\x00\x80\x02\x00\x0d/no/such/file"
        /* stack 1: 0x1010, 0x1800 */
        "\x07\x01\x00\x00\x02\xa0\x40\xe0\x1f"
        /* stack 2: 0x1020, then the last frame of stack 1 */
        "\x07\x02\x01\x01\x01\xbf\x1f"
        THREAD_0
        /* malloc of 16 bytes at 0x5000, stack 2 */
        "\x81\x00\x80\xc0\x02\x10\x02";
    write_trace_file(2, records, sizeof records - 1);
    struct mmkit_alloc_trace *trace = open_or_fail(scratch);
    struct mmkit_alloc_record r;
    assert_int_equal(mmkit_alloc_trace_next(trace, &r), 1);
    assert_int_equal(r.op, MMKIT_ALLOC_MALLOC);
    assert_int_equal(r.address, 0x5000);
    assert_int_equal(r.size, 16);
    assert_int_equal(r.stack, 2);
    uint64_t pcs[4];
    assert_int_equal(mmkit_alloc_trace_stack(trace, 1, pcs, 4), 2);
    assert_int_equal(pcs[0], 0x1010);
    assert_int_equal(pcs[1], 0x1800);
    assert_int_equal(mmkit_alloc_trace_stack(trace, 2, pcs, 1), 2);
    assert_int_equal(pcs[0], 0x1020);
    assert_int_equal(mmkit_alloc_trace_stack(trace, 3, pcs, 4), 0);
    struct mmkit_alloc_frame f;
    assert_int_equal(mmkit_alloc_trace_frame(trace, 2, 1, &f), 1);
    assert_int_equal(f.pc, 0x1800);
    assert_string_equal(f.module, "/no/such/file");
    assert_int_equal(f.module_address, 0x900);
    assert_string_equal(f.function, "");
    assert_int_equal(mmkit_alloc_trace_frame(trace, 2, 2, &f), -1);
    assert_int_equal(mmkit_alloc_trace_next(trace, &r), 0);
    mmkit_alloc_trace_close(trace);
}

/* The line of allocate_here's call, three lines below. */
enum { ALLOCATING_LINE = __LINE__ + 3 };
static __attribute__((noinline)) void allocate_here(uint64_t address)
{
    trace_malloc(AS_POINTER(address), 24, 0);
    __asm__ volatile(""); /* no tail call: keep this frame on the stack */
}

static __attribute__((noinline)) void allocate_elsewhere(uint64_t address)
{
    trace_calloc(AS_POINTER(address), 2, 12);
    __asm__ volatile("");
}

/* With the unwinder loaded, each allocation names its stack: one id per
 * distinct stack, its first frame the function that allocated, at its
 * line, in this program. */
static void allocations_come_back_with_their_stacks(void **state)
{
    pid_t child = fork();
    if (child == 0) {
        stacks_init(0, 32);
        for (volatile int i = 0; i < 2; i++) /* one call site: not unrolled */
            allocate_here(0x1000 + 64 * (uint64_t)i);
        volatile uint64_t elsewhere = 0x2000; /* not a constant: no clone of the function */
        allocate_elsewhere(elsewhere);
        trace_free(AS_POINTER(0x2000));
        exit(0);
    }
    char child_path[96];
    struct mmkit_alloc_trace *trace = open_child_trace(child, child_path, sizeof child_path);
    struct mmkit_alloc_record r[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(mmkit_alloc_trace_next(trace, &r[i]), 1);
    struct mmkit_alloc_record end;
    assert_int_equal(mmkit_alloc_trace_next(trace, &end), 0);
    assert_int_not_equal(r[0].stack, 0);
    assert_int_equal(r[1].stack, r[0].stack);
    assert_int_not_equal(r[2].stack, 0);
    assert_int_not_equal(r[2].stack, r[0].stack);
    assert_int_equal(r[3].stack, 0); /* frees have none */

    uint64_t pcs[64];
    size_t n = mmkit_alloc_trace_stack(trace, r[0].stack, pcs, 64);
    assert_true(n >= 3); /* allocate_here, this test, cmocka's runner, ... */
    struct mmkit_alloc_frame f;
    assert_int_equal(mmkit_alloc_trace_frame(trace, r[0].stack, 0, &f), 1);
    print_message("#0 %s at %s:%u (%s+0x%llx)\n", f.function, f.file, f.line, f.module,
                  (unsigned long long)f.module_address);
    assert_string_equal(f.function, "allocate_here");
    const char *slash = strrchr(f.file, '/');
    assert_string_equal(slash ? slash + 1 : f.file, "traces_read_back_what_was_written.c");
    assert_int_equal(f.line, ALLOCATING_LINE);
    slash = strrchr(f.module, '/');
    assert_string_equal(slash ? slash + 1 : f.module, "traces_read_back_what_was_written");
    assert_int_equal(mmkit_alloc_trace_frame(trace, r[0].stack, 1, &f), 1);
    assert_string_equal(f.function, "allocations_come_back_with_their_stacks");
    assert_int_equal(mmkit_alloc_trace_frame(trace, r[2].stack, 0, &f), 1);
    assert_string_equal(f.function, "allocate_elsewhere");
    mmkit_alloc_trace_close(trace);
    unlink(child_path);
}

/* A fork child records into FILE.PID; the parent's file never sees it. */
static void fork_child_writes_a_file_of_its_own(void **state)
{
    const uint64_t marker = 0xabcdef0000;
    pid_t child = fork();
    if (child == 0) {
        trace_malloc(AS_POINTER(marker), 7, 0);
        exit(0); /* the exit flush writes the record */
    }
    char child_path[96];
    struct mmkit_alloc_trace *trace = open_child_trace(child, child_path, sizeof child_path);
    assert_int_equal(mmkit_alloc_trace_info(trace)->pid, child);
    assert_int_equal(mmkit_alloc_trace_info(trace)->parent_pid, getpid());
    struct mmkit_alloc_record r;
    assert_int_equal(mmkit_alloc_trace_next(trace, &r), 1);
    assert_int_equal(r.op, MMKIT_ALLOC_MALLOC);
    assert_int_equal(r.address, marker);
    assert_int_equal(r.thread, 0);
    assert_int_equal(r.tid, child);
    assert_int_equal(mmkit_alloc_trace_next(trace, &r), 0);
    mmkit_alloc_trace_close(trace);
    unlink(child_path);

    char error[512];
    assert_int_equal(read_all(path, error, sizeof error), (size_t)THREADS * CALLS);
    assert_string_equal(error, "");
}

/* A frame is named from a file only if the file is the build that ran: a
 * build id that differs refuses it, an empty one takes it. */
static void a_rebuilt_file_names_nothing(void **state)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    assert_true(n > 0);
    self[n] = '\0';
    trace_symbols *symbols = trace_symbols_new();
    assert_non_null(symbols);
    const uint8_t other_build[4] = {0xde, 0xad, 0xbe, 0xef};
    assert_null(trace_symbols_open(symbols, self, other_build, sizeof other_build, 0));
    assert_null(trace_symbols_open(symbols, "/dev/zero", NULL, 0, 0));
    assert_null(trace_symbols_open(symbols, "/no/such/file", NULL, 0, 0));
    assert_non_null(trace_symbols_open(symbols, self, NULL, 0, 0));
    trace_symbols_free(symbols);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_record_comes_back_in_thread_order),
        cmocka_unit_test(cut_files_end_at_a_truncated_record),
        cmocka_unit_test(damaged_files_name_the_offset),
        cmocka_unit_test(stacks_and_mappings_read_back),
        cmocka_unit_test(fork_child_writes_a_file_of_its_own),
        cmocka_unit_test(allocations_come_back_with_their_stacks),
        cmocka_unit_test(a_rebuilt_file_names_nothing),
    };
    return cmocka_run_group_tests(tests, write_trace, remove_files);
}
