/* mmkit/sim.h - the simulated half of mmkit: a trace-driven virtual-memory
 * machine (MMU, TLB, page tables, frames, swap, replacement policies,
 * segmentation and base-and-bounds).
 *
 * The flow: open traces (sim_trace_open) or parse a reference string
 * (sim_refs_parse), describe a machine (sim_config_*), then run the records
 * through it (sim_run) and read the statistics back (sim_machine_stats).
 *
 * Errors: every call that can fail returns 0 or a negative enum sim_status
 * and, when given a struct sim_diag, fills in where and why.  Nothing in
 * the library prints (except the explain stream you hand it) or aborts. */
#ifndef MMKIT_SIM_H
#define MMKIT_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum sim_status {
    SIM_OK = 0,
    SIM_ERR_NOMEM = -1,  /* out of memory */
    SIM_ERR_IO = -2,     /* a file could not be opened, read or written */
    SIM_ERR_PARSE = -3,  /* a trace, reference string or machine file is malformed */
    SIM_ERR_CONFIG = -4, /* a machine setting is invalid or inconsistent */
};

/* Where an error happened: file (or "--refs", "--frames", ...), line (0 if
 * none), the field that was wrong, and what was wrong with it. */
struct sim_diag {
    char file[256];
    unsigned long line;
    char field[48];
    char message[256];
};

/* Format a diagnostic as "<file>:<line>: <field>: <message>" (the parts that
 * are set) into buf; returns buf. */
const char *sim_diag_format(const struct sim_diag *diag, char *buf, size_t size);

/* ---- trace records --------------------------------------------------- */

/* The kinds of a valgrind lackey trace: instruction fetch, load, store and
 * modify (one reference that reads then writes). */
enum sim_kind { SIM_INSTR = 0, SIM_LOAD = 1, SIM_STORE = 2, SIM_MODIFY = 3 };
#define SIM_KIND_ALL 0xfu /* mask of (1 << kind) for every kind */

struct sim_record {
    uint64_t addr; /* virtual address of the first byte */
    uint32_t size; /* bytes accessed, at least 1 */
    uint16_t pid;  /* process index, 0-based */
    uint8_t kind;  /* enum sim_kind */
};

/* Parse "--kinds ILSM"-style letters into a mask; returns false if a letter
 * is not one of I, L, S, M. */
bool sim_kinds_parse(const char *letters, unsigned *mask);

/* ---- traces ---------------------------------------------------------- */

struct sim_trace;

struct sim_trace_options {
    unsigned kinds;     /* mask of (1 << enum sim_kind) to keep; SIM_KIND_ALL */
    bool skip_bad;      /* count and skip malformed lines instead of failing */
    uint16_t first_pid; /* added to every record's process index */
};

/* Open a trace file ("-" for standard input): lackey text or mmkit's binary
 * format, each plain or compressed with gzip, zstd or xz (all detected from
 * the first bytes). */
int sim_trace_open(struct sim_trace **out, const char *path,
                   const struct sim_trace_options *options, struct sim_diag *diag);
/* Read up to cap records; *got is 0 at the end of the trace. */
int sim_trace_read(struct sim_trace *trace, struct sim_record *records, size_t cap,
                   size_t *got, struct sim_diag *diag);
/* How many processes the trace holds (1 for lackey text). */
unsigned sim_trace_processes(const struct sim_trace *trace);
/* Malformed lines skipped so far (with skip_bad). */
uint64_t sim_trace_skipped(const struct sim_trace *trace);
void sim_trace_close(struct sim_trace *trace);

/* mmkit's binary trace: a 16-byte header ("MMKTRACE", version, process
 * count) and then one little-endian 64-bit word per record (docs/SIM.md).
 * The writer writes to `file`, which its caller opened and closes; `name`
 * is what messages call it. */
struct sim_trace_writer;
int sim_trace_writer_open(struct sim_trace_writer **out, FILE *file, const char *name,
                          unsigned processes, struct sim_diag *diag);
int sim_trace_writer_put(struct sim_trace_writer *writer, const struct sim_record *records,
                         size_t count, struct sim_diag *diag);
int sim_trace_writer_close(struct sim_trace_writer *writer, struct sim_diag *diag);

/* Reference strings for exercises: "7,0,1,2" are page numbers (the record
 * addresses are page * page_size), or with addresses=true "0x3a7,0x1f0c"
 * are virtual addresses.  A trailing 'w' marks a write ("3w").  "P:" in
 * front of an item gives its process ("1:0x3a7").  *records is malloc'ed. */
int sim_refs_parse(const char *text, bool addresses, uint64_t page_size,
                   struct sim_record **records, size_t *count, struct sim_diag *diag);

/* ---- the machine ----------------------------------------------------- */

enum sim_translation { SIM_PAGING, SIM_SEGMENTATION, SIM_BASE_BOUNDS };
enum sim_tlb_switch { SIM_TLB_FLUSH, SIM_TLB_ASID };

#define SIM_MAX_LEVELS 6
#define SIM_MAX_SEGMENTS 8
#define SIM_MAX_MAPS 1024 /* given page-table entries, `map` or `page-table` */

/* Protection bits of a segment (and of the pages inside it). */
enum sim_prot { SIM_PROT_READ = 1, SIM_PROT_WRITE = 2, SIM_PROT_EXEC = 4 };

struct sim_segment {
    char name[16];
    uint64_t base;     /* lowest virtual address (highest+1 if grows_down) */
    uint64_t limit;    /* size in bytes */
    uint64_t physical; /* segmentation: physical address of its base */
    bool grows_down;   /* stack: the segment spans [base - limit, base) */
    unsigned prot;     /* enum sim_prot bits */
    bool placed;       /* physical was given, which paging refuses */
    unsigned shared;   /* paging: 1 to 65535, the shared memory the segment maps (the
                        * processes whose segments name the same id map the same
                        * pages); 0: each process's own */
    char file[16];     /* paging: the file that backs the segment ("": none) */
};

/* A page-table entry an exercise gives: page vpn is in frame pfn. */
struct sim_map {
    uint64_t vpn, pfn;
    unsigned prot; /* enum sim_prot bits */
};

/* Where a raw entry keeps its bits (`entry-format = valid:31 pfn:0-30`). */
struct sim_entry_format {
    unsigned valid_bit;         /* the entry is valid when this bit is set */
    unsigned pfn_low, pfn_high; /* the frame number's bits, inclusive */
};

/* One cache of the hierarchy in front of physical memory (`cache = L1d 32K
 * 8 64 lru wb`).  Level 1 may be split into an instruction and a data
 * cache; the levels below are unified.  Caches are physically indexed. */
#define SIM_MAX_CACHES 8
enum sim_cache_side { SIM_CACHE_UNIFIED, SIM_CACHE_INSTR, SIM_CACHE_DATA };
enum sim_cache_replacement { SIM_CACHE_LRU, SIM_CACHE_FIFO, SIM_CACHE_RANDOM, SIM_CACHE_PLRU };

struct sim_cache_config {
    char name[8];           /* "L1i", "L1d", "L2", ...: the level and side */
    unsigned level;         /* 1 is nearest the CPU */
    enum sim_cache_side side;
    uint64_t size;          /* bytes */
    unsigned ways;          /* lines a set holds; size / line for fully associative */
    unsigned line;          /* bytes, a power of two */
    enum sim_cache_replacement replacement;
    bool write_through;     /* else write-back: dirty lines written when evicted */
    bool no_write_allocate; /* a store that misses goes below without filling a line */
    bool inclusive;         /* holds every line of the levels above it */
    double latency_ns;      /* a lookup's cost */
};

/* Keeping the CPUs' private caches coherent (with cpus above 1). */
enum sim_coherence { SIM_MESI, SIM_MOESI, SIM_MSI };

struct sim_config {
    enum sim_translation translation;
    unsigned address_bits;  /* virtual address width */
    uint64_t page_size;     /* bytes, a power of two (large pages welcome) */
    uint64_t frames;        /* physical page frames */
    uint64_t memory_bytes;  /* if not 0, frames = memory_bytes / page_size */
    unsigned levels;        /* page-table levels; 1 is a linear table */
    unsigned level_bits[SIM_MAX_LEVELS]; /* index bits per level, root first */

    unsigned tlb_entries;   /* 0: no TLB */
    unsigned tlb_ways;      /* associativity; tlb_entries for fully associative;
                             * 0 (the default): 4, or tlb_entries if fewer */
    char tlb_policy[16];    /* "lru", "fifo" or "random" */
    enum sim_tlb_switch tlb_switch;

    char policy[16];        /* page replacement policy, see sim_policy_names */
    bool local_allocation;  /* each process replaces only its own pages */
    uint64_t seed;          /* for the random policies */
    uint64_t tau;           /* working-set window, in references */
    uint64_t tick;          /* references between clock ticks (nru, aging) */
    uint64_t quantum;       /* references between context switches */

    unsigned segment_count; /* segmentation (and, with paging, the valid areas) */
    struct sim_segment segments[SIM_MAX_SEGMENTS];
    unsigned segment_bits;  /* 0: the segment holding an address is searched for
                             * by range; N: the top N of the address-bits choose
                             * it, as segmentation hardware does */
    uint64_t base, bounds;  /* base-and-bounds registers */

    /* paging with a given table, as exercises set it: every page is
     * valid as the table says (no demand paging), the others are
     * protection faults.  `map` lines, or a linear table of raw entries
     * (`page-table`, from page 0) read with entry_format. */
    struct sim_map maps[SIM_MAX_MAPS];
    unsigned map_count;
    uint64_t raw_entries[SIM_MAX_MAPS];
    unsigned raw_entry_count;
    struct sim_entry_format entry_format;
    /* or physical memory's bytes (a hex dump, "page N:" lines allowed, or
     * raw bytes), in which the tables are walked from the table in frame
     * pdbr, each entry entry_size bytes, little-endian, read with
     * entry_format at every level */
    char memory_image[256];
    uint64_t pdbr;
    unsigned entry_size;

    unsigned cache_count;   /* 0: references go straight to memory */
    struct sim_cache_config caches[SIM_MAX_CACHES];
    unsigned cpus;          /* each has its own copy of the caches above the last level,
                             * which they share; process P runs on CPU P % cpus */
    enum sim_coherence coherence;

    double cost_tlb_ns, cost_memory_ns, cost_fault_ns, cost_swap_write_ns;
    bool split_straddling;  /* an access crossing a page touches both pages */
};

/* A raw entry of page vpn read with format: true if it is valid, and then
 * *map says where the page is. */
bool sim_entry_decode(const struct sim_entry_format *format, uint64_t vpn, uint64_t raw,
                      struct sim_map *map);

/* An x86-64-like machine: 48-bit addresses, 4 KiB pages, 4 levels of 9 bits,
 * a 64-entry 4-way TLB with ASIDs, clock replacement, 256 frames. */
void sim_config_default(struct sim_config *config);
/* Set one setting by the name the machine file uses ("frames", "policy",
 * "page-size", ...); file and line go into diag on error. */
int sim_config_set(struct sim_config *config, const char *key, const char *value,
                   struct sim_diag *diag);
/* Whether key names a setting. */
bool sim_config_has(const char *key);
/* Every setting's name, NULL-terminated. */
extern const char *const sim_config_names[];
/* Apply a preset by name ("x86-64", "x86-64-2m", "x86-32", "tiny",
 * "x86-64-caches", "cachegrind"), or else
 * read the machine file at that path (docs/SIM.md). */
int sim_config_load(struct sim_config *config, const char *path_or_preset,
                    struct sim_diag *diag);
/* Check consistency (levels cover the page-number bits, sizes are powers of
 * two, ...) and derive what was left to derive (level_bits when 0). */
int sim_config_finish(struct sim_config *config, struct sim_diag *diag);
/* The policy names, NULL-terminated. */
extern const char *const sim_policy_names[];

/* ---- running --------------------------------------------------------- */

struct sim_stats {
    uint64_t references;        /* references issued (after --kinds) */
    uint64_t tlb_hits, tlb_misses;
    uint64_t page_faults;       /* valid page, not resident */
    uint64_t protection_faults; /* invalid page, out of bounds, or forbidden access */
    uint64_t swap_reads;        /* page faults served from swap */
    uint64_t zero_fills;        /* page faults served by a zeroed frame */
    uint64_t swap_writes;       /* dirty victims written to swap */
    uint64_t minor_faults;      /* page faults served by a shared page already resident */
    uint64_t file_reads;        /* page faults served from a segment's file */
    uint64_t file_writes;       /* dirty file-backed victims written to their file */
    uint64_t evictions;
    uint64_t walk_accesses;     /* memory reads by page-table walks */
    uint64_t context_switches;
    uint64_t page_table_bytes;  /* page-table memory at the end */
    double cache_ns;            /* with caches: time in them and in memory behind them */
    double time_ns;             /* total modelled time; EAT = time_ns / references */
};

/* What one cache saw.  A reference (or a walk's read) that straddles two
 * lines is one access, and one miss if either line missed. */
struct sim_cache_stats {
    char name[16];              /* "L1d", or "L1d cpu1" for a CPU's own copy */
    int cpu;                    /* -1: shared by every CPU */
    uint64_t accesses, hits, misses;
    uint64_t write_backs;       /* dirty lines written below when evicted */
    uint64_t writes_through;    /* stores passed below by a write-through cache */
    uint64_t inclusion_victims; /* lines taken out because a level below evicted them */
    double time_ns;             /* lookups times the latency */
};

/* A protection fault as reported to the user. */
struct sim_protection_fault {
    uint64_t reference; /* 1-based index of the reference */
    uint64_t addr;
    uint16_t pid;
    uint8_t kind;
    const char *reason; /* "no segment", "write to read-only page", ... */
    int segment;        /* the segment it broke, an index of segments; -1: none */
};

struct sim_machine;

int sim_machine_create(struct sim_machine **out, const struct sim_config *config,
                       unsigned processes, struct sim_diag *diag);
void sim_machine_destroy(struct sim_machine *machine);
/* Print every step of every reference to out (NULL stops). */
void sim_machine_explain(struct sim_machine *machine, FILE *out);
/* The same steps as JSON objects, separated by ",\n", to out (NULL stops):
 * what sim_report_json_steps puts in its "steps" array. */
void sim_machine_explain_json(struct sim_machine *machine, FILE *out);
/* A line per reference to out (NULL stops), as textbooks draw a run:
 * "ref 4 (page 2): MISS, evict 7, frames [2 0 1]". */
void sim_machine_steps(struct sim_machine *machine, FILE *out);
/* Give the machine the whole future (needed by "opt"); records must be the
 * exact sequence later passed to sim_machine_run. */
int sim_machine_set_future(struct sim_machine *machine, const struct sim_record *records,
                           size_t count);
bool sim_machine_needs_future(const struct sim_machine *machine);
/* Run records through the machine; a record's pid switches context.
 * SIM_ERR_CONFIG if a record's pid is not below the process count. */
int sim_machine_run(struct sim_machine *machine, const struct sim_record *records,
                    size_t count);
/* Statistics of one process, or of all with pid < 0. */
void sim_machine_stats(const struct sim_machine *machine, int pid, struct sim_stats *out);
unsigned sim_machine_processes(const struct sim_machine *machine);
/* The caches' statistics, nearest the CPU first (each CPU's copies in
 * turn, then the shared level); how many there are (at most capacity
 * filled in). */
unsigned sim_machine_caches(const struct sim_machine *machine, struct sim_cache_stats *out,
                            unsigned capacity);

/* What keeping the CPUs' caches coherent took. */
struct sim_coherence_stats {
    uint64_t invalidations; /* copies in other CPUs' caches taken out by a write */
    uint64_t interventions; /* another CPU's cache answered a miss (it held M, O or E) */
    uint64_t transfers;     /* lines that came from another CPU's cache, not from below */
    uint64_t upgrades;      /* writes to a shared line that only asked the others to let go */
};
void sim_machine_coherence(const struct sim_machine *machine, struct sim_coherence_stats *out);
/* The state of the line holding physical address paddr in cpu's own caches:
 * 'M', 'O', 'E', 'S' or 'I' (also when there is only one CPU: 'I'). */
char sim_machine_line_state(const struct sim_machine *machine, unsigned cpu, uint64_t paddr);
/* Memory accesses behind the caches: line fills and write-backs. */
uint64_t sim_machine_memory_accesses(const struct sim_machine *machine);
/* The first protection faults (at most SIM_FAULTS_KEPT) and how many. */
#define SIM_FAULTS_KEPT 16
size_t sim_machine_protection_faults(const struct sim_machine *machine,
                                     const struct sim_protection_fault **faults);

/* Keep cumulative fault counts over time (off by default), for
 * sim_report_svg.  0 or SIM_ERR_NOMEM. */
int sim_machine_timeline(struct sim_machine *machine);

/* ---- a whole run ----------------------------------------------------- */

/* Several traces run the way a scheduler would: each trace (a process, or
 * for binary traces the processes it holds) runs config->quantum
 * references, then the next one runs.  Trace i's processes are numbered
 * after those of traces 0 .. i-1. */
struct sim_workload {
    struct sim_record *records;
    size_t count;
    unsigned processes;
    uint64_t skipped; /* malformed lines skipped while reading */
};

/* Read traces into memory, interleaved (for opt and sweeps, which need the
 * whole trace).  Free with sim_workload_free. */
int sim_workload_load(struct sim_workload *workload, const char *const *paths, size_t count,
                      const struct sim_trace_options *options, uint64_t quantum,
                      struct sim_diag *diag);
void sim_workload_free(struct sim_workload *workload);

struct sim_run_options {
    struct sim_trace_options trace;
    FILE *explain;                               /* NULL: no step-by-step story */
    FILE *explain_json;                          /* NULL: no steps as JSON */
    FILE *steps;                                 /* NULL: no line per reference */
    bool timeline;                               /* see sim_machine_timeline */
    void (*progress)(uint64_t done, void *arg); /* NULL: quiet */
    void *progress_arg;
};

/* Make a machine for the traces' processes and run them through it,
 * streaming (unless the policy needs the future).  *machine is the caller's
 * to destroy, also after an error.  *skipped counts malformed lines. */
int sim_run_traces(struct sim_machine **machine, const struct sim_config *config,
                   const char *const *paths, size_t count, const struct sim_run_options *options,
                   uint64_t *skipped, struct sim_diag *diag);
/* The same for records already in memory (options may be NULL; its trace
 * and progress fields are not used). */
int sim_run_workload(struct sim_machine **machine, const struct sim_config *config,
                     const struct sim_workload *workload, const struct sim_run_options *options,
                     struct sim_diag *diag);

/* ---- reports --------------------------------------------------------- */

/* Effective access time in nanoseconds: total modelled time / references. */
double sim_stats_eat(const struct sim_stats *stats);
/* The summary: per process (when more than one) and in total. */
void sim_report_text(FILE *out, const struct sim_machine *machine);
void sim_report_json(FILE *out, const struct sim_machine *machine);
/* The same document with "steps": the JSON the machine wrote to steps
 * (sim_machine_explain_json), read back from its start. */
void sim_report_json_steps(FILE *out, const struct sim_machine *machine, FILE *steps);
/* A header row, a row per process, and a "total" row. */
void sim_report_csv(FILE *out, const struct sim_machine *machine);

/* Cumulative page and protection faults against references, as SVG (the
 * machine must have kept its timeline). */
void sim_report_svg(FILE *out, const struct sim_machine *machine, const char *title);

/* ---- sweeps ---------------------------------------------------------- */

struct sim_sweep {
    unsigned policy_count;
    const char *policies[16];
    uint64_t frames_min, frames_max;
    uint64_t *frames;  /* the frame counts swept, increasing, from frames_min to frames_max */
    uint64_t count;    /* how many */
    uint64_t *faults;  /* [policy][i] at frames[i], filled by sim_sweep_run */
    /* If set, called from the worker threads after each run. */
    void (*progress)(uint64_t done, uint64_t total, void *arg);
    void *progress_arg;
};

/* Fill policies and frame counts from a range and a policy list
 * ("fifo,lru,opt", "all"; NULL for fifo,lru,opt,clock).  The range:
 * "frames=A..B" every count, "frames=A..B:S" every S-th from A, "frames=A..B/N"
 * N counts evenly spread, "frames=A..B/Nlog" N counts spread on a log
 * scale; each form ends at B. */
int sim_sweep_parse(struct sim_sweep *sweep, const char *range, const char *policies,
                    struct sim_diag *diag);
/* Run every policy at every frame count on the workload using threads
 * worker threads. */
int sim_sweep_run(struct sim_sweep *sweep, const struct sim_config *config,
                  const struct sim_workload *workload, unsigned threads, struct sim_diag *diag);
void sim_sweep_free(struct sim_sweep *sweep);
/* Belady's anomaly: the first swept frame count f of a policy whose next
 * swept count has more faults; returns false if none. */
bool sim_sweep_anomaly(const struct sim_sweep *sweep, unsigned policy, uint64_t *frames);
void sim_sweep_text(FILE *out, const struct sim_sweep *sweep);
void sim_sweep_json(FILE *out, const struct sim_sweep *sweep);
/* frames, then one column of page faults per policy. */
void sim_sweep_csv(FILE *out, const struct sim_sweep *sweep);
void sim_sweep_svg(FILE *out, const struct sim_sweep *sweep, const char *title);

#ifdef __cplusplus
}
#endif

#endif
