/*
 * maps_report.c - a process's regions as a table for a terminal, or as one
 * JSON document; with the samples taken over time when there are some.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json_text.h"
#include "maps.h"

void maps_format_bytes(char *out, size_t size, uint64_t bytes)
{
    static const char units[] = "KMGTPE";
    if (bytes < 1024) {
        snprintf(out, size, "%" PRIu64, bytes);
        return;
    }
    double value = (double)bytes / 1024;
    size_t unit = 0;
    while (value >= 1024 && unit + 1 < sizeof units - 1) {
        value /= 1024;
        unit++;
    }
    snprintf(out, size, value < 10 ? "%.1f%c" : "%.0f%c", value, units[unit]);
}

/* One character a cell: '#' every page resident, '+' some, 's' swapped
 * and none resident, '.' never touched (or given back). */
static void residency_strip(const struct maps_region *region, char out[MAPS_CELLS + 1])
{
    unsigned cells = region->paged ? region->cells : 0;
    for (unsigned i = 0; i < cells; i++) {
        uint64_t in_cell = maps_cell_pages(region, i);
        uint32_t present = region->cell_present[i], swapped = region->cell_swapped[i];
        out[i] = present && present >= in_cell ? '#' : present ? '+' : swapped ? 's' : '.';
    }
    out[cells] = '\0';
}

/* A role's column in the samples' table: as wide as its name. */
static int role_width(int role)
{
    int width = (int)strlen(maps_role_name((enum maps_role)role));
    return width > 8 ? width : 8;
}

static void print_samples_text(FILE *out, const struct maps_samples *samples)
{
    bool shown[ROLE_COUNT] = {false};
    for (size_t i = 0; i < samples->count; i++)
        for (int role = 0; role < ROLE_COUNT; role++)
            shown[role] |= samples->items[i].rss[role] > 0;
    fprintf(out, "\n%8s %8s %8s %9s %6s", "SECONDS", "RESIDENT", "SWAPPED", "MINFLT", "MAJFLT");
    for (int role = 0; role < ROLE_COUNT; role++)
        if (shown[role])
            fprintf(out, " %*s", role_width(role), maps_role_name((enum maps_role)role));
    fputc('\n', out);
    for (size_t i = 0; i < samples->count; i++) {
        const struct maps_sample *sample = &samples->items[i];
        uint64_t rss = 0, swap = 0;
        for (int role = 0; role < ROLE_COUNT; role++) {
            rss += sample->rss[role];
            swap += sample->swap[role];
        }
        char resident[16], swapped[16], bytes[16];
        maps_format_bytes(resident, sizeof resident, rss);
        maps_format_bytes(swapped, sizeof swapped, swap);
        fprintf(out, "%8.3f %8s %8s %9" PRIu64 " %6" PRIu64, sample->seconds, resident, swapped,
                sample->minor_faults, sample->major_faults);
        for (int role = 0; role < ROLE_COUNT; role++) {
            if (!shown[role])
                continue;
            maps_format_bytes(bytes, sizeof bytes, sample->rss[role]);
            fprintf(out, " %*s", role_width(role), bytes);
        }
        fputc('\n', out);
    }
}

/* The number after "key": in a JSON line; with `all`, the sum of every
 * one. */
static uint64_t json_number(const char *json, const char *key, bool all)
{
    char quoted[64];
    snprintf(quoted, sizeof quoted, "\"%s\":", key);
    uint64_t sum = 0;
    for (const char *at = strstr(json, quoted); at; at = all ? strstr(at, quoted) : NULL) {
        at += strlen(quoted);
        sum += strtoull(at, NULL, 10);
    }
    return sum;
}

/* libmmkit's regions as the kernel sees them, beside what the allocator
 * says it has mapped, committed and handed out. */
static void print_mmkit_beside(FILE *out, const struct maps_layout *layout, const char *stats)
{
    fprintf(out, "\nlibmmkit at exit:\n");
    for (int role = ROLE_MMKIT_SEGMENT; role <= ROLE_MMKIT_SECURE; role++) {
        uint64_t size = 0, rss = 0;
        size_t regions = 0;
        for (size_t i = 0; i < layout->count; i++)
            if ((int)layout->regions[i].role == role) {
                regions++;
                size += layout->regions[i].end - layout->regions[i].start;
                rss += layout->regions[i].rss;
            }
        if (!regions)
            continue;
        char mapped[16], resident[16];
        maps_format_bytes(mapped, sizeof mapped, size);
        maps_format_bytes(resident, sizeof resident, rss);
        fprintf(out, "  %-13s %3zu regions %7s mapped %7s resident\n",
                maps_role_name((enum maps_role)role), regions, mapped, resident);
    }
    if (!stats) {
        fprintf(out, "  (no statistics from libmmkit: the program did not run on it)\n");
        return;
    }
    static const char *const keys[] = {"mapped_bytes", "peak_mapped_bytes", "committed_bytes",
                                       "peak_committed_bytes", "returned_bytes"};
    fprintf(out, "  the allocator's statistics:");
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        char bytes[16];
        maps_format_bytes(bytes, sizeof bytes, json_number(stats, keys[k], false));
        fprintf(out, "%s %.*s %s", k ? "," : "", (int)(strlen(keys[k]) - 6), keys[k], bytes);
    }
    char live[16];
    maps_format_bytes(live, sizeof live, json_number(stats, "live_bytes", true));
    fprintf(out, ", in live blocks %s; %" PRIu64 " mmap calls\n", live,
            json_number(stats, "mmap_calls", false));
}

void maps_print_text(FILE *out, const struct maps_layout *layout,
                     const struct maps_samples *samples, const char *mmkit_stats)
{
    uint64_t size = 0, rss = 0, swap = 0;
    for (size_t i = 0; i < layout->count; i++) {
        size += layout->regions[i].end - layout->regions[i].start;
        rss += layout->regions[i].rss;
        swap += layout->regions[i].swap;
    }
    char mapped[16], resident[16], swapped[16];
    maps_format_bytes(mapped, sizeof mapped, size);
    maps_format_bytes(resident, sizeof resident, rss);
    maps_format_bytes(swapped, sizeof swapped, swap);
    fprintf(out, "process %d: %zu regions, %s mapped, %s resident, %s swapped\n",
            (int)layout->pid, layout->count, mapped, resident, swapped);
    fprintf(out, "%-13s %-25s %6s %4s %6s %6s %6s %6s %6s %6s  %-*s %s\n", "ROLE",
            "ADDRESS RANGE", "SIZE", "PERM", "RSS", "PSS", "DIRTY", "SWAP", "LOCKED", "HUGE",
            MAPS_CELLS, layout->paged ? "PAGES (# resident . untouched)" : "PAGES (no pagemap)",
            "NAME");
    for (size_t i = 0; i < layout->count; i++) {
        const struct maps_region *r = &layout->regions[i];
        char range[40], cells[6][16], strip[MAPS_CELLS + 1];
        snprintf(range, sizeof range, "%012" PRIx64 "-%012" PRIx64, r->start, r->end);
        const uint64_t values[6] = {r->end - r->start, r->rss, r->pss, r->dirty, r->swap,
                                    r->locked};
        for (int k = 0; k < 6; k++)
            maps_format_bytes(cells[k], sizeof cells[k], values[k]);
        char huge[16];
        maps_format_bytes(huge, sizeof huge, r->huge);
        residency_strip(r, strip);
        fprintf(out, "%-13s %-25s %6s %4s %6s %6s %6s %6s %6s %6s  %-*s %s\n",
                maps_role_name(r->role), range, cells[0], r->perms, cells[1], cells[2], cells[3],
                cells[4], cells[5], huge, MAPS_CELLS, strip, r->path);
    }
    if (mmkit_stats)
        print_mmkit_beside(out, layout, mmkit_stats[0] ? mmkit_stats : NULL);
    if (samples && samples->count)
        print_samples_text(out, samples);
}

static void print_role_bytes(FILE *out, const uint64_t *bytes)
{
    const char *separator = "";
    fputc('{', out);
    for (int role = 0; role < ROLE_COUNT; role++) {
        if (!bytes[role])
            continue;
        fprintf(out, "%s\"%s\": %" PRIu64, separator, maps_role_name((enum maps_role)role),
                bytes[role]);
        separator = ", ";
    }
    fputc('}', out);
}

void maps_print_json(FILE *out, const struct maps_layout *layout,
                     const struct maps_samples *samples, const char *mmkit_stats)
{
    fprintf(out, "{\n  \"pid\": %d,\n  \"page_size\": %ld,\n  \"residency\": %s,\n"
                 "  \"mmkit_names\": \"%s\",\n  \"regions\": [",
            (int)layout->pid, sysconf(_SC_PAGESIZE), layout->paged ? "true" : "false",
            layout->mmkit_names ? layout->mmkit_names : "none");
    for (size_t i = 0; i < layout->count; i++) {
        const struct maps_region *r = &layout->regions[i];
        char strip[MAPS_CELLS + 1];
        residency_strip(r, strip);
        fprintf(out, "%s\n    {\"role\": \"%s\", \"start\": \"0x%" PRIx64 "\", \"end\": \"0x%" PRIx64
                     "\", \"size\": %" PRIu64 ", \"perms\": \"%s\", \"path\": ",
                i ? "," : "", maps_role_name(r->role), r->start, r->end, r->end - r->start,
                r->perms);
        json_text(out, r->path);
        fprintf(out, ", \"rss\": %" PRIu64 ", \"pss\": %" PRIu64 ", \"dirty\": %" PRIu64
                     ", \"swap\": %" PRIu64 ", \"locked\": %" PRIu64 ", \"huge\": %" PRIu64,
                r->rss, r->pss, r->dirty, r->swap, r->locked, r->huge);
        if (r->paged)
            fprintf(out, ", \"resident_pages\": %" PRIu64 ", \"swapped_pages\": %" PRIu64
                         ", \"pages_per_cell\": %" PRIu64 ", \"cells\": \"%s\"",
                    r->present_pages, r->swapped_pages, r->pages_per_cell, strip);
        fputc('}', out);
    }
    fprintf(out, "\n  ],\n  \"samples\": [");
    for (size_t i = 0; samples && i < samples->count; i++) {
        const struct maps_sample *sample = &samples->items[i];
        fprintf(out, "%s\n    {\"seconds\": %.3f, \"minor_faults\": %" PRIu64
                     ", \"major_faults\": %" PRIu64 ", \"rss\": ",
                i ? "," : "", sample->seconds, sample->minor_faults, sample->major_faults);
        print_role_bytes(out, sample->rss);
        fprintf(out, ", \"swap\": ");
        print_role_bytes(out, sample->swap);
        fputc('}', out);
    }
    fprintf(out, "%s]", samples && samples->count ? "\n  " : "");
    if (mmkit_stats && mmkit_stats[0])
        fprintf(out, ",\n  \"mmkit_stats\": %s", mmkit_stats);
    fprintf(out, "\n}\n");
}
