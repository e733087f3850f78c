/* kernel.c - the operating system's part: frame pools, page-fault service
 * (free frame, else the policy's victim; dirty victims go to swap; the page
 * comes from swap or a zeroed frame) and protection faults.
 *
 * A page fault is a valid page that is not resident; a protection fault is
 * an address no segment holds or an access its segment forbids.  Without
 * segments in the machine every page is valid, writable and executable. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "kernel.h"
#include "machine.h"

int kernel_init(struct sim_machine *m, struct sim_diag *diag)
{
    if (m->config.translation != SIM_PAGING)
        return SIM_OK;
    unsigned pools = m->config.local_allocation ? m->processes : 1;
    if (m->config.frames < pools)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "frames",
                        "%llu frames cannot be shared by %u processes",
                        (unsigned long long)m->config.frames, pools);
    m->pools = calloc(pools, sizeof *m->pools);
    if (!m->pools)
        return SIM_ERR_NOMEM;
    m->pool_count = pools;
    /* Local allocation: equal shares, the first processes taking the rest. */
    uint64_t first = 0;
    for (unsigned i = 0; i < pools; i++) {
        struct frame_pool *pool = &m->pools[i];
        pool->first = first;
        pool->count = m->config.frames / pools + (i < m->config.frames % pools);
        first += pool->count;
        struct policy_env env = {.frames = m->frames, .frame_count = m->config.frames,
                                 .capacity = pool->count, .seed = m->config.seed + i,
                                 .tau = m->config.tau};
        pool->policy_state = m->policy->create(&env);
        if (!pool->policy_state)
            return SIM_ERR_NOMEM;
    }
    for (unsigned pid = 0; pid < m->processes; pid++)
        m->process[pid].pool = &m->pools[m->config.local_allocation ? pid : 0];
    return SIM_OK;
}

void kernel_free(struct sim_machine *m)
{
    shared_pages_free(&m->shared);
    for (unsigned i = 0; i < m->pool_count; i++)
        m->policy->destroy(m->pools[i].policy_state);
    free(m->pools);
    m->pools = NULL;
}

static bool segment_holds(const struct sim_segment *s, uint64_t addr)
{
    return s->grows_down ? addr < s->base && addr >= s->base - s->limit
                         : addr >= s->base && addr - s->base < s->limit;
}

int kernel_segment_select(const struct sim_config *config, uint64_t addr, const char **violation)
{
    *violation = NULL;
    if (!config->segment_bits) { /* search by range */
        for (unsigned i = 0; i < config->segment_count; i++)
            if (segment_holds(&config->segments[i], addr))
                return (int)i;
        *violation = "no segment holds the address";
        return -1;
    }
    unsigned shift = config->address_bits - config->segment_bits;
    if (config->address_bits < 64 && addr >> config->address_bits) {
        *violation = "address beyond the virtual address space";
        return -1;
    }
    for (unsigned i = 0; i < config->segment_count; i++) {
        const struct sim_segment *s = &config->segments[i];
        uint64_t start = s->grows_down ? s->base - (1ull << shift) : s->base;
        if (start >> shift != addr >> shift)
            continue;
        if (!segment_holds(s, addr))
            *violation = "offset beyond the limit";
        return (int)i;
    }
    *violation = "no segment has these top bits";
    return -1;
}

void kernel_protection_fault(struct sim_machine *m, struct process *p, uint64_t addr,
                             unsigned kind, int segment, const char *reason)
{
    p->stats.protection_faults++;
    if (m->fault_count < SIM_FAULTS_KEPT)
        m->faults[m->fault_count] = (struct sim_protection_fault){
            .reference = m->now, .addr = addr, .pid = m->current_pid,
            .kind = (uint8_t)kind, .reason = reason, .segment = segment};
    m->fault_count++;
    if (machine_observed(m))
        machine_announce(m, &(struct sim_event){.kind = EVENT_PROTECTION, .reason = reason,
                                                .segment = segment});
}

const char *kernel_segment_forbids(const struct sim_segment *segment, unsigned kind)
{
    if ((kind == SIM_STORE || kind == SIM_MODIFY) && !(segment->prot & SIM_PROT_WRITE))
        return "write to a read-only segment";
    if (kind == SIM_INSTR && !(segment->prot & SIM_PROT_EXEC))
        return "instruction fetch from a no-execute segment";
    if ((kind == SIM_LOAD || kind == SIM_MODIFY) && !(segment->prot & SIM_PROT_READ))
        return "read from an unreadable segment";
    return NULL;
}

/* Why a victim: the policy's view of the pages it chose from, and the
 * pages whose reference bits it cleared on the way (a second chance). */
struct victim_why {
    char candidates[400];
    char second_chances[200];
};

/* The entry no longer maps a frame, and no TLB remembers it. */
static void unmap(struct sim_machine *m, uint64_t *pte, uint16_t pid, uint64_t vpn)
{
    *pte &= ~(PTE_PRESENT | PTE_ACCESSED | PTE_DIRTY | (PTE_FRAME_MASK << PTE_FRAME_SHIFT));
    /* Flushed on every switch, a TLB holds only its CPU's running process's
     * entries, all under address-space id 0. */
    unsigned cpu = m->process[pid].cpu;
    if (m->config.tlb_switch == SIM_TLB_ASID || pid == m->running[cpu])
        tlb_invalidate(&m->tlbs[cpu], m->process[pid].asid, vpn);
}

/* Take frame from its page: the page leaves (if dirty, to its file or to
 * swap; a clean file-backed page is dropped) and every process mapping it,
 * and every cached translation, forgets it.  why: what observers are told
 * of the choice (NULL when none listens). */
static void evict(struct sim_machine *m, struct process *faulting, uint64_t frame,
                  const struct victim_why *why)
{
    struct frame *victim = &m->frames[frame];
    bool dirty = frame_dirty(victim);
    struct shared_page *shared = victim->shared;
    faulting->stats.evictions++;
    if (dirty && shared && shared->file_backed) {
        faulting->stats.file_writes++;
    } else if (dirty) {
        faulting->stats.swap_writes++;
        if (shared)
            shared->in_swap = true;
        else
            *victim->pte |= PTE_IN_SWAP;
    }
    if (shared) {
        for (unsigned i = 0; i < shared->count; i++)
            unmap(m, shared->mapper[i].pte, shared->mapper[i].pid, shared->mapper[i].vpn);
        shared->resident = false;
        shared->count = 0;
    } else {
        unmap(m, victim->pte, victim->pid, victim->vpn);
    }
    if (why)
        machine_announce(m, &(struct sim_event){.kind = EVENT_VICTIM, .dirty = dirty,
                                                .pid = victim->pid, .vpn = victim->vpn,
                                                .candidates = why->candidates,
                                                .second_chances = why->second_chances});
}

/* The policy's victim, and why (for the observers): the pages it chose
 * from, and those whose reference bits it cleared. */
static uint64_t explained_victim(struct sim_machine *m, const struct frame_pool *pool,
                                 struct victim_why *why)
{
    why->candidates[0] = why->second_chances[0] = '\0';
    if (m->policy->candidates)
        m->policy->candidates(pool->policy_state, why->candidates, sizeof why->candidates);
    bool referenced[256]; /* a second chance is told in pools this small */
    bool told = pool->count <= sizeof referenced / sizeof referenced[0];
    for (uint64_t i = 0; told && i < pool->count; i++)
        referenced[i] = frame_referenced(&m->frames[pool->first + i]);
    uint64_t victim = m->policy->victim(pool->policy_state, m->now);
    size_t used = 0;
    for (uint64_t i = 0; told && i < pool->count; i++) {
        const struct frame *f = &m->frames[pool->first + i];
        if (pool->first + i == victim || !referenced[i] || frame_referenced(f) ||
            used >= sizeof why->second_chances)
            continue;
        int n = snprintf(why->second_chances + used, sizeof why->second_chances - used,
                         "%s0x%" PRIx64, used ? ", " : "", f->vpn);
        used += n > 0 ? (size_t)n : 0;
    }
    return victim;
}

/* The shared page that addr of a shared or file-backed segment is in:
 * its pages are the region's (or the file's) pages from the segment's
 * start.  NULL if out of memory. */
static struct shared_page *shared_page_of(struct sim_machine *m, int segment, uint64_t addr)
{
    const struct sim_config *c = &m->config;
    const struct sim_segment *s = &c->segments[segment];
    unsigned source = s->shared;
    if (!source) { /* a file: named by the first segment backed by it */
        unsigned first = 0;
        while (strcmp(c->segments[first].file, s->file))
            first++;
        source = 1u << 16 | first;
    }
    uint64_t start = s->grows_down ? s->base - s->limit : s->base;
    return shared_pages_find(&m->shared, shared_page_key(source, (addr - start) >> m->page_shift),
                             s->file[0] != 0);
}

int kernel_page_fault(struct sim_machine *m, struct process *p, uint64_t addr, uint64_t vpn,
                      unsigned kind, uint64_t **pte)
{
    uint64_t permissions = PTE_PRESENT | PTE_USER | PTE_WRITABLE;
    int segment = -1;
    if (m->config.segment_count) {
        const char *violation;
        segment = kernel_segment_select(&m->config, addr, &violation);
        if (!violation)
            violation = kernel_segment_forbids(&m->config.segments[segment], kind);
        if (violation) {
            kernel_protection_fault(m, p, addr, kind, segment, violation);
            return 1;
        }
        const struct sim_segment *s = &m->config.segments[segment];
        if (!(s->prot & SIM_PROT_WRITE))
            permissions &= ~PTE_WRITABLE;
        if (!(s->prot & SIM_PROT_EXEC))
            permissions |= PTE_NO_EXEC;
    }
    uint64_t *entry = page_table_make(&p->page_table, vpn);
    if (!entry)
        return SIM_ERR_NOMEM;
    p->stats.page_faults++;
    struct shared_page *shared = NULL;
    const struct sim_segment *s = segment >= 0 ? &m->config.segments[segment] : NULL;
    if (s && (s->shared || s->file[0])) {
        shared = shared_page_of(m, segment, addr);
        if (!shared || (shared->resident && !shared_page_map(shared, entry, vpn, m->current_pid)))
            return SIM_ERR_NOMEM;
        if (shared->resident) { /* another process brought it in: map its frame */
            p->stats.minor_faults++;
            *entry = permissions | (shared->frame << PTE_FRAME_SHIFT);
            *pte = entry;
            return SIM_OK;
        }
    }

    struct frame_pool *pool = p->pool;
    uint64_t frame;
    if (pool->used < pool->count) {
        frame = pool->first + pool->used++;
    } else if (machine_observed(m)) {
        struct victim_why why;
        frame = explained_victim(m, pool, &why);
        evict(m, p, frame, &why);
    } else {
        frame = m->policy->victim(pool->policy_state, m->now);
        evict(m, p, frame, NULL);
    }
    bool from_swap = shared ? shared->in_swap : *entry & PTE_IN_SWAP;
    if (from_swap)
        p->stats.swap_reads++;
    else if (shared && shared->file_backed)
        p->stats.file_reads++;
    else
        p->stats.zero_fills++;
    *entry = permissions | (*entry & PTE_IN_SWAP) | (frame << PTE_FRAME_SHIFT);
    m->frames[frame] = (struct frame){.pte = entry, .vpn = vpn, .pid = m->current_pid,
                                      .shared = shared};
    if (shared) {
        shared->resident = true;
        shared->frame = frame;
        if (!shared_page_map(shared, entry, vpn, m->current_pid))
            return SIM_ERR_NOMEM;
    }
    m->policy->loaded(pool->policy_state, (uint32_t)frame, m->now, machine_next_use(m));
    if (machine_observed(m))
        machine_announce(m, &(struct sim_event){.kind = EVENT_FAULT_IN, .frame = frame,
                                                .from_swap = from_swap});
    *pte = entry;
    return SIM_OK;
}
