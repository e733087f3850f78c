/* machine_run.c - the CPU side of the machine: each reference goes through the
 * TLB, then the page-table walk, and on to the kernel when the page is not
 * present.  This is the hot loop; everything rare lives in kernel.c. */
#include <stdlib.h>
#include <unistd.h>

#include "diag.h"
#include "future.h"
#include "kernel.h"
#include "machine_caches.h"
#include "machine.h"
#include "memory_image.h"
#include "story.h"
#include "segments.h"

/* What simulating one frame costs this program, at the least: its entry
 * and the policies' per-frame state. */
#define BYTES_PER_FRAME (sizeof(struct frame) + 2 * sizeof(uint64_t))

/* A machine whose frame tables cannot fit in this computer's memory is
 * refused with the numbers, not left to fail (or swap) part way. */
static int check_frames_fit(uint64_t frames, struct sim_diag *diag)
{
    long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page_size <= 0)
        return SIM_OK;
    uint64_t memory = (uint64_t)pages * (uint64_t)page_size;
    if (frames <= memory / BYTES_PER_FRAME / 2)
        return SIM_OK;
    return diag_set(diag, SIM_ERR_NOMEM, NULL, 0, "frames",
                    "%llu frames need at least %.1f GiB to simulate (%zu bytes each); this "
                    "computer has %.1f GiB, which fits at most about %llu frames",
                    (unsigned long long)frames, (double)frames * BYTES_PER_FRAME / (1 << 30),
                    BYTES_PER_FRAME, (double)memory / (1 << 30),
                    (unsigned long long)(memory / BYTES_PER_FRAME / 2));
}

/* One page of a given table present in process p's table: 0 or
 * SIM_ERR_NOMEM. */
static int map_page(struct process *p, const struct sim_map *map)
{
    uint64_t *entry = page_table_make(&p->page_table, map->vpn);
    if (!entry)
        return SIM_ERR_NOMEM;
    *entry = PTE_PRESENT | PTE_USER | (map->prot & SIM_PROT_WRITE ? PTE_WRITABLE : 0) |
             (map->prot & SIM_PROT_EXEC ? 0 : PTE_NO_EXEC) | (map->pfn << PTE_FRAME_SHIFT);
    return SIM_OK;
}

/* A given table's pages into process p's table, present where the table
 * says: 0 or SIM_ERR_NOMEM. */
static int load_given_table(const struct sim_config *c, struct process *p)
{
    int status = SIM_OK;
    for (unsigned i = 0; i < c->map_count && !status; i++)
        status = map_page(p, &c->maps[i]);
    for (unsigned vpn = 0; vpn < c->raw_entry_count && !status; vpn++) {
        struct sim_map map;
        if (sim_entry_decode(&c->entry_format, vpn, c->raw_entries[vpn], &map))
            status = map_page(p, &map);
    }
    return status;
}

int sim_machine_create(struct sim_machine **out, const struct sim_config *config,
                       unsigned processes, struct sim_diag *diag)
{
    *out = NULL;
    struct sim_machine *m = calloc(1, sizeof *m);
    if (!m)
        return SIM_ERR_NOMEM;
    m->config = *config;
    int status = sim_config_finish(&m->config, diag);
    if (status)
        goto fail;
    if (processes == 0 || processes > UINT16_MAX) {
        status = diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "processes",
                          "%u processes (1 to %u)", processes, UINT16_MAX);
        goto fail;
    }
    m->policy = policy_find(m->config.policy);
    while ((1ull << m->page_shift) < m->config.page_size)
        m->page_shift++;
    m->max_vpn = (m->config.address_bits >= 64 ? UINT64_MAX : (1ull << m->config.address_bits) - 1) >>
                 m->page_shift;
    status = check_frames_fit(m->config.frames, diag);
    if (status)
        goto fail;
    m->processes = processes;
    m->cpus = m->config.cpus ? m->config.cpus : 1;
    m->process = calloc(processes, sizeof *m->process);
    m->frames = calloc(m->config.frames, sizeof *m->frames);
    m->tlbs = calloc(m->cpus, sizeof *m->tlbs);
    m->running = calloc(m->cpus, sizeof *m->running);
    status = SIM_ERR_NOMEM;
    if (!m->process || !m->frames || !m->tlbs || !m->running)
        goto fail;
    for (unsigned cpu = 0; cpu < m->cpus; cpu++) /* process P starts on CPU P */
        m->running[cpu] = (uint16_t)(cpu < processes ? cpu : 0);
    for (unsigned pid = 0; pid < processes; pid++) {
        struct process *p = &m->process[pid];
        p->asid = m->config.tlb_switch == SIM_TLB_ASID ? (uint16_t)pid : 0;
        p->cpu = (uint16_t)(pid % m->cpus);
        if (m->config.translation == SIM_PAGING &&
            (page_table_init(&p->page_table, m->config.levels, m->config.level_bits) ||
             load_given_table(&m->config, p)))
            goto fail;
    }
    enum tlb_replacement replacement = TLB_LRU;
    tlb_replacement_parse(m->config.tlb_policy, &replacement);
    unsigned tlb_entries = m->config.translation == SIM_PAGING ? m->config.tlb_entries : 0;
    for (unsigned cpu = 0; cpu < m->cpus; cpu++)
        if (tlb_init(&m->tlbs[cpu], tlb_entries, m->config.tlb_ways, replacement,
                     m->config.seed + cpu))
            goto fail;
    status = kernel_init(m, diag);
    if (status)
        goto fail;
    if ((status = cache_hierarchy_init(&m->caches, &m->config)))
        goto fail;
    /* The page tables lie beyond the frames, a region of 2^36 bytes for
     * each process, so that the caches see a walk's reads where they are. */
    m->tables_base = m->config.frames << m->page_shift;
    if (m->config.translation == SIM_PAGING && m->config.memory_image[0] &&
        (status = memory_image_load(&m->image, m->config.memory_image, m->config.page_size,
                                    diag)))
        goto fail;
    m->table_given = m->config.map_count || m->config.raw_entry_count || m->image.size;
    m->next_tick = m->config.tick;
    m->timeline.next = UINT64_MAX;
    *out = m;
    return SIM_OK;
fail:
    sim_machine_destroy(m);
    return status;
}

void sim_machine_destroy(struct sim_machine *m)
{
    if (!m)
        return;
    kernel_free(m);
    cache_hierarchy_free(&m->caches);
    memory_image_free(&m->image);
    for (unsigned cpu = 0; m->tlbs && cpu < m->cpus; cpu++)
        tlb_free(&m->tlbs[cpu]);
    free(m->tlbs);
    free(m->running);
    for (unsigned pid = 0; m->process && pid < m->processes; pid++)
        page_table_free(&m->process[pid].page_table);
    free(m->process);
    free(m->frames);
    free(m->next_use);
    for (unsigned i = 0; i < m->observer_count; i++)
        if (m->observers[i].release)
            m->observers[i].release(m->observers[i].context);
    free(m);
}

void machine_observe(struct sim_machine *m, struct sim_observer observer, bool listening)
{
    unsigned at = 0;
    while (at < m->observer_count && m->observers[at].event != observer.event)
        at++;
    if (listening && at == m->observer_count)
        m->observers[m->observer_count++] = observer;
    else if (!listening && at < m->observer_count)
        m->observers[at] = m->observers[--m->observer_count];
}

/* The story is heard while some writer tells it. */
static void story_listens(struct sim_machine *m)
{
    const struct story *s = &m->story;
    machine_observe(m, (struct sim_observer){story_event, &m->story, NULL},
                    s->text || s->json || s->steps);
}

void sim_machine_explain(struct sim_machine *m, FILE *out)
{
    m->story.text = out;
    story_listens(m);
}

void sim_machine_explain_json(struct sim_machine *m, FILE *out)
{
    m->story.json = out;
    story_listens(m);
}

void sim_machine_steps(struct sim_machine *m, FILE *out)
{
    m->story.steps = out;
    story_listens(m);
}

bool sim_machine_needs_future(const struct sim_machine *m)
{
    return m->config.translation == SIM_PAGING && m->policy->needs_future;
}

int sim_machine_set_future(struct sim_machine *m, const struct sim_record *records, size_t count)
{
    free(m->next_use);
    m->next_use = NULL;
    m->future_count = 0;
    return future_compute(m, records, count, &m->next_use, &m->future_count);
}

unsigned sim_machine_processes(const struct sim_machine *m)
{
    return m->processes;
}

size_t sim_machine_protection_faults(const struct sim_machine *m,
                                     const struct sim_protection_fault **faults)
{
    *faults = m->faults;
    return m->fault_count;
}

static void run_clock_tick(struct sim_machine *m)
{
    for (unsigned i = 0; i < m->pool_count; i++)
        m->policy->tick(m->pools[i].policy_state);
    m->next_tick += m->config.tick;
}

/* The page-table walk for vpn; with caches, its reads go through them. */
static uint64_t *walk(struct sim_machine *m, struct process *p, uint64_t vpn, unsigned *reads)
{
    if (!m->caches.count)
        return page_table_find(&p->page_table, vpn, reads);
    uint64_t places[SIM_MAX_LEVELS];
    uint64_t *pte = page_table_walk(&p->page_table, vpn, reads, places);
    uint64_t base = m->tables_base + ((uint64_t)(p - m->process) << 36);
    for (unsigned level = 0; level < *reads; level++)
        machine_cache_access(m, p, base + places[level], sizeof(uint64_t), SIM_LOAD, true);
    return pte;
}

/* One reference of `size` bytes within one page under paging. */
static int page_access(struct sim_machine *m, struct process *p, uint64_t addr, uint32_t size,
                       unsigned kind)
{
    uint64_t vpn = addr >> m->page_shift;
    bool write = kind == SIM_STORE || kind == SIM_MODIFY;
    uint64_t now = ++m->now;
    bool observed = machine_observed(m);
    uint64_t *pte = NULL, paddr = 0;
    bool translated = false;
    int status = SIM_OK;
    p->stats.references++;
    if (observed)
        machine_announce(m, &(struct sim_event){.kind = EVENT_REFERENCE, .reference = now,
                                                .addr = addr, .vpn = vpn, .pid = m->current_pid,
                                                .access = (uint8_t)kind});

    if (vpn > m->max_vpn) {
        kernel_protection_fault(m, p, addr, kind, -1,
                                "address beyond the virtual address space");
        goto done;
    }
    if (m->image.size) { /* the exercise's tables, walked in its memory */
        paddr = memory_image_access(m, p, addr, kind);
        goto done;
    }
    struct tlb *tlb = &m->tlbs[p->cpu];
    if (tlb->sets) {
        struct tlb_entry *entry = tlb_lookup(tlb, p->asid, vpn);
        if (entry) {
            p->stats.tlb_hits++;
            pte = entry->pte;
        } else {
            p->stats.tlb_misses++;
        }
        if (observed)
            machine_announce(m, &(struct sim_event){.kind = EVENT_TLB, .hit = pte != NULL});
    }
    if (!pte) {
        unsigned reads;
        pte = walk(m, p, vpn, &reads);
        p->stats.walk_accesses += reads;
        bool present = pte && (*pte & PTE_PRESENT);
        if (observed)
            machine_announce(m, &(struct sim_event){.kind = EVENT_WALK, .reads = reads,
                                                    .present = present});
        if (!present && m->table_given) { /* no demand paging: the table is the exercise's */
            kernel_protection_fault(m, p, addr, kind, -1, "page not valid in the given table");
            goto done;
        }
        if (!present) {
            status = kernel_page_fault(m, p, addr, vpn, kind, &pte);
            if (status)
                goto done;
        }
        if (tlb->sets)
            tlb_insert(tlb, p->asid, vpn, pte);
    }
    /* Protection is checked on every reference, hit or miss, as the MMU
     * checks the permission bits the TLB entry carries. */
    if (write && !(*pte & PTE_WRITABLE)) {
        kernel_protection_fault(m, p, addr, kind, -1, "write to a read-only page");
        goto done;
    }
    if (kind == SIM_INSTR && (*pte & PTE_NO_EXEC)) {
        kernel_protection_fault(m, p, addr, kind, -1,
                                "instruction fetch from a no-execute page");
        goto done;
    }
    *pte |= PTE_ACCESSED | (write ? PTE_DIRTY : 0);
    if (m->policy->accessed && !m->table_given) /* a given table's frames are no policy's */
        m->policy->accessed(p->pool->policy_state, (uint32_t)pte_frame(*pte), now,
                            machine_next_use(m));
    translated = true;
    paddr = (pte_frame(*pte) << m->page_shift) | (addr & (m->config.page_size - 1));
    if (m->caches.count)
        machine_cache_access(m, p, paddr, size, kind, false);
done:
    if (observed)
        machine_announce(m, &(struct sim_event){.kind = EVENT_DONE, .present = translated,
                                                .pte = translated ? *pte : 0,
                                                .frame = translated ? pte_frame(*pte) : 0,
                                                .paddr = paddr});
    if (m->policy->tick && now >= m->next_tick)
        run_clock_tick(m);
    return status < 0 ? status : SIM_OK;
}

/* Process pid takes its CPU from the process that ran there. */
static void context_switch(struct sim_machine *m, uint16_t pid)
{
    struct process *p = &m->process[pid];
    struct tlb *tlb = &m->tlbs[p->cpu];
    bool flush = m->config.tlb_switch == SIM_TLB_FLUSH && tlb->sets;
    m->running[p->cpu] = pid;
    p->stats.context_switches++;
    if (flush)
        tlb_flush(tlb);
    if (machine_observed(m))
        machine_announce(m, &(struct sim_event){.kind = EVENT_SWITCH, .pid = pid,
                                                .flushed = flush});
}

int sim_machine_run(struct sim_machine *m, const struct sim_record *records, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const struct sim_record *r = &records[i];
        if (r->pid >= m->processes)
            return SIM_ERR_CONFIG;
        struct process *p = &m->process[r->pid];
        if (r->pid != m->current_pid) { /* another process: its CPU may switch to it */
            m->current_pid = r->pid;
            if (r->pid != m->running[p->cpu])
                context_switch(m, r->pid);
        }
        int status = SIM_OK;
        if (m->config.translation != SIM_PAGING) {
            segments_access(m, p, r->addr, r->size, r->kind);
        } else {
            uint64_t vpn;
            unsigned pages = record_pages(m, r, &vpn);
            uint64_t next_page = (vpn + 1) << m->page_shift;
            uint32_t first = pages == 2 ? (uint32_t)(next_page - r->addr) : r->size;
            status = page_access(m, p, r->addr, first, r->kind);
            if (!status && pages == 2)
                status = page_access(m, p, next_page, r->size - first, r->kind);
        }
        if (status)
            return status;
    }
    return SIM_OK;
}

static void stats_add(struct sim_stats *sum, const struct sim_stats *s)
{
    sum->references += s->references;
    sum->tlb_hits += s->tlb_hits;
    sum->tlb_misses += s->tlb_misses;
    sum->page_faults += s->page_faults;
    sum->protection_faults += s->protection_faults;
    sum->swap_reads += s->swap_reads;
    sum->zero_fills += s->zero_fills;
    sum->swap_writes += s->swap_writes;
    sum->minor_faults += s->minor_faults;
    sum->file_reads += s->file_reads;
    sum->file_writes += s->file_writes;
    sum->evictions += s->evictions;
    sum->walk_accesses += s->walk_accesses;
    sum->context_switches += s->context_switches;
    sum->page_table_bytes += s->page_table_bytes;
    sum->cache_ns += s->cache_ns;
}

/* The textbook effective access time, summed instead of averaged: every
 * reference pays the TLB lookup (when there is a TLB) and one memory access,
 * each miss its walk's memory reads, each fault its service (a minor one,
 * which only maps a page already resident, nothing), and each dirty
 * victim its write to swap or to its file.  With caches, the reference and
 * the walk's reads cost what the caches and memory behind them took. */
static double stats_time(const struct sim_config *c, const struct sim_stats *s)
{
    double accesses = c->cache_count ? s->cache_ns
                                     : (double)(s->references + s->walk_accesses) *
                                           c->cost_memory_ns;
    return accesses + (double)(s->tlb_hits + s->tlb_misses) * c->cost_tlb_ns +
           (double)(s->page_faults - s->minor_faults) * c->cost_fault_ns +
           (double)(s->swap_writes + s->file_writes) * c->cost_swap_write_ns;
}

void sim_machine_stats(const struct sim_machine *m, int pid, struct sim_stats *out)
{
    *out = (struct sim_stats){0};
    for (unsigned i = 0; i < m->processes; i++) {
        if (pid >= 0 && (unsigned)pid != i)
            continue;
        struct sim_stats s = m->process[i].stats;
        s.page_table_bytes = m->process[i].page_table.bytes;
        stats_add(out, &s);
    }
    out->time_ns = stats_time(&m->config, out);
}

double sim_stats_eat(const struct sim_stats *stats)
{
    return stats->references ? stats->time_ns / (double)stats->references : 0.0;
}
