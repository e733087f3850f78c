/*
 * traces_read_back_what_was_written.c - the allocation trace writer and
 * reader agree: several threads record calls at once and every record
 * comes back with the same fields, each thread's in its order; a fork
 * child writes a file of its own; cut and damaged files give the errors
 * docs/ALLOC-TRACE.md lists, naming the file and the offset.
 */
#include "test_util.h"

#include <pthread.h>
#include <sys/wait.h>

#include "trace_calls.h"
#include "trace_format.h"

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

/* A header and then `records`, as a file; the error reading it. */
static void expect_error(const char *records, size_t size, const char *message)
{
    uint8_t bytes[256];
    memcpy(bytes, TRACE_MAGIC, TRACE_MAGIC_SIZE);
    memset(bytes + TRACE_MAGIC_SIZE, 0, TRACE_HEADER_SIZE - TRACE_MAGIC_SIZE);
    bytes[TRACE_AT_VERSION] = TRACE_VERSION;
    bytes[TRACE_AT_HEADER_SIZE] = TRACE_HEADER_SIZE;
    memcpy(bytes + TRACE_HEADER_SIZE, records, size);
    write_bytes(scratch, bytes, TRACE_HEADER_SIZE + size);
    char error[512], want[512];
    read_all(scratch, error, sizeof error);
    snprintf(want, sizeof want, "%s: %s", scratch, message);
    assert_string_equal(error, want);
}

#define EXPECT_ERROR(records, message) expect_error(records, sizeof records - 1, message)

static void damaged_files_name_the_offset(void **state)
{
    /* a thread start (thread 0, 1 ns, tid 5) then one bad record */
    EXPECT_ERROR("\x16\x00\x01\x05" "\x09\x00", "offset 44: unknown operation 9");
    EXPECT_ERROR("\x16\x00\x01\x05" "\x81\x00\x00\x00", "offset 44: reserved bits set in 0x81");
    EXPECT_ERROR("\x16\x00\x01\x05" "\x41\x00\x00\x00", "offset 44: flag O on a malloc record");
    EXPECT_ERROR("\x16\x00\x01\x05" "\x11\x03\x00\x00\x00", "offset 44: thread 3 has no start record");
    EXPECT_ERROR("\x16\x00\x01\x05" "\x16\x02\x00\x07", "offset 44: thread start 2 out of order (expected 1)");
    EXPECT_ERROR("\x16\x00\x01\x05" "\x06\x00\x07", "offset 44: thread start record needs flag T and no other (0x06)");
    EXPECT_ERROR("\x16\x00\x01\x05" "\x05\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
                 "offset 44: number longer than 10 bytes");
    EXPECT_ERROR("\x16\x00\x01\x05" "\x01\x00\x00", "offset 44: truncated record");
    EXPECT_ERROR("\x01\x00\x00\x00", "offset 40: the first record names no thread");

    uint8_t header[TRACE_HEADER_SIZE] = {0};
    memcpy(header, TRACE_MAGIC, TRACE_MAGIC_SIZE);
    header[TRACE_AT_VERSION] = 2;
    write_bytes(scratch, header, sizeof header);
    char error[512], want[512];
    read_all(scratch, error, sizeof error);
    snprintf(want, sizeof want,
             "%s: offset 8: format version 2 is not supported (this reader knows 1)", scratch);
    assert_string_equal(error, want);

    read_all("no-such-trace.mmat", error, sizeof error);
    assert_string_equal(error, "no-such-trace.mmat: No such file or directory");
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
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    char child_path[96];
    snprintf(child_path, sizeof child_path, "%s.%d", path, (int)child);
    struct mmkit_alloc_trace *trace = open_or_fail(child_path);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_record_comes_back_in_thread_order),
        cmocka_unit_test(cut_files_end_at_a_truncated_record),
        cmocka_unit_test(damaged_files_name_the_offset),
        cmocka_unit_test(fork_child_writes_a_file_of_its_own),
    };
    return cmocka_run_group_tests(tests, write_trace, remove_files);
}
