/* report_caches.c - what each cache saw, and its share of the effective
 * access time: a level's lookups times its latency, over the references;
 * memory's share is the rest of the time the accesses took. */
#include <inttypes.h>

#include "json_text.h"
#include "machine.h"
#include "report_caches.h"

static const char *const replacement_names[] = {"lru", "fifo", "random", "plru"};
static const char *const protocol_names[] = {"mesi", "moesi", "msi"};

static double ratio(uint64_t part, uint64_t whole)
{
    return whole ? (double)part / (double)whole : 0.0;
}

/* Nanoseconds the caches' levels took altogether. */
static double levels_ns(const struct sim_machine *m)
{
    double sum = 0;
    for (unsigned i = 0; i < m->caches.count; i++)
        sum += cache_stats(&m->caches.level[i]).time_ns;
    return sum;
}

void report_caches_text(FILE *out, const struct sim_machine *m, const struct sim_stats *s)
{
    if (!m->caches.count)
        return;
    double eat = sim_stats_eat(s), per_reference = s->references ? 1.0 / (double)s->references : 0;
    fprintf(out, "caches (ns of the %.1f ns effective access each adds)\n", eat);
    for (unsigned i = 0; i < m->caches.count; i++) {
        const struct cache *c = &m->caches.level[i];
        const struct sim_cache_config *k = &c->config;
        struct sim_cache_stats stats = cache_stats(c), *st = &stats;
        fprintf(out, "  %-9s %6" PRIu64 "K %2u-way %3uB %-6s %s: %12" PRIu64 " accesses %12" PRIu64
                     " misses (%6.2f%%) %10" PRIu64 " write-backs",
                st->name, k->size >> 10, k->ways, k->line, replacement_names[k->replacement],
                k->write_through ? "wt" : "wb", st->accesses, st->misses,
                100 * ratio(st->misses, st->accesses), st->write_backs);
        if (st->inclusion_victims)
            fprintf(out, " %" PRIu64 " inclusion victims", st->inclusion_victims);
        fprintf(out, "  %.2f ns\n", st->time_ns * per_reference);
    }
    fprintf(out, "  memory %50" PRIu64 " accesses (fills and write-backs)  %.2f ns\n",
            m->caches.memory_accesses, (s->cache_ns - levels_ns(m)) * per_reference);
    const struct sim_coherence_stats *c = &m->caches.coherence;
    if (m->caches.cpus > 1)
        fprintf(out, "coherence (%s, %u CPUs): %" PRIu64 " invalidations, %" PRIu64
                     " interventions, %" PRIu64 " cache-to-cache transfers, %" PRIu64
                     " upgrades\n",
                protocol_names[m->caches.protocol], m->caches.cpus, c->invalidations,
                c->interventions, c->transfers, c->upgrades);
}

void report_caches_json(FILE *out, const struct sim_machine *m, const struct sim_stats *s)
{
    if (!m->caches.count)
        return;
    double per_reference = s->references ? 1.0 / (double)s->references : 0;
    fprintf(out, ",\n  \"caches\": [");
    for (unsigned i = 0; i < m->caches.count; i++) {
        const struct cache *c = &m->caches.level[i];
        const struct sim_cache_config *k = &c->config;
        struct sim_cache_stats stats = cache_stats(c), *st = &stats;
        fprintf(out, "%s\n    {\"name\": ", i ? "," : "");
        json_text(out, k->name);
        fprintf(out, ", \"cpu\": %d, \"size\": %" PRIu64 ", \"ways\": %u, \"line\": %u, "
                     "\"replacement\": \"%s\", \"write_through\": %s, \"write_allocate\": %s, \"inclusive\": %s, "
                     "\"accesses\": %" PRIu64 ", \"hits\": %" PRIu64 ", \"misses\": %" PRIu64
                     ", \"miss_ratio\": %.6f, \"write_backs\": %" PRIu64
                     ", \"writes_through\": %" PRIu64 ", \"inclusion_victims\": %" PRIu64
                     ", \"effective_access_share_ns\": %.4f}",
                st->cpu, k->size, k->ways, k->line, replacement_names[k->replacement],
                k->write_through ? "true" : "false", k->no_write_allocate ? "false" : "true",
                k->inclusive ? "true" : "false", st->accesses, st->hits, st->misses,
                ratio(st->misses, st->accesses), st->write_backs, st->writes_through,
                st->inclusion_victims, st->time_ns * per_reference);
    }
    fprintf(out, "\n  ],\n  \"memory_accesses\": %" PRIu64 ",\n  \"memory_share_ns\": %.4f",
            m->caches.memory_accesses, (s->cache_ns - levels_ns(m)) * per_reference);
    const struct sim_coherence_stats *c = &m->caches.coherence;
    fprintf(out, ",\n  \"cpus\": %u,\n  \"coherence\": {\"protocol\": \"%s\", "
                 "\"invalidations\": %" PRIu64 ", \"interventions\": %" PRIu64
                 ", \"transfers\": %" PRIu64 ", \"upgrades\": %" PRIu64 "}",
            m->caches.cpus, protocol_names[m->caches.protocol], c->invalidations,
            c->interventions, c->transfers, c->upgrades);
}
