/* mmkit/freespace.h - free-space management, simulated: a heap of SIZE
 * bytes at BASE, a sequence of allocations and frees, and a policy that
 * decides which hole each block is carved from and what becomes of a block
 * that comes back (docs/FREESPACE.md).
 *
 * The flow: describe the heap and its policy (freespace_config_*), parse
 * operations as textbook exercises write them (freespace_ops_parse:
 * "+10,+20,-0"), make a heap (freespace_heap_create), run the operations
 * through it (freespace_run, or freespace_apply one at a time) and read
 * the totals back (freespace_heap_stats).
 *
 * Errors: as in mmkit/sim.h, every call that can fail returns 0 or a
 * negative enum sim_status and, when given a struct sim_diag, fills in
 * where and why ("op 7", "-3", "block 3 was already freed").  Nothing in
 * the library prints (except to the streams you hand it) or aborts. */
#ifndef MMKIT_FREESPACE_H
#define MMKIT_FREESPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mmkit/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the heap and its policy ----------------------------------------- */

/* The order the free list is kept in, which is where a freed block goes. */
enum freespace_order {
    FREESPACE_BY_ADDRESS,   /* lowest address first */
    FREESPACE_BY_SIZE_UP,   /* smallest first; equal sizes keep their order */
    FREESPACE_BY_SIZE_DOWN, /* largest first; equal sizes keep their order */
    FREESPACE_AT_FRONT,     /* a freed block goes to the front */
    FREESPACE_AT_BACK,      /* a freed block goes to the back */
};

/* What holds the holes.  Every structure gives the same answers, search
 * counts included; they differ in what an operation costs. */
enum freespace_structure {
    FREESPACE_ANY,  /* the tree for address order, else the list */
    FREESPACE_LIST, /* an array in list order, searched hole by hole */
    FREESPACE_TREE, /* balanced trees by address (and by size): address order only */
};

struct freespace_config {
    uint64_t base;      /* address of the heap's first byte */
    uint64_t size;      /* bytes in the heap */
    uint64_t header;    /* bytes of header in front of each block */
    uint64_t align;     /* requests are rounded up to a multiple of this; 1: not at all */
    uint64_t min_split; /* a hole is split only if this many bytes would stay free;
                         * else the block takes all of it.  1: always split */
    char policy[16];    /* one of freespace_policy_names */
    enum freespace_order order;
    bool coalesce;      /* after each free, merge list neighbours that touch */
    enum freespace_structure structure;
    uint64_t page;      /* slab: the bytes of a slab, a power of two; 0: 4096,
                         * or a quarter of a smaller heap */
    bool grow;          /* the fits only: when no hole holds a block, the heap
                         * grows at its end, as sbrk grows a program's heap, by
                         * the block or 64K, whichever is more (a trace's
                         * replay sets it; freespace_trace_heap) */
};

/* The policy names, NULL-terminated: "first", "best", "worst", "next",
 * then the families "segregated", "tlsf", "buddy", "slab", "mmkit". */
extern const char *const freespace_policy_names[];
/* The order names, in enum order, NULL-terminated: "addr", "size-up", ... */
extern const char *const freespace_order_names[];

/* OSTEP's malloc.py heap: 100 bytes at 1000, no header, no rounding, best
 * fit, the free list by address, no coalescing, any structure. */
void freespace_config_default(struct freespace_config *config);
/* Set one setting by name: "heap", "base", "header", "align", "min-split",
 * "policy", "order", "coalesce" (yes or no), "structure" (list or tree),
 * "page". */
int freespace_config_set(struct freespace_config *config, const char *key, const char *value,
                         struct sim_diag *diag);
/* Every setting's name, NULL-terminated. */
extern const char *const freespace_config_names[];
/* Check that the settings go together (the heap fits below 2^64, a header
 * leaves room, the tree keeps address order) and settle the structure. */
int freespace_config_finish(struct freespace_config *config, struct sim_diag *diag);

/* ---- operations ------------------------------------------------------ */

enum freespace_op_kind { FREESPACE_ALLOC, FREESPACE_FREE };

struct freespace_op {
    enum freespace_op_kind kind;
    uint64_t value; /* ALLOC: bytes asked for; FREE: which allocation's block
                     * goes back, counting allocations from 0 */
};

/* "+10,+20,-0": +N allocates N bytes, -K frees the block of allocation K.
 * Items are separated by commas or spaces.  *ops is malloc'ed. */
int freespace_ops_parse(const char *text, struct freespace_op **ops, size_t *count,
                        struct sim_diag *diag);
/* Refuse a sequence before running it: a free of an allocation that has
 * not happened yet or was freed already, a request of 0 bytes or one the
 * heap could never hold.  diag names the first such op ("op 7", "-3"). */
int freespace_ops_check(const struct freespace_config *config, const struct freespace_op *ops,
                        size_t count, struct sim_diag *diag);

/* ---- the heap -------------------------------------------------------- */

struct freespace_hole {
    uint64_t addr, size;
};

#define FREESPACE_MERGES_KEPT 4

/* What one operation did. */
struct freespace_result {
    struct freespace_op op;
    uint64_t number;     /* of the operation, from 1 */
    uint64_t index;      /* the allocation it made (ALLOC) or undid (FREE) */
    uint64_t request;    /* bytes asked for */
    uint64_t block;      /* the block's first byte, where its header is */
    uint64_t block_size; /* bytes it takes: the request rounded up, the header
                          * and any rest of the hole too small to split off */
    uint64_t address;    /* block + header, what the program holds; 0 if failed */
    bool failed;         /* ALLOC: no hole was large enough; FREE: that
                          * allocation had failed, so nothing went back */
    /* ALLOC: the search.  Counts are those of a search of the list in the
     * policy's order, whatever the structure. */
    uint64_t searched;          /* holes looked at */
    uint64_t start;             /* next fit: the list position it began at */
    uint64_t holes;             /* holes in the list before the operation */
    uint64_t position;          /* list position (0 first) of the hole taken;
                                 * FREE: where the block went, before merging */
    struct freespace_hole hole; /* the hole taken, as it was; after a failure,
                                 * the largest hole (size 0 if none) */
    bool split;                 /* the rest of the hole stayed free */
    /* FREE: list neighbours merged, in the order they were (all counted,
     * the first FREESPACE_MERGES_KEPT kept) */
    size_t merges;
    struct {
        struct freespace_hole into, absorbed;
    } merged[FREESPACE_MERGES_KEPT];
};

struct freespace_heap;

/* A heap with one hole, all of it, as config describes once
 * freespace_config_finish has settled it. */
int freespace_heap_create(struct freespace_heap **out, const struct freespace_config *config,
                          struct sim_diag *diag);
void freespace_heap_destroy(struct freespace_heap *heap);
const struct freespace_config *freespace_heap_config(const struct freespace_heap *heap);
/* The structure that holds the holes: "list" or "tree". */
const char *freespace_heap_structure(const struct freespace_heap *heap);

/* Run one operation, refused (SIM_ERR_PARSE, diag as freespace_ops_check
 * says) when it is not one the heap can run. */
int freespace_apply(struct freespace_heap *heap, const struct freespace_op *op,
                    struct freespace_result *result, struct sim_diag *diag);

/* The holes in list order: the first cap of them into holes; returns how
 * many there are. */
size_t freespace_heap_holes(const struct freespace_heap *heap, struct freespace_hole *holes,
                            size_t cap);

struct freespace_stats {
    uint64_t operations, allocations, frees;
    uint64_t failures;           /* allocations no hole could hold */
    uint64_t unmatched_frees;    /* replay: frees (and reallocs) of an address no
                                  * live block had; skipped */
    uint64_t live_bytes;         /* bytes asked for by the blocks live now */
    uint64_t peak_live_bytes;    /* the most live at once */
    uint64_t peak_footprint;     /* the most of the heap ever spanned: from the
                                  * base to the end of the highest block */
    uint64_t peak_header_bytes;  /* of the blocks live at the live peak: headers */
    uint64_t peak_padding_bytes; /* and rounding, and rests too small to split */
    uint64_t free_bytes, holes, largest_hole; /* now */
    uint64_t overhead_bytes;     /* now: neither free nor in a live block, as the
                                  * end of a slab too short for one more object */
    double fragmentation;        /* peak footprint / peak live bytes (0: none live) */
    double external_now;         /* 1 - largest hole / free bytes (0 if none free) */
    double external_mean;        /* its mean after each operation */
    double external_worst;       /* and its highest */
    uint64_t searched_total;     /* holes looked at, over all allocations */
    uint64_t searched_worst;     /* by one allocation */
    double searched_mean;        /* per allocation */
};

void freespace_heap_stats(const struct freespace_heap *heap, struct freespace_stats *out);

/* ---- a whole run ----------------------------------------------------- */

struct freespace_run_options {
    FILE *explain; /* every operation, step by step (NULL: none) */
    FILE *json;    /* one JSON document: the heap, every operation, the totals */
};

/* Check the operations (nothing is written when one is refused), then
 * apply them in turn, writing what options asks for. */
int freespace_run(struct freespace_heap *heap, const struct freespace_op *ops, size_t count,
                  const struct freespace_run_options *options, struct sim_diag *diag);

/* The heap, its policy and the totals, for people. */
void freespace_report_text(FILE *out, const struct freespace_heap *heap);
/* The same as one JSON document, without the operations. */
void freespace_report_json(FILE *out, const struct freespace_heap *heap);

/* ---- a real program's calls, replayed ------------------------------- */

/* One call of an allocation trace (mmkit/alloc_trace.h), its blocks named
 * by the addresses the program got.  A heap that replays calls keeps a
 * table from each live address to the block it placed there, and nothing
 * of the blocks already freed. */
enum freespace_call_kind {
    FREESPACE_CALL_ALLOC,   /* malloc, calloc, the aligned calls */
    FREESPACE_CALL_REALLOC,
    FREESPACE_CALL_FREE,
};

struct freespace_call {
    enum freespace_call_kind kind;
    uint64_t address;     /* the block the program got (0: the call failed) or freed */
    uint64_t old_address; /* REALLOC: the block passed in (0: none, a malloc) */
    uint64_t size;        /* ALLOC, REALLOC: bytes asked for (0 is taken as 1) */
    uint64_t alignment;   /* ALLOC: the block must start at a multiple of this;
                           * 0 or 1: the heap's own rounding is enough */
};

/* Replay one call on a heap that has run no operations (freespace_apply):
 * - ALLOC places a block of size bytes; an alignment beyond the heap's
 *   --align is met by asking for alignment - align more bytes, the room
 *   to slide the block up to an aligned address (counted as padding);
 * - FREE gives the block back; a free of an address no live block has is
 *   counted (stats.unmatched_frees) and skipped, a free of 0 does nothing;
 * - REALLOC frees the old block, then places the new one, so that the
 *   policy may put it where the old one was (with coalescing and address
 *   order it grows in place when the hole after it holds the rest);
 *   realloc to 0 bytes that returned 0 is a free;
 * - a call that failed in the program (address 0) is not replayed;
 * - an ALLOC at an address still live lost its free: the old block goes
 *   back first.
 * A block no hole holds (and the heap cannot grow for) is a failed
 * allocation, and its later free gives nothing back.  0 or
 * SIM_ERR_NOMEM. */
/* What a call became, for a caller that tells or draws it: none, one or
 * two operations (a realloc's or a lost free's free, then the allocation),
 * each as freespace_apply tells it, and whether a free matched no block. */
struct freespace_replayed {
    size_t count;
    struct freespace_result op[2];
    bool unmatched;
};

/* done may be NULL. */
int freespace_replay(struct freespace_heap *heap, const struct freespace_call *call,
                     struct freespace_replayed *done, struct sim_diag *diag);

/* --explain: the heap and its policy before the first operation or call,
 * with its free list. */
void freespace_explain_start(FILE *out, struct freespace_heap *heap);

/* --explain for a replayed call, after the caller's line naming it: each
 * operation done (what went back and where, the search, the hole chosen,
 * the split) and the first holes of the free list after. */
void freespace_explain_replayed(FILE *out, struct freespace_heap *heap,
                                const struct freespace_replayed *done);

/* ---- a picture of replays ------------------------------------------- */

/* Each policy's heap over a replay, drawn coarse (a grid of a few hundred
 * columns of calls by a hundred rows of addresses, whatever the trace's
 * length), and each policy's external fragmentation over the calls. */
struct freespace_picture;

/* Colours by block size, or, given sites (names of at most 8 call sites;
 * the others share one colour), by the call site that allocated.  NULL
 * if out of memory. */
struct freespace_picture *freespace_picture_create(const char *const *sites, size_t site_count);
void freespace_picture_destroy(struct freespace_picture *picture);
/* A panel for heap, which is about to replay (at most
 * FREESPACE_COMPARE_MAX): 0, SIM_ERR_NOMEM or SIM_ERR_CONFIG. */
int freespace_picture_add(struct freespace_picture *picture, const struct freespace_heap *heap);
/* After each call the last panel's heap replayed (freespace_replay's
 * done): site is the call's call site, an index into the sites, or any
 * larger number for the others.  0 or SIM_ERR_NOMEM. */
int freespace_picture_call(struct freespace_picture *picture, const struct freespace_heap *heap,
                           const struct freespace_replayed *done, unsigned site);
void freespace_picture_svg(FILE *out, struct freespace_picture *picture);

/* A hint that call comes next: where its block would be looked up is
 * fetched into the cache meanwhile.  It changes no result. */
void freespace_replay_prefetch(const struct freespace_heap *heap, const struct freespace_call *call);

/* The heap a trace is replayed on, in config, for its policy: peak_live
 * is the most bytes the trace's blocks held at once.  The fits start with
 * 64K and grow (config.grow), as a program's heap does, so that their
 * footprint is what they needed; the families cannot grow (a buddy system
 * is a power of two, slabs and pages are cut from a fixed heap), so they
 * get the smallest power of two that is at least 4 times peak_live and
 * at least 16M.  With heap_given, the size config has is kept for every
 * policy, and none grows. */
void freespace_trace_heap(struct freespace_config *config, uint64_t peak_live, bool heap_given);

/* ---- several policies on the same operations ------------------------- */

#define FREESPACE_COMPARE_MAX 16

/* "first,best,buddy": policy names, separated as operations are, into
 * names[0 .. *count - 1]; a name that is no policy, an empty item or more
 * than FREESPACE_COMPARE_MAX of them are refused (SIM_ERR_CONFIG, diag
 * naming the item). */
int freespace_compare_parse(const char *text, char names[][16], size_t *count,
                            struct sim_diag *diag);

struct freespace_comparison;

/* Check the operations, then run them on a heap as config describes for
 * each policy named in turn.  With history, keep what the pictures need:
 * every block's place and life, and the fragmentation after each
 * operation. */
int freespace_compare(const struct freespace_config *config, char names[][16], size_t count,
                      const struct freespace_op *ops, size_t op_count, bool history,
                      struct freespace_comparison **out, struct sim_diag *diag);
void freespace_comparison_destroy(struct freespace_comparison *comparison);
/* A comparison made a policy at a time, as a trace's is (each policy
 * replays the whole trace on its own heap): an empty one, then each heap
 * added after its run, a row of the table.  NULL, or SIM_ERR_NOMEM or
 * SIM_ERR_CONFIG for more than FREESPACE_COMPARE_MAX rows. */
struct freespace_comparison *freespace_comparison_create(void);
int freespace_comparison_add(struct freespace_comparison *comparison,
                             const struct freespace_heap *heap);
/* One table, a row per policy: for people, or as one JSON document. */
void freespace_compare_text(FILE *out, const struct freespace_comparison *comparison);
void freespace_compare_json(FILE *out, const struct freespace_comparison *comparison);
/* An SVG: for each policy the heap over time (address against operation,
 * each block coloured by its size, or by_call by the allocation that made
 * it), and the external fragmentation of every policy over time.  Needs a
 * comparison made with history. */
void freespace_compare_svg(FILE *out, const struct freespace_comparison *comparison,
                           bool by_call);

#ifdef __cplusplus
}
#endif

#endif
