/* explain.c - --explain: the story of one reference, step by step, in the
 * order the hardware and the kernel take those steps; and --steps, the
 * same as one line.  Both read the step story.c assembles from the
 * machine's events. */
#include <inttypes.h>

#include "machine.h"
#include "story.h"

static void explain_walk(const struct sim_machine *m, FILE *out, const struct process *p,
                         const struct step *s)
{
    uint64_t indices[SIM_MAX_LEVELS];
    page_table_indices(&p->page_table, s->vpn, indices);
    fprintf(out, "  walk:");
    for (unsigned level = 0; level < s->walk_reads; level++)
        fprintf(out, "%s L%u[0x%" PRIx64 "]", level ? " ->" : "", level + 1,
                indices[level]);
    if (s->walk_reads < p->page_table.levels)
        fprintf(out, " -> no table for level %u: not present\n", s->walk_reads + 1);
    else
        fprintf(out, " -> %s\n", s->was_present ? "present" : "not present");
}

static void explain_fault(const struct sim_machine *m, FILE *out, const struct step *s)
{
    if (s->victim_taken)
        fprintf(out,
                "  page fault: no free frame; the policy evicts process %u page 0x%" PRIx64
                " from frame %" PRIu64 "%s\n",
                s->victim_pid, s->victim_vpn, s->frame,
                s->victim_dirty ? " (dirty: written to swap)" : " (clean)");
    else
        fprintf(out, "  page fault: free frame %" PRIu64 "\n", s->frame);
    if (s->victim_taken && s->candidates[0])
        fprintf(out, "    %s, %s\n", m->config.policy, s->candidates);
    if (s->victim_taken && s->second_chances[0])
        fprintf(out, "    second chance (reference bit cleared): %s\n", s->second_chances);
    fprintf(out, "  page %s\n", s->from_swap ? "read from swap" : "zero-filled");
}

/* The entry's bits as the hardware sees them. */
static void explain_entry(const struct sim_machine *m, FILE *out, uint64_t pte)
{
    fprintf(out, "  entry: frame %" PRIu64 ",", pte_frame(pte));
    for (size_t i = 0; i < PTE_NAMED_BITS; i++)
        if (pte & pte_bit_names[i].bit)
            fprintf(out, " %s", pte_bit_names[i].name);
    fputc('\n', out);
    if (pte & PTE_IN_SWAP) /* the only bit that is the kernel's, not the hardware's */
        fprintf(out, "  in-swap: swap still holds a copy of the page, so evicting it "
                     "clean writes nothing\n");
}

/* Each entry the walk read from the memory image, then where it led. */
static void explain_image_walk(const struct sim_machine *m, FILE *out, const struct step *s)
{
    const struct image_walk *w = &s->image_walk;
    fprintf(out, "  walk from the table in frame 0x%" PRIx64 " (pdbr):\n", m->config.pdbr);
    for (unsigned i = 0; i < w->reads; i++) {
        const struct image_entry *e = &w->entry[i];
        fprintf(out, "    L%u[0x%" PRIx64 "] at 0x%" PRIx64 ": 0x%0*" PRIx64 " -> ", i + 1,
                e->index, e->addr, (int)m->config.entry_size * 2, e->raw);
        if (e->valid)
            fprintf(out, "valid, frame 0x%" PRIx64 "\n", e->pfn);
        else
            fprintf(out, "not valid\n");
    }
    if (s->protection_reason)
        return;
    fprintf(out, "  physical 0x%" PRIx64 " = frame 0x%" PRIx64 " * 0x%" PRIx64
                 " + offset 0x%" PRIx64,
            w->paddr, w->entry[w->reads - 1].pfn, m->config.page_size,
            s->addr & (m->config.page_size - 1));
    if (w->has_value)
        fprintf(out, ", holding 0x%02x", w->value);
    fputc('\n', out);
}

static void explain_paging(const struct sim_machine *m, FILE *out, const struct step *s)
{
    const struct process *p = &m->process[s->pid];
    fprintf(out, "  page 0x%" PRIx64 ", offset 0x%" PRIx64 "\n", s->vpn,
            s->addr & (m->config.page_size - 1));
    if (s->vpn > m->max_vpn) { /* refused before translation begins */
        fprintf(out, "  beyond the %u-bit address space (its last page is 0x%" PRIx64
                     "): no TLB lookup, no walk\n",
                m->config.address_bits, m->max_vpn);
        return;
    }
    if (m->image.size) {
        explain_image_walk(m, out, s);
        return;
    }
    if (m->tlbs[0].sets)
        fprintf(out, "  TLB %s\n", s->tlb_hit ? "hit" : "miss");
    if (s->walked)
        explain_walk(m, out, p, s);
    if (s->page_fault)
        explain_fault(m, out, s);
    if (s->protection_reason)
        return;
    explain_entry(m, out, s->pte);
    fprintf(out, "  physical 0x%" PRIx64 " = frame %" PRIu64 " * 0x%" PRIx64
                 " + offset 0x%" PRIx64 "\n",
            s->paddr, s->frame, m->config.page_size, s->addr & (m->config.page_size - 1));
}

static void explain_bounds(const struct sim_machine *m, FILE *out, const struct step *s)
{
    const struct sim_config *c = &m->config;
    fprintf(out, "  0x%" PRIx64 " %s bounds 0x%" PRIx64 "\n", s->addr,
            s->addr < c->bounds ? "<" : ">=", c->bounds);
    if (!s->protection_reason)
        fprintf(out, "  -> physical 0x%" PRIx64 " = base 0x%" PRIx64 " + 0x%" PRIx64 "\n",
                s->paddr, c->base, s->addr);
}

static void explain_segment(const struct sim_machine *m, FILE *out, const struct step *s)
{
    if (!s->segment_found)
        return;
    const struct sim_segment *seg = &m->config.segments[s->segment];
    bool down = seg->grows_down;
    uint64_t offset = down ? seg->base - s->addr : s->addr - seg->base;
    fprintf(out, "  segment %s", seg->name);
    if (m->config.segment_bits) /* the hardware's choice: the address's top bits */
        fprintf(out, " (top %u bits: %" PRIu64 ")", m->config.segment_bits,
                s->addr >> (m->config.address_bits - m->config.segment_bits));
    fprintf(out, ": %s 0x%" PRIx64 ", limit 0x%" PRIx64 ", offset %s0x%" PRIx64 "\n",
            down ? "top" : "base", seg->base, seg->limit, down ? "-" : "", offset);
    if (!s->protection_reason)
        fprintf(out, "  -> physical 0x%" PRIx64 " = 0x%" PRIx64 " %s 0x%" PRIx64 "\n",
                s->paddr, seg->physical, down ? "-" : "+", offset);
}

void explain_text(const struct sim_machine *m, FILE *out, const struct step *s)
{
    fprintf(out, "#%" PRIu64 " process %u %s 0x%" PRIx64 "\n", s->reference, s->pid,
            sim_kind_name(s->kind), s->addr);
    if (m->config.translation == SIM_PAGING)
        explain_paging(m, out, s);
    else if (m->config.translation == SIM_BASE_BOUNDS)
        explain_bounds(m, out, s);
    else
        explain_segment(m, out, s);
    if (s->caches[0])
        fprintf(out, "  caches: %s\n", s->caches);
    if (s->protection_reason) {
        fprintf(out, "  PROTECTION FAULT at 0x%" PRIx64 ": ", s->addr);
        if (s->protection_segment >= 0)
            fprintf(out, "segment %s: ", m->config.segments[s->protection_segment].name);
        fprintf(out, "%s\n", s->protection_reason);
    }
}

/* A page as --steps names it, in decimal as reference strings are: 7,
 * or 1:7 for process 1's. */
static void steps_page(FILE *out, uint16_t pid, uint64_t vpn)
{
    if (pid)
        fprintf(out, "%u:", pid);
    fprintf(out, "%" PRIu64, vpn);
}

void explain_steps_line(const struct sim_machine *m, FILE *out, const struct step *s)
{
    fprintf(out, "ref %" PRIu64, s->reference);
    if (m->config.translation != SIM_PAGING) {
        fprintf(out, ": 0x%" PRIx64, s->addr);
        if (s->protection_reason)
            fprintf(out, " PROTECTION FAULT (%s)\n", s->protection_reason);
        else
            fprintf(out, " -> 0x%" PRIx64 "\n", s->paddr);
        return;
    }
    fprintf(out, " (page ");
    steps_page(out, s->pid, s->vpn);
    fputc(')', out);
    if (s->protection_reason) {
        fprintf(out, ": PROTECTION FAULT (%s)\n", s->protection_reason);
        return;
    }
    fprintf(out, ": %s", s->page_fault ? "MISS" : "hit");
    if (s->victim_taken) {
        fprintf(out, ", evict ");
        steps_page(out, s->victim_pid, s->victim_vpn);
    }
    fprintf(out, ", frames [");
    for (uint64_t f = 0; f < m->config.frames; f++) {
        const struct frame *frame = &m->frames[f];
        fputs(f ? " " : "", out);
        if (frame->pte)
            steps_page(out, frame->pid, frame->vpn);
        else
            fputc('-', out);
    }
    fprintf(out, "]\n");
}
