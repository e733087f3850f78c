/* test_replay_picture.c - what a replay tells of each call: the
 * operations it became (freespace_replay's done), --explain's account of
 * them, and the picture of each policy's heap over the calls
 * (freespace_picture_*), coloured by size or by call site, which stays
 * the same size however long the trace. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include "freespace_test.h"

/* A heap of `size` bytes at 0, requests rounded to 16, first fit,
 * coalescing. */
static struct freespace_heap *heap_of(uint64_t size, bool grow)
{
    struct freespace_config config = test_config("first", FREESPACE_BY_ADDRESS, true,
                                                 FREESPACE_ANY);
    config.base = 0;
    config.size = size;
    config.align = 16;
    config.grow = grow;
    return test_heap(&config);
}

static struct freespace_replayed replay(struct freespace_heap *heap, enum freespace_call_kind kind,
                                        uint64_t address, uint64_t old_address, uint64_t size)
{
    struct freespace_call c = {kind, address, old_address, size, 0};
    struct freespace_replayed done;
    struct sim_diag diag = {0};
    assert_int_equal(freespace_replay(heap, &c, &done, &diag), SIM_OK);
    return done;
}

/* Replay a call and draw it, with the call's site. */
static void drawn(struct freespace_picture *p, struct freespace_heap *heap,
                  enum freespace_call_kind kind, uint64_t address, uint64_t old_address,
                  uint64_t size, unsigned site)
{
    struct freespace_replayed done = replay(heap, kind, address, old_address, size);
    assert_int_equal(freespace_picture_call(p, heap, &done, site), SIM_OK);
}

/* The picture as SVG, into *svg (the caller frees it). */
static void svg_of(struct freespace_picture *p, char **svg)
{
    size_t length = 0;
    FILE *out = open_memstream(svg, &length);
    assert_non_null(out);
    freespace_picture_svg(out, p);
    fclose(out);
}

static size_t count_of(const char *text, const char *what)
{
    size_t count = 0;
    for (const char *at = text; (at = strstr(at, what)); at++)
        count++;
    return count;
}

static void a_call_tells_the_operations_it_became(void **state)
{
    struct freespace_heap *heap = heap_of(64, false);
    struct freespace_replayed done = replay(heap, FREESPACE_CALL_ALLOC, 0x1000, 0, 10);
    assert_int_equal(done.count, 1);
    assert_int_equal(done.op[0].op.kind, FREESPACE_ALLOC);
    assert_int_equal(done.op[0].block, 0);
    assert_int_equal(done.op[0].block_size, 16);
    assert_int_equal(done.op[0].number, 1);
    done = replay(heap, FREESPACE_CALL_REALLOC, 0x2000, 0x1000, 40); /* a free, then a block */
    assert_int_equal(done.count, 2);
    assert_int_equal(done.op[0].op.kind, FREESPACE_FREE);
    assert_int_equal(done.op[1].op.kind, FREESPACE_ALLOC);
    assert_int_equal(done.op[1].block_size, 48);
    assert_int_equal(done.op[1].number, 3);
    done = replay(heap, FREESPACE_CALL_FREE, 0x5000, 0, 0); /* no block has that address */
    assert_int_equal(done.count, 0);
    assert_true(done.unmatched);
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    done = replay(heap, FREESPACE_CALL_REALLOC, 0x3000, 0x2000, 8);
    freespace_explain_replayed(out, heap, &done);
    fclose(out);
    assert_string_equal(text, "  gives back [0, 48]\n"
                              "  it goes in by address, as hole 1 of 2\n"
                              "  coalesced: [0, 48] + [48, 16] = [0, 64]\n"
                              "  placed at 0, searched 1 hole\n"
                              "  block: 8 bytes rounded up to 16\n"
                              "  first fit: [0, 64], hole 1 of 1, is the first that holds 16 "
                              "bytes\n"
                              "  split: the block takes 0..15; [16, 48] stays free\n"
                              "  free list (1 hole): [16, 48]\n");
    free(text);
    freespace_heap_destroy(heap);
}

static void the_picture_shows_where_blocks_lay_and_when(void **state)
{
    struct freespace_picture *p = freespace_picture_create(NULL, 0);
    struct freespace_heap *heap = heap_of(64, false);
    assert_int_equal(freespace_picture_add(p, heap), SIM_OK);
    drawn(p, heap, FREESPACE_CALL_ALLOC, 0x1000, 0, 16, 0); /* bytes 0..15 */
    drawn(p, heap, FREESPACE_CALL_ALLOC, 0x2000, 0, 32, 0); /* bytes 16..47 */
    drawn(p, heap, FREESPACE_CALL_FREE, 0x1000, 0, 0, 0);
    char *svg = NULL;
    svg_of(p, &svg);
    assert_non_null(strstr(svg, ">the heap over 3 calls: "));
    assert_non_null(strstr(svg, ">first</text>"));
    /* a row a byte (64 bytes on 96 rows): byte 0 full after calls 1 and
     * 2, then empty; bytes 16..47 from call 2 on */
    assert_non_null(strstr(svg, "<title>0..0: up to 100% full, mostly blocks of 16 to 31 bytes"));
    assert_non_null(strstr(svg, "<title>47..47: up to 100% full, mostly blocks of 32 to 63 "));
    assert_null(strstr(svg, "<title>48..48: "));
    assert_int_equal(count_of(svg, "<title>"), 16 + 32);
    /* the rows drawn are those the heap reached */
    assert_non_null(strstr(svg, ">48 bytes</text>"));
    assert_non_null(strstr(svg, ">blocks of 32 to 63 bytes</text>")); /* the legend */
    free(svg);
    freespace_picture_destroy(p);
    freespace_heap_destroy(heap);
}

static void by_call_site_a_freed_block_takes_its_colour_away(void **state)
{
    const char *sites[] = {"parse at a.c:1", "emit <T> & co"};
    struct freespace_picture *p = freespace_picture_create(sites, 2);
    struct freespace_heap *heap = heap_of(64, false);
    assert_int_equal(freespace_picture_add(p, heap), SIM_OK);
    drawn(p, heap, FREESPACE_CALL_ALLOC, 0x1000, 0, 16, 0); /* 0..15: parse */
    drawn(p, heap, FREESPACE_CALL_ALLOC, 0x2000, 0, 16, 1); /* 16..31: emit */
    drawn(p, heap, FREESPACE_CALL_ALLOC, 0x3000, 0, 16, 7); /* 32..47: another site */
    drawn(p, heap, FREESPACE_CALL_FREE, 0x2000, 0, 0, 0);   /* its site is not the free's */
    drawn(p, heap, FREESPACE_CALL_ALLOC, 0x4000, 0, 16, 0); /* 16..31: parse again */
    char *svg = NULL;
    svg_of(p, &svg);
    assert_non_null(strstr(svg, "<title>16..16: up to 100% full, mostly emit &lt;T&gt; &amp; co"));
    assert_non_null(strstr(svg, "<title>16..16: up to 100% full, mostly parse at a.c:1"));
    assert_non_null(strstr(svg, "<title>32..32: up to 100% full, mostly other call sites"));
    assert_non_null(strstr(svg, ">parse at a.c:1</text>"));
    assert_non_null(strstr(svg, ">other call sites</text>"));
    /* each row is drawn in runs: row 16 twice, rows 0 and 32 once */
    assert_int_equal(count_of(svg, "<title>16..16: "), 2);
    assert_int_equal(count_of(svg, "<title>0..0: "), 1);
    free(svg);
    freespace_picture_destroy(p);
    freespace_heap_destroy(heap);
}

static void a_long_replay_on_a_growing_heap_keeps_the_picture_small(void **state)
{
    struct freespace_picture *p = freespace_picture_create(NULL, 0);
    struct freespace_heap *heap = heap_of(64 * 1024, true);
    assert_int_equal(freespace_picture_add(p, heap), SIM_OK);
    const uint64_t blocks = 100000;
    for (uint64_t i = 1; i <= blocks; i++) { /* the heap grows to about 3.2M */
        drawn(p, heap, FREESPACE_CALL_ALLOC, i * 16, 0, 32, 0);
        if (i % 2)
            drawn(p, heap, FREESPACE_CALL_FREE, i * 16, 0, 0, 0);
    }
    struct freespace_stats s;
    freespace_heap_stats(heap, &s);
    char *svg = NULL;
    svg_of(p, &svg);
    assert_non_null(strstr(svg, ">the heap over 150000 calls: "));
    assert_true(strlen(svg) < 400 * 1000);
    /* the rows cover the whole footprint, each of a power of two bytes */
    assert_non_null(strstr(svg, " bytes</text>"));
    size_t label = (size_t)(strstr(svg, " bytes</text>") - svg);
    while (svg[label - 1] >= '0' && svg[label - 1] <= '9')
        label--;
    uint64_t covered = strtoull(svg + label, NULL, 10);
    assert_true(covered >= s.peak_footprint && covered < 2 * s.peak_footprint);
    /* the fragmentation chart: a point a column, at most 480 */
    assert_non_null(strstr(svg, "points=\""));
    size_t points = (size_t)(strstr(svg, "points=\"") - svg) + 8;
    size_t count = 0;
    for (size_t at = points; svg[at] != '"'; at++)
        count += svg[at] == ' ';
    assert_true(count > 200 && count <= 480);
    free(svg);
    freespace_picture_destroy(p);
    freespace_heap_destroy(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_call_tells_the_operations_it_became),
        cmocka_unit_test(the_picture_shows_where_blocks_lay_and_when),
        cmocka_unit_test(by_call_site_a_freed_block_takes_its_colour_away),
        cmocka_unit_test(a_long_replay_on_a_growing_heap_keeps_the_picture_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
