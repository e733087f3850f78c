/*
 * stack.c - call stacks for reports (see stack.h).
 *
 * Capturing runs inside malloc and free, on every call in debug mode, so it
 * must be cheap and must not allocate.  libunwind's unw_backtrace walks the
 * stack; the depot keeps each distinct stack once, in address space of its
 * own, found through a lock-free hash table.  A stack's id tells where its
 * record lies in the depot.
 *
 * Naming frames is slow and allocates, and happens only in reports: libdw
 * reads the debug info; without it dladdr names exported functions.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elfutils/libdwfl.h>
#include <inttypes.h>
#include <libunwind.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "locks.h"
#include "stack.h"

#define MAX_DEPTH 64
/* Frames a caller may drop besides stack_capture's own. */
#define MAX_SKIP 16

/* ---- the unwinder -------------------------------------------------------- */

static __typeof__(unw_backtrace) *unwind;
static unsigned depth, trace_depth; /* frames per stack: reports', the trace's */
static char unavailable[256]; /* why there are no stacks, if there are none */

/* Where libmmkit.so is loaded: reports leave out the frames in it.  0 when
 * the allocator is linked into the program, whose frames cannot be told
 * apart from the allocator's by module: then only the callers' skip does. */
static uintptr_t allocator_base;

/* libunwind keeps thread-local data, which the loader allocates with malloc
 * on a thread's first capture since the library came in through dlopen. */
static __thread bool unwinder_ready;

/* Threads inside the unwinder now.  libunwind has locks of its own, which
 * the fork protocol cannot take: a fork child whose parent had another
 * thread in there may find them held for ever, so it captures no stacks. */
static _Atomic unsigned unwinding;

static void after_fork_child(void)
{
    if (atomic_load_explicit(&unwinding, memory_order_relaxed) > 0) {
        unwind = NULL;
        snprintf(unavailable, sizeof unavailable,
                 "no stacks in this process: it was forked while another thread was unwinding");
    }
}

static void find_allocator(void)
{
    Dl_info self;
    struct link_map *map;
    /* The first link map is the program's. */
    if (dladdr1((void *)stack_capture, &self, (void **)&map, RTLD_DL_LINKMAP) && map->l_prev)
        allocator_base = (uintptr_t)self.dli_fbase;
}

static bool depot_init(void);

void stacks_init(unsigned frames, unsigned trace_frames)
{
    depth = frames < MAX_DEPTH ? frames : MAX_DEPTH;
    trace_depth = trace_frames < MAX_DEPTH ? trace_frames : MAX_DEPTH;
    if (depth == 0)
        snprintf(unavailable, sizeof unavailable, "stacks are off: stack_depth=0");
    if (depth == 0 && trace_depth == 0)
        return;
    find_allocator();
    __typeof__(unw_backtrace) *found = NULL;
    private_heap_enter();
    void *lib = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
    if (lib)
        found = (__typeof__(found))dlsym(lib, "unw_backtrace");
    if (!found)
        snprintf(unavailable, sizeof unavailable, "stacks are unavailable: %s", dlerror());
    private_heap_leave();
    fork_hook_register(NULL, NULL, after_fork_child);
    if (found && depot_init())
        unwind = found;
}

/* ---- the depot ------------------------------------------------------------- */

/*
 * Records are appended to chunks mapped as they are needed, and never
 * freed; an id is a record's offset in 8-byte units in the chunks laid end
 * to end (offset 0 is unused, so no id is 0).  A record never straddles two
 * chunks.  The table maps a stack's hash to the ids, by linear probing.
 * Bounds: 64 chunks of 4 MiB (about 2 million stacks of 16 frames) and a
 * table kept below three quarters full (about 800,000 stacks); beyond them
 * stacks are not kept.  Mapping chunks on demand keeps the address space a
 * checking mode takes at start-up small: a program under an RLIMIT_AS must
 * still be able to start its threads.
 */
#define CHUNK_SHIFT 22
#define CHUNK_BYTES ((size_t)1 << CHUNK_SHIFT)
#define CHUNK_COUNT 64
#define RECORD_BYTES (CHUNK_COUNT * CHUNK_BYTES)
#define TABLE_SLOTS ((uint32_t)1 << 20)
#define TABLE_MAX (TABLE_SLOTS / 4 * 3)

typedef struct record {
    uint32_t hash;
    uint32_t count;
    uintptr_t pcs[];
} record;

static struct {
    _Atomic(uint8_t *) chunks[CHUNK_COUNT];
    _Atomic uint32_t *table;
    _Atomic size_t used;     /* bytes of records handed out */
    _Atomic uint32_t stored; /* records handed out */
    _Atomic bool full;
} depot;

static bool depot_init(void)
{
    depot.table = os_reserve(TABLE_SLOTS * sizeof *depot.table);
    if (!depot.table) {
        snprintf(unavailable, sizeof unavailable, "stacks are unavailable: no address space");
        return false;
    }
    depot.used = sizeof(uint64_t);
    return true;
}

/* The chunk of records that offset `at` falls in, mapped on first use; NULL
 * if it cannot be. */
static uint8_t *depot_chunk(size_t at)
{
    _Atomic(uint8_t *) *slot = &depot.chunks[at >> CHUNK_SHIFT];
    uint8_t *chunk = atomic_load_explicit(slot, memory_order_acquire);
    if (chunk)
        return chunk;
    uint8_t *fresh = os_reserve(CHUNK_BYTES);
    if (!fresh)
        return NULL;
    /* Another thread may have mapped it meanwhile: keep the first. */
    if (atomic_compare_exchange_strong_explicit(slot, &chunk, fresh, memory_order_acq_rel,
                                                memory_order_acquire))
        return fresh;
    os_unreserve(fresh, CHUNK_BYTES);
    return chunk;
}

static uint32_t hash_frames(void *const *pcs, uint32_t n)
{
    uint64_t h = n;
    for (uint32_t i = 0; i < n; i++) {
        h = (h ^ (uintptr_t)pcs[i]) * 0x9e3779b97f4a7c15u;
        h ^= h >> 32;
    }
    return (uint32_t)h;
}

/* The record of an id handed out by record_new. */
static record *record_of(stack_id id)
{
    size_t at = (size_t)id * sizeof(uint64_t);
    return (record *)(atomic_load_explicit(&depot.chunks[at >> CHUNK_SHIFT], memory_order_acquire) +
                      (at & (CHUNK_BYTES - 1)));
}

static bool record_holds(const record *r, uint32_t hash, void *const *pcs, uint32_t n)
{
    if (r->hash != hash || r->count != n)
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (r->pcs[i] != (uintptr_t)pcs[i])
            return false;
    return true;
}

/* A new record holding the stack; 0 if the depot is full. */
static stack_id record_new(uint32_t hash, void *const *pcs, uint32_t n)
{
    if (atomic_load_explicit(&depot.full, memory_order_relaxed))
        return 0;
    size_t size = sizeof(record) + n * sizeof(uintptr_t);
    size_t at = atomic_load_explicit(&depot.used, memory_order_relaxed), placed;
    do {
        /* A record that would cross into the next chunk starts there. */
        placed = (at >> CHUNK_SHIFT) == ((at + size - 1) >> CHUNK_SHIFT)
                     ? at : (at + CHUNK_BYTES - 1) & ~(CHUNK_BYTES - 1);
    } while (!atomic_compare_exchange_weak_explicit(&depot.used, &at, placed + size,
                                                    memory_order_relaxed, memory_order_relaxed));
    uint8_t *chunk = placed + size <= RECORD_BYTES ? depot_chunk(placed) : NULL;
    if (!chunk || atomic_fetch_add_explicit(&depot.stored, 1, memory_order_relaxed) >= TABLE_MAX) {
        atomic_store_explicit(&depot.full, true, memory_order_relaxed);
        return 0;
    }
    stack_id id = (stack_id)(placed / sizeof(uint64_t));
    record *r = (record *)(chunk + (placed & (CHUNK_BYTES - 1)));
    r->hash = hash;
    r->count = n;
    for (uint32_t i = 0; i < n; i++)
        r->pcs[i] = (uintptr_t)pcs[i];
    return id;
}

static stack_id depot_put(void *const *pcs, uint32_t n)
{
    uint32_t hash = hash_frames(pcs, n);
    stack_id fresh = 0;
    for (uint32_t i = hash;; i++) {
        _Atomic uint32_t *slot = &depot.table[i & (TABLE_SLOTS - 1)];
        stack_id id = atomic_load_explicit(slot, memory_order_acquire);
        if (id == 0) {
            /* Write the record first, then publish it by its id.  If
             * another thread takes the slot first, our record is lost:
             * that happens only in a race, and records are small. */
            if (!fresh && !(fresh = record_new(hash, pcs, n)))
                return 0;
            if (atomic_compare_exchange_strong_explicit(slot, &id, fresh, memory_order_release,
                                                        memory_order_acquire))
                return fresh;
        }
        if (record_holds(record_of(id), hash, pcs, n))
            return id;
    }
}

/* Up to `frames` frames of the calling thread's stack, minus the `skip`
 * innermost frames of the function this is inlined into and its callers. */
static inline __attribute__((always_inline)) stack_id capture(unsigned skip, unsigned frames)
{
    if (!unwind || frames == 0)
        return 0;
    /* The first frame is the caller's. */
    void *pcs[1 + MAX_SKIP + MAX_DEPTH];
    unsigned drop = 1 + skip;
    unsigned want = drop + frames < sizeof pcs / sizeof *pcs ? drop + frames : sizeof pcs / sizeof *pcs;
    int n;
    atomic_fetch_add_explicit(&unwinding, 1, memory_order_relaxed);
    if (likely(unwinder_ready)) {
        n = unwind(pcs, (int)want);
    } else {
        private_heap_enter();
        n = unwind(pcs, (int)want);
        private_heap_leave();
        unwinder_ready = true;
    }
    atomic_fetch_sub_explicit(&unwinding, 1, memory_order_relaxed);
    if (n <= (int)drop)
        return 0;
    return depot_put(pcs + drop, (uint32_t)n - drop);
}

__attribute__((noinline)) stack_id stack_capture(unsigned skip)
{
    return capture(skip, depth);
}

__attribute__((noinline)) stack_id stack_capture_for_trace(unsigned skip)
{
    return capture(skip, trace_depth);
}

/* Is pc in libmmkit itself (when it is a library of its own)? */
static bool in_allocator(uintptr_t pc)
{
    Dl_info info;
    return allocator_base && dladdr((void *)(pc - 1), &info) &&
           (uintptr_t)info.dli_fbase == allocator_base;
}

/* The record of a stack id, or NULL if the id is not one the depot handed
 * out: ids come from block headers a buggy program may overwrite. */
static const record *record_checked(stack_id id)
{
    size_t used = atomic_load_explicit(&depot.used, memory_order_relaxed);
    size_t at = (size_t)id * sizeof(uint64_t);
    size_t room = CHUNK_BYTES - (at & (CHUNK_BYTES - 1));
    if (id == 0 || at >= used || at >= RECORD_BYTES || room < sizeof(record) ||
        !atomic_load_explicit(&depot.chunks[at >> CHUNK_SHIFT], memory_order_acquire))
        return NULL;
    const record *r = record_of(id);
    if (r->count > MAX_DEPTH || sizeof(record) + r->count * sizeof(uintptr_t) > room)
        return NULL;
    return r;
}

size_t stack_pcs(stack_id id, uintptr_t *pcs, size_t max)
{
    const record *r = record_checked(id);
    if (!r)
        return 0;
    size_t n = r->count < max ? r->count : max;
    memcpy(pcs, r->pcs, n * sizeof *pcs);
    return n;
}

size_t stack_frames(stack_id id, uintptr_t *pcs, size_t max)
{
    const record *r = record_checked(id);
    if (!r)
        return 0;
    /* Start at the program's call into the allocator. */
    size_t first = 0;
    while (first < r->count && in_allocator(r->pcs[first]))
        first++;
    if (first == r->count)
        first = 0;
    size_t n = r->count - first < max ? r->count - first : max;
    memcpy(pcs, r->pcs + first, n * sizeof *pcs);
    return n;
}

/* ---- the symbolizer ------------------------------------------------------ */

/* libdw, loaded on first use.  Every call into it runs under
 * LOCK_SYMBOLIZER, as the one Dwfl is not thread-safe, and between
 * private_heap_enter and leave, as it allocates. */
#define LIBDW_FUNCTIONS(F)                                                                       \
    F(dwfl_begin) F(dwfl_report_begin) F(dwfl_linux_proc_report) F(dwfl_report_end)             \
    F(dwfl_linux_proc_find_elf) F(dwfl_standard_find_debuginfo) F(dwfl_addrmodule)               \
    F(dwfl_module_addrname) F(dwfl_module_getsrc) F(dwfl_dwarf_line) F(dwfl_module_nextcu)        \
    F(dwarf_haspc) F(dwarf_getsrc_die) F(dwarf_linesrc) F(dwarf_lineno)

#define FIELD(name) __typeof__(name) *name;
static struct {
    LIBDW_FUNCTIONS(FIELD)
    bool tried;
    Dwfl *dwfl;
    Dwfl_Callbacks callbacks;
} dw;

/* Report the process's modules, again when one may have been loaded since. */
static bool report_modules(void)
{
    dw.dwfl_report_begin(dw.dwfl);
    return dw.dwfl_linux_proc_report(dw.dwfl, getpid()) == 0 &&
           dw.dwfl_report_end(dw.dwfl, NULL, NULL) == 0;
}

#define LOAD(name) ok = ok && (dw.name = (__typeof__(dw.name))dlsym(lib, #name)) != NULL;

static Dwfl *symbolizer(void)
{
    if (dw.tried)
        return dw.dwfl;
    dw.tried = true;
    void *lib = dlopen("libdw.so.1", RTLD_NOW | RTLD_LOCAL);
    bool ok = lib != NULL;
    LIBDW_FUNCTIONS(LOAD)
    if (!ok)
        return NULL;
    dw.callbacks.find_elf = dw.dwfl_linux_proc_find_elf;
    dw.callbacks.find_debuginfo = dw.dwfl_standard_find_debuginfo;
    /* A failed report leaves lookups to miss, and each miss reports again. */
    dw.dwfl = dw.dwfl_begin(&dw.callbacks);
    if (dw.dwfl)
        report_modules();
    return dw.dwfl;
}

static void copy(char *to, size_t size, const char *from)
{
    snprintf(to, size, "%s", from);
}

/* The line-table row of `at`.  libdw finds an address's compilation unit
 * through .debug_aranges, which clang leaves out by default; without it,
 * look through the units one by one. */
static Dwarf_Line *line_at(Dwfl_Module *module, uintptr_t at)
{
    Dwarf_Addr bias;
    Dwfl_Line *line = dw.dwfl_module_getsrc(module, at);
    if (line)
        return dw.dwfl_dwarf_line(line, &bias);
    Dwarf_Die *unit = NULL;
    while ((unit = dw.dwfl_module_nextcu(module, unit, &bias)))
        if (dw.dwarf_haspc(unit, at - bias) > 0)
            return dw.dwarf_getsrc_die(unit, at - bias);
    return NULL;
}

/* Function, file and line from the debug info, when there is some. */
static bool symbolize_with_libdw(uintptr_t at, symbol *out)
{
    Dwfl *dwfl = symbolizer();
    if (!dwfl)
        return false;
    Dwfl_Module *module = dw.dwfl_addrmodule(dwfl, at);
    if (!module && report_modules())
        module = dw.dwfl_addrmodule(dwfl, at);
    if (!module)
        return false;
    const char *name = dw.dwfl_module_addrname(module, at);
    if (name) {
        /* Symbol tables name versioned functions "name@@VERSION". */
        snprintf(out->function, sizeof out->function, "%.*s", (int)strcspn(name, "@"), name);
    }
    Dwarf_Line *line = line_at(module, at);
    const char *file = line ? dw.dwarf_linesrc(line, NULL, NULL) : NULL;
    int number;
    if (file && dw.dwarf_lineno(line, &number) == 0) {
        copy(out->file, sizeof out->file, file);
        out->line = number > 0 ? (unsigned)number : 0;
    }
    return name || file;
}

bool stack_symbolize(uintptr_t pc, symbol *out)
{
    memset(out, 0, sizeof *out);
    /* A return address points after its call; the call is one byte back. */
    uintptr_t at = pc - 1;
    Dl_info info;
    bool known = dladdr((void *)at, &info) && info.dli_fname;
    if (known) {
        copy(out->module, sizeof out->module, info.dli_fname);
        out->module_offset = pc - (uintptr_t)info.dli_fbase;
        if (info.dli_sname)
            copy(out->function, sizeof out->function, info.dli_sname);
    }
    lock_take(LOCK_SYMBOLIZER);
    private_heap_enter();
    known |= symbolize_with_libdw(at, out);
    private_heap_leave();
    lock_release(LOCK_SYMBOLIZER);
    return known;
}

/* ---- printing ------------------------------------------------------------ */

static void print_frame(size_t number, uintptr_t pc)
{
    symbol s;
    stack_symbolize(pc, &s);
    const char *slash = strrchr(s.module, '/');
    const char *module = slash ? slash + 1 : s.module;
    if (s.function[0] && s.file[0]) {
        slash = strrchr(s.file, '/');
        os_printf("    #%zu 0x%" PRIxPTR " in %s at %s:%u\n", number, pc, s.function,
                      slash ? slash + 1 : s.file, s.line);
    } else if (s.function[0]) {
        os_printf("    #%zu 0x%" PRIxPTR " in %s (%s+0x%" PRIxPTR ")\n", number, pc,
                      s.function, module, s.module_offset);
    } else {
        os_printf("    #%zu 0x%" PRIxPTR " (%s+0x%" PRIxPTR ")\n", number, pc, module,
                      s.module_offset);
    }
}

void stack_print(stack_id id)
{
    uintptr_t pcs[MAX_DEPTH];
    size_t n = stack_frames(id, pcs, MAX_DEPTH);
    if (n == 0) {
        if (unavailable[0])
            os_printf("    (%s)\n", unavailable);
        else if (atomic_load_explicit(&depot.full, memory_order_relaxed))
            os_printf("    (no stack: the stack depot is full)\n");
        else
            os_printf("    (no stack)\n");
        return;
    }
    for (size_t i = 0; i < n; i++)
        print_frame(i, pcs[i]);
}
