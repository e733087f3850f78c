/* report.c - the summary of a run, as text for people and JSON for
 * scripts.  One table of counters serves both, so they cannot disagree. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>

#include "json_text.h"
#include "machine.h"
#include "report_caches.h"
#include "timeline.h"

struct counter {
    const char *label; /* text */
    const char *key;   /* JSON */
    size_t offset;     /* of a uint64_t in struct sim_stats */
};

static const struct counter counters[] = {
    {"references", "references", offsetof(struct sim_stats, references)},
    {"TLB hits", "tlb_hits", offsetof(struct sim_stats, tlb_hits)},
    {"TLB misses", "tlb_misses", offsetof(struct sim_stats, tlb_misses)},
    {"page faults", "page_faults", offsetof(struct sim_stats, page_faults)},
    {"  from swap", "swap_reads", offsetof(struct sim_stats, swap_reads)},
    {"  zero-filled", "zero_fills", offsetof(struct sim_stats, zero_fills)},
    {"  from a file", "file_reads", offsetof(struct sim_stats, file_reads)},
    {"  minor (shared)", "minor_faults", offsetof(struct sim_stats, minor_faults)},
    {"protection faults", "protection_faults", offsetof(struct sim_stats, protection_faults)},
    {"evictions", "evictions", offsetof(struct sim_stats, evictions)},
    {"swap writes", "swap_writes", offsetof(struct sim_stats, swap_writes)},
    {"file writes", "file_writes", offsetof(struct sim_stats, file_writes)},
    {"page-walk reads", "walk_accesses", offsetof(struct sim_stats, walk_accesses)},
    {"context switches", "context_switches", offsetof(struct sim_stats, context_switches)},
    {"page-table bytes", "page_table_bytes", offsetof(struct sim_stats, page_table_bytes)},
};

#define COUNTER_COUNT (sizeof counters / sizeof counters[0])

static uint64_t counter_value(const struct sim_stats *s, const struct counter *c)
{
    return *(const uint64_t *)((const char *)s + c->offset);
}

static const char *const translation_names[] = {"paging", "segmentation", "base-and-bounds"};

static void describe_machine(FILE *out, const struct sim_config *c, unsigned processes)
{
    fprintf(out, "machine: %s, %u-bit virtual addresses", translation_names[c->translation],
            c->address_bits);
    if (c->translation == SIM_PAGING) {
        fprintf(out, ", %" PRIu64 "-byte pages, %u-level page table (", c->page_size, c->levels);
        for (unsigned level = 0; level < c->levels; level++)
            fprintf(out, "%s%u", level ? "+" : "", c->level_bits[level]);
        fprintf(out, " bits), %" PRIu64 " frames", c->frames);
        if (c->memory_image[0])
            fprintf(out, ", tables in the memory image from frame 0x%" PRIx64 " (pdbr), walked "
                         "on every reference: no TLB", c->pdbr);
        else if (c->tlb_entries)
            fprintf(out, ", TLB %u entries %u-way %s, %s on switch", c->tlb_entries, c->tlb_ways,
                    c->tlb_policy, c->tlb_switch == SIM_TLB_ASID ? "ASIDs" : "flush");
        else
            fprintf(out, ", no TLB");
        fprintf(out, ", policy %s (%s)", c->policy, c->local_allocation ? "local" : "global");
    }
    if (c->segment_count && c->translation != SIM_BASE_BOUNDS)
        fprintf(out, ", %u segment%s chosen by %s", c->segment_count,
                c->segment_count == 1 ? "" : "s", c->segment_bits ? "the top bits" : "range");
    if (c->segment_bits && c->translation != SIM_BASE_BOUNDS)
        fprintf(out, " (%u)", c->segment_bits);
    fprintf(out, ", %u process%s\n", processes, processes == 1 ? "" : "es");
}

static void text_block(FILE *out, const char *title, const struct sim_stats *s, bool paging)
{
    fprintf(out, "%s\n", title);
    for (size_t i = 0; i < COUNTER_COUNT; i++) {
        uint64_t value = counter_value(s, &counters[i]);
        bool paging_only = counters[i].offset != offsetof(struct sim_stats, references) &&
                           counters[i].offset != offsetof(struct sim_stats, protection_faults) &&
                           counters[i].offset != offsetof(struct sim_stats, context_switches);
        if (paging_only && !paging)
            continue;
        fprintf(out, "  %-20s %14" PRIu64, counters[i].label, value);
        if (counters[i].offset == offsetof(struct sim_stats, tlb_hits) && value)
            fprintf(out, "  (%.2f%% of lookups)",
                    100.0 * (double)value / (double)(s->tlb_hits + s->tlb_misses));
        if (counters[i].offset == offsetof(struct sim_stats, page_faults) && s->references)
            fprintf(out, "  (%.4f%% of references)",
                    100.0 * (double)value / (double)s->references);
        fputc('\n', out);
    }
    fprintf(out, "  %-20s %14.1f ns\n", "effective access", sim_stats_eat(s));
}

void sim_report_text(FILE *out, const struct sim_machine *m)
{
    describe_machine(out, &m->config, m->processes);
    bool paging = m->config.translation == SIM_PAGING;
    struct sim_stats s;
    for (unsigned pid = 0; m->processes > 1 && pid < m->processes; pid++) {
        char title[32];
        snprintf(title, sizeof title, "process %u", pid);
        sim_machine_stats(m, (int)pid, &s);
        text_block(out, title, &s, paging);
    }
    sim_machine_stats(m, -1, &s);
    text_block(out, "total", &s, paging);
    report_caches_text(out, m, &s);
    for (size_t i = 0; i < m->fault_count && i < SIM_FAULTS_KEPT; i++) {
        const struct sim_protection_fault *f = &m->faults[i];
        fprintf(out, "protection fault: reference %" PRIu64 ", process %u, %s at 0x%" PRIx64
                     ": ", f->reference, f->pid, sim_kind_name(f->kind), f->addr);
        if (f->segment >= 0)
            fprintf(out, "segment %s: ", m->config.segments[f->segment].name);
        fprintf(out, "%s\n", f->reason);
    }
    if (m->fault_count > SIM_FAULTS_KEPT)
        fprintf(out, "(%zu more protection faults)\n", m->fault_count - SIM_FAULTS_KEPT);
}

static void json_fields(FILE *out, const struct sim_stats *s, const char *indent)
{
    for (size_t i = 0; i < COUNTER_COUNT; i++)
        fprintf(out, "%s\"%s\": %" PRIu64 ",\n", indent, counters[i].key,
                counter_value(s, &counters[i]));
    fprintf(out, "%s\"effective_access_ns\": %.3f", indent, sim_stats_eat(s));
}

static void csv_row(FILE *out, const char *name, const struct sim_stats *s)
{
    fprintf(out, "%s", name);
    for (size_t i = 0; i < COUNTER_COUNT; i++)
        fprintf(out, ",%" PRIu64, counter_value(s, &counters[i]));
    fprintf(out, ",%.3f\n", sim_stats_eat(s));
}

void sim_report_csv(FILE *out, const struct sim_machine *m)
{
    fprintf(out, "process");
    for (size_t i = 0; i < COUNTER_COUNT; i++)
        fprintf(out, ",%s", counters[i].key);
    fprintf(out, ",effective_access_ns\n");
    struct sim_stats s;
    for (unsigned pid = 0; pid < m->processes; pid++) {
        char name[16];
        snprintf(name, sizeof name, "%u", pid);
        sim_machine_stats(m, (int)pid, &s);
        csv_row(out, name, &s);
    }
    sim_machine_stats(m, -1, &s);
    csv_row(out, "total", &s);
}

/* The document's members, without its closing brace. */
static void json_members(FILE *out, const struct sim_machine *m)
{
    const struct sim_config *c = &m->config;
    struct sim_stats s;
    sim_machine_stats(m, -1, &s);
    fprintf(out, "{\n  \"translation\": \"%s\",\n  \"page_size\": %" PRIu64 ",\n"
                 "  \"frames\": %" PRIu64 ",\n  \"policy\": \"%s\",\n  \"processes\": %u,\n",
            translation_names[c->translation], c->page_size, c->frames, c->policy, m->processes);
    json_fields(out, &s, "  ");
    fprintf(out, ",\n  \"per_process\": [");
    for (unsigned pid = 0; pid < m->processes; pid++) {
        sim_machine_stats(m, (int)pid, &s);
        fprintf(out, "%s\n    {\n      \"pid\": %u,\n", pid ? "," : "", pid);
        json_fields(out, &s, "      ");
        fprintf(out, "\n    }");
    }
    fprintf(out, "\n  ]");
    sim_machine_stats(m, -1, &s);
    report_caches_json(out, m, &s);
    fprintf(out, ",\n  \"protection_fault_list\": [");
    for (size_t i = 0; i < m->fault_count && i < SIM_FAULTS_KEPT; i++) {
        const struct sim_protection_fault *f = &m->faults[i];
        fprintf(out, "%s\n    {\"reference\": %" PRIu64 ", \"pid\": %u, \"kind\": \"%s\", "
                     "\"address\": %" PRIu64 ", \"reason\": \"%s\"",
                i ? "," : "", f->reference, f->pid, sim_kind_name(f->kind), f->addr, f->reason);
        if (f->segment >= 0) {
            fprintf(out, ", \"segment\": ");
            json_text(out, m->config.segments[f->segment].name);
        }
        fputc('}', out);
    }
    fprintf(out, "\n  ]");
}

void sim_report_json(FILE *out, const struct sim_machine *m)
{
    json_members(out, m);
    fprintf(out, "\n}\n");
}

void sim_report_json_steps(FILE *out, const struct sim_machine *m, FILE *steps)
{
    json_members(out, m);
    fprintf(out, ",\n  \"steps\": [\n");
    char buffer[8192];
    size_t got;
    rewind(steps);
    while ((got = fread(buffer, 1, sizeof buffer, steps)) > 0)
        fwrite(buffer, 1, got, out);
    fprintf(out, "\n  ]\n}\n");
}

void sim_report_svg(FILE *out, const struct sim_machine *m, const char *title)
{
    struct sim_stats s;
    sim_machine_stats(m, -1, &s);
    char heading[300];
    snprintf(heading, sizeof heading, "Faults over time: %s (%s, %llu frames)", title,
             m->config.policy, (unsigned long long)m->config.frames);
    timeline_svg(out, &m->timeline, m->now, &s, heading);
}
