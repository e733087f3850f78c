/* explain_json.c - --explain with --json: the story of each reference as
 * one JSON object of the document's "steps" (docs/SIM.md), from the same
 * step the text is told from. */
#include <inttypes.h>

#include "json_text.h"
#include "machine.h"
#include "story.h"

static void paging_json(FILE *out, const struct sim_machine *m, const struct step *s)
{
    fprintf(out, ", \"page\": %" PRIu64 ", \"offset\": %" PRIu64, s->vpn,
            s->addr & (m->config.page_size - 1));
    if (s->vpn > m->max_vpn) {
        fprintf(out, ", \"beyond_address_space\": true");
        return;
    }
    if (m->image.size) {
        const struct image_walk *w = &s->image_walk;
        fprintf(out, ", \"image_walk\": [");
        for (unsigned i = 0; i < w->reads; i++)
            fprintf(out, "%s{\"index\": %" PRIu64 ", \"address\": %" PRIu64 ", \"entry\": %" PRIu64
                         ", \"valid\": %s, \"frame\": %" PRIu64 "}",
                    i ? ", " : "", w->entry[i].index, w->entry[i].addr, w->entry[i].raw,
                    w->entry[i].valid ? "true" : "false", w->entry[i].pfn);
        fputc(']', out);
        if (!s->protection_reason)
            fprintf(out, ", \"physical\": %" PRIu64, w->paddr);
        if (!s->protection_reason && w->has_value)
            fprintf(out, ", \"value\": %u", w->value);
        return;
    }
    if (m->tlbs[0].sets)
        fprintf(out, ", \"tlb\": \"%s\"", s->tlb_hit ? "hit" : "miss");
    if (s->walked) {
        const struct process *p = &m->process[s->pid];
        uint64_t indices[SIM_MAX_LEVELS];
        page_table_indices(&p->page_table, s->vpn, indices);
        fprintf(out, ", \"walk\": {\"indices\": [");
        for (unsigned level = 0; level < s->walk_reads; level++)
            fprintf(out, "%s%" PRIu64, level ? ", " : "", indices[level]);
        fprintf(out, "], \"reads\": %u, \"present\": %s}", s->walk_reads,
                s->was_present ? "true" : "false");
    }
    if (s->page_fault) {
        fprintf(out, ", \"page_fault\": {\"frame\": %" PRIu64 ", \"from_swap\": %s, \"victim\": ",
                s->frame, s->from_swap ? "true" : "false");
        if (s->victim_taken)
            fprintf(out, "{\"pid\": %u, \"page\": %" PRIu64 ", \"dirty\": %s}}", s->victim_pid,
                    s->victim_vpn, s->victim_dirty ? "true" : "false");
        else
            fprintf(out, "null}");
    }
    if (s->protection_reason)
        return;
    fprintf(out, ", \"entry\": {\"frame\": %" PRIu64 ", \"bits\": [", pte_frame(s->pte));
    const char *comma = "";
    for (size_t i = 0; i < PTE_NAMED_BITS; i++)
        if (s->pte & pte_bit_names[i].bit) {
            fprintf(out, "%s\"%s\"", comma, pte_bit_names[i].name);
            comma = ", ";
        }
    fprintf(out, "]}, \"physical\": %" PRIu64, s->paddr);
}

static void segment_json(FILE *out, const struct sim_machine *m, const struct step *s)
{
    if (m->config.translation == SIM_BASE_BOUNDS) {
        fprintf(out, ", \"bounds\": %" PRIu64, m->config.bounds);
    } else if (s->segment_found) {
        const struct sim_segment *seg = &m->config.segments[s->segment];
        fprintf(out, ", \"segment\": ");
        json_text(out, seg->name);
        fprintf(out, ", \"offset\": %" PRIu64,
                seg->grows_down ? seg->base - s->addr : s->addr - seg->base);
    }
    if (!s->protection_reason)
        fprintf(out, ", \"physical\": %" PRIu64, s->paddr);
}

void explain_step_json(const struct sim_machine *m, FILE *out, const struct step *s)
{
    fprintf(out, "    {\"reference\": %" PRIu64 ", \"pid\": %u, \"kind\": \"%s\", "
                 "\"address\": %" PRIu64,
            s->reference, s->pid, sim_kind_name(s->kind), s->addr);
    if (m->config.translation == SIM_PAGING)
        paging_json(out, m, s);
    else
        segment_json(out, m, s);
    if (s->caches[0]) {
        fprintf(out, ", \"caches\": ");
        json_text(out, s->caches);
    }
    if (s->protection_reason) {
        fprintf(out, ", \"protection_fault\": ");
        json_text(out, s->protection_reason);
        if (s->protection_segment >= 0 && m->config.translation == SIM_PAGING) {
            fprintf(out, ", \"segment\": ");
            json_text(out, m->config.segments[s->protection_segment].name);
        }
    }
    fputc('}', out);
}

void explain_switch_json(FILE *out, unsigned pid, bool flushed)
{
    fprintf(out, "    {\"context_switch\": %u, \"tlb_flushed\": %s}", pid,
            flushed ? "true" : "false");
}
