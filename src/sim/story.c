/* story.c - the story of each reference: an observer that assembles the
 * machine's events (events.h) into a step and, when the reference is
 * over, hands it to the writers the run asked for: --explain
 * (explain.c), the JSON steps (explain_json.c), --steps. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "machine.h"
#include "story.h"

static void tell(const struct sim_machine *m, struct story *story)
{
    const struct step *s = &story->step;
    if (story->steps)
        explain_steps_line(m, story->steps, s);
    if (story->text)
        explain_text(m, story->text, s);
    if (story->json) {
        if (story->json_told++)
            fputs(",\n", story->json);
        explain_step_json(m, story->json, s);
    }
}

static void tell_switch(struct story *story, unsigned pid, bool flushed)
{
    if (story->text)
        fprintf(story->text, "-- context switch to process %u%s\n", pid,
                flushed ? " (TLB flushed)" : "");
    if (story->json) {
        if (story->json_told++)
            fputs(",\n", story->json);
        explain_switch_json(story->json, pid, flushed);
    }
}

/* Where an access found its line, added to the step's list: "the walk's
 * reads from L2, L1d; the access from L1d". */
static void note_cache(const struct sim_machine *m, struct step *s, const struct sim_event *e)
{
    const char *where = e->reads < m->caches.count    ? m->caches.level[e->reads].stats.name
                        : e->reads == m->caches.count ? "memory"
                                                      : "another CPU's cache";
    /* A walk's reads come first, the access last. */
    size_t used = strlen(s->caches);
    const char *lead = e->walk_read ? (used ? ", " : "the walk's reads from ")
                                    : (used ? "; the access from " : "the access from ");
    used += (size_t)snprintf(s->caches + used, sizeof s->caches - used, "%s%s", lead, where);
    const struct process *p = &m->process[s->pid];
    const struct cache *entry =
        s->kind == SIM_INSTR ? m->caches.instr[p->cpu] : m->caches.data[p->cpu];
    if (e->walk_read || !entry || used >= sizeof s->caches)
        return;
    uint64_t line = e->paddr >> entry->line_shift; /* where the access looked first */
    snprintf(s->caches + used, sizeof s->caches - used,
             " (set %" PRIu64 ", tag 0x%" PRIx64 " in %s)", line % entry->sets,
             line / entry->sets, entry->stats.name);
}

void story_event(struct sim_machine *m, void *context, const struct sim_event *e)
{
    struct story *story = context;
    struct step *s = &story->step;
    switch (e->kind) {
    case EVENT_REFERENCE:
        *s = (struct step){.reference = e->reference, .addr = e->addr, .vpn = e->vpn,
                           .pid = e->pid, .kind = e->access, .protection_segment = -1};
        break;
    case EVENT_TLB:
        s->tlb_hit = e->hit;
        break;
    case EVENT_WALK:
        s->walked = true;
        s->walk_reads = e->reads;
        s->was_present = e->present;
        break;
    case EVENT_VICTIM:
        s->victim_taken = true;
        s->victim_dirty = e->dirty;
        s->victim_pid = e->pid;
        s->victim_vpn = e->vpn;
        snprintf(s->candidates, sizeof s->candidates, "%s", e->candidates ? e->candidates : "");
        snprintf(s->second_chances, sizeof s->second_chances, "%s",
                 e->second_chances ? e->second_chances : "");
        break;
    case EVENT_FAULT_IN:
        s->page_fault = true;
        s->from_swap = e->from_swap;
        s->frame = e->frame;
        break;
    case EVENT_PROTECTION:
        s->protection_reason = e->reason;
        s->protection_segment = e->segment;
        break;
    case EVENT_IMAGE_WALK:
        s->image_walk = *e->walk;
        break;
    case EVENT_SEGMENT:
        s->segment_found = e->segment >= 0;
        s->segment = e->segment >= 0 ? (unsigned)e->segment : 0;
        break;
    case EVENT_CACHE:
        note_cache(m, s, e);
        break;
    case EVENT_DONE:
        if (e->present) { /* translated through an entry */
            s->pte = e->pte;
            s->frame = e->frame;
        }
        s->paddr = e->paddr;
        tell(m, story);
        break;
    case EVENT_SWITCH:
        tell_switch(story, e->pid, e->flushed);
        break;
    }
}
