/*
 * stacks_name_functions_and_lines.c - a captured stack names the function
 * that captured it, with this file and the line of the call; the depot
 * gives one stack one id, also when threads capture it at once; and a
 * printed stack shows the frame as reports do.
 */
#include "test_util.h"

#include <pthread.h>

#include "stack.h"

#define THREADS 4
#define CAPTURES 10000
#define SHAPES 8 /* distinct stacks each thread captures */

static unsigned capture_line;

static __attribute__((noinline)) stack_id capture_here(void)
{
    capture_line = __LINE__ + 1;
    stack_id id = stack_capture(0);
    __asm__ volatile(""); /* no tail call: keep this frame on the stack */
    return id;
}

/* A stack `levels` frames deeper than capture_here's. */
static __attribute__((noinline)) stack_id capture_below(unsigned levels)
{
    stack_id id = levels ? capture_below(levels - 1) : capture_here();
    __asm__ volatile("");
    return id;
}

static int set_up(void **state)
{
    stacks_init(32, 0);
    return 0;
}

static void first_frame_is_the_capturing_call(void **state)
{
    stack_id id = capture_here();
    assert_int_not_equal(id, 0);
    uintptr_t pcs[64];
    assert_true(stack_frames(id, pcs, 64) > 0);

    symbol s;
    assert_true(stack_symbolize(pcs[0], &s));
    print_message("#0 %s at %s:%u (%s+0x%lx)\n", s.function, s.file, s.line, s.module,
                  (unsigned long)s.module_offset);
    assert_string_equal(s.function, "capture_here");
    const char *slash = strrchr(s.file, '/');
    assert_string_equal(slash ? slash + 1 : s.file, "stacks_name_functions_and_lines.c");
    assert_int_equal(s.line, capture_line);
    assert_true(s.module[0] != '\0');
}

static void one_stack_one_id(void **state)
{
    /* One call site, run twice: a volatile count keeps the loop a loop. */
    stack_id ids[2];
    volatile int rounds = 2;
    for (int i = 0; i < rounds; i++)
        ids[i] = capture_here();
    assert_int_not_equal(ids[0], 0);
    assert_int_equal(ids[0], ids[1]);

    stack_id elsewhere = capture_here();
    assert_int_not_equal(elsewhere, 0);
    assert_int_not_equal(elsewhere, ids[0]);
    assert_int_not_equal(capture_below(1), ids[0]);
}

static stack_id thread_ids[THREADS][SHAPES];

static void *capture_many(void *arg)
{
    stack_id *ids = arg;
    for (unsigned i = 0; i < CAPTURES; i++) {
        stack_id id = capture_below(i % SHAPES);
        check(id != 0);
        if (i < SHAPES)
            ids[i] = id;
        check(id == ids[i % SHAPES]);
    }
    return NULL;
}

static void threads_capturing_at_once_agree_on_ids(void **state)
{
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, capture_many, thread_ids[i]), 0);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    for (int shape = 0; shape < SHAPES; shape++) {
        for (int i = 1; i < THREADS; i++)
            assert_int_equal(thread_ids[i][shape], thread_ids[0][shape]);
        for (int other = 0; other < shape; other++)
            assert_int_not_equal(thread_ids[0][other], thread_ids[0][shape]);
    }
}

/* What stack_print writes to stderr, read back through a pipe. */
static void print_to(char *out, size_t size, stack_id id)
{
    int ends[2];
    assert_int_equal(pipe(ends), 0);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(ends[1], STDERR_FILENO) >= 0);
    stack_print(id);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    close(ends[1]);
    size_t got = 0;
    ssize_t n;
    while (got + 1 < size && (n = read(ends[0], out + got, size - 1 - got)) > 0)
        got += (size_t)n;
    out[got] = '\0';
    close(ends[0]);
}

static void printed_stack_shows_function_file_and_line(void **state)
{
    stack_id id = capture_here();
    char printed[8192];
    print_to(printed, sizeof printed, id);
    print_message("%s", printed);

    char expected[128];
    snprintf(expected, sizeof expected, "    #0 0x");
    assert_non_null(strstr(printed, expected));
    snprintf(expected, sizeof expected, " in capture_here at stacks_name_functions_and_lines.c:%u\n",
             capture_line);
    assert_non_null(strstr(printed, expected));
}

static void no_stack_prints_one_line(void **state)
{
    char printed[256];
    print_to(printed, sizeof printed, 0);
    assert_string_equal(printed, "    (no stack)\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_frame_is_the_capturing_call),
        cmocka_unit_test(one_stack_one_id),
        cmocka_unit_test(threads_capturing_at_once_agree_on_ids),
        cmocka_unit_test(printed_stack_shows_function_file_and_line),
        cmocka_unit_test(no_stack_prints_one_line),
    };
    return cmocka_run_group_tests(tests, set_up, NULL);
}
