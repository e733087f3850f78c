/* mrc_report.c - miss-ratio curves and working-set curves as a table, CSV
 * and JSON.  Estimated fault counts are rounded to whole faults; sizes
 * below a sampled curve's resolution get no figure ("-", an empty CSV
 * field, JSON null). */
#include <inttypes.h>

#include "mmkit/mrc.h"

#define KNEE_SHARE 0.9

/* The table, aligned or as CSV. */
static void table(FILE *out, const struct sim_mrc *curves, size_t count, const uint64_t *sizes,
                  size_t size_count, bool csv)
{
    if (csv)
        fputs("frames", out);
    else
        fprintf(out, "\n%10s", "frames");
    for (size_t c = 0; c < count; c++)
        if (csv)
            fprintf(out, ",%s faults,%s miss ratio", curves[c].name, curves[c].name);
        else
            fprintf(out, "  %22.22s", curves[c].name);
    if (!csv) {
        fprintf(out, "\n%10s", "");
        for (size_t c = 0; c < count; c++)
            fprintf(out, "  %12s %9s", "faults", "miss");
    }
    fputc('\n', out);
    for (size_t i = 0; i < size_count; i++) {
        fprintf(out, csv ? "%" PRIu64 : "%10" PRIu64, sizes[i]);
        for (size_t c = 0; c < count; c++)
            if (sizes[i] < sim_mrc_resolution(&curves[c]))
                fprintf(out, csv ? ",," : "  %12s %9s", "-", "-");
            else
                fprintf(out, csv ? ",%.0f,%.6f" : "  %12.0f %9.5f",
                        sim_mrc_faults(&curves[c], sizes[i]),
                        sim_mrc_miss_ratio(&curves[c], sizes[i]));
        fputc('\n', out);
    }
}

void sim_mrc_text(FILE *out, const struct sim_mrc *curves, size_t count, const uint64_t *sizes,
                  size_t size_count)
{
    for (size_t c = 0; c < count; c++) {
        uint64_t knee = sim_mrc_knee(&curves[c], KNEE_SHARE);
        uint64_t resolution = sim_mrc_resolution(&curves[c]);
        fprintf(out, "%s: %" PRIu64 " page references, footprint %" PRIu64
                     " pages; 90%% of the achievable hits at %" PRIu64 " frames%s\n",
                curves[c].name, curves[c].references, curves[c].footprint, knee,
                knee == resolution && resolution > 1 ? " or fewer" : "");
        if (resolution > 1)
            fprintf(out, "  (a page of the sample stands for %" PRIu64
                         " pages: smaller sizes are not estimated; the exact curve has them)\n",
                    resolution);
    }
    table(out, curves, count, sizes, size_count, false);
}

void sim_mrc_csv(FILE *out, const struct sim_mrc *curves, size_t count, const uint64_t *sizes,
                 size_t size_count)
{
    table(out, curves, count, sizes, size_count, true);
}

void sim_mrc_json(FILE *out, const struct sim_mrc *curves, size_t count, const uint64_t *sizes,
                  size_t size_count)
{
    fprintf(out, "{\n  \"curves\": [");
    for (size_t c = 0; c < count; c++) {
        const struct sim_mrc *curve = &curves[c];
        fprintf(out, "%s\n    {\"name\": \"%s\", \"references\": %" PRIu64 ", \"footprint\": %" PRIu64
                     ", \"sample_rate\": %.6g, \"resolution\": %" PRIu64 ", \"knee\": %" PRIu64
                     ", \"points\": [",
                c ? "," : "", curve->name, curve->references, curve->footprint,
                curve->sample_rate, sim_mrc_resolution(curve), sim_mrc_knee(curve, KNEE_SHARE));
        for (size_t i = 0; i < size_count; i++) {
            fprintf(out, "%s\n      {\"frames\": %" PRIu64 ", ", i ? "," : "", sizes[i]);
            if (sizes[i] < sim_mrc_resolution(curve))
                fputs("\"faults\": null, \"miss_ratio\": null}", out);
            else
                fprintf(out, "\"faults\": %.0f, \"miss_ratio\": %.6f}",
                        sim_mrc_faults(curve, sizes[i]), sim_mrc_miss_ratio(curve, sizes[i]));
        }
        fprintf(out, "\n    ]}");
    }
    fprintf(out, "\n  ]\n}\n");
}

static double fault_rate(const struct sim_working_set *ws, size_t i)
{
    return ws->references ? (double)ws->faults[i] / (double)ws->references : 0;
}

void sim_working_set_text(FILE *out, const struct sim_working_set *ws)
{
    fprintf(out, "working set over %" PRIu64 " page references\n\n%12s %12s %12s %10s\n",
            ws->references, "tau", "mean size", "faults", "rate");
    for (size_t i = 0; i < ws->count; i++)
        fprintf(out, "%12" PRIu64 " %12.2f %12" PRIu64 " %10.5f\n", ws->tau[i], ws->mean_size[i],
                ws->faults[i], fault_rate(ws, i));
}

void sim_working_set_csv(FILE *out, const struct sim_working_set *ws)
{
    fprintf(out, "tau,mean size,faults,fault rate\n");
    for (size_t i = 0; i < ws->count; i++)
        fprintf(out, "%" PRIu64 ",%.4f,%" PRIu64 ",%.6f\n", ws->tau[i], ws->mean_size[i],
                ws->faults[i], fault_rate(ws, i));
}

void sim_working_set_json(FILE *out, const struct sim_working_set *ws)
{
    fprintf(out, "{\n  \"references\": %" PRIu64 ",\n  \"windows\": [", ws->references);
    for (size_t i = 0; i < ws->count; i++)
        fprintf(out, "%s\n    {\"tau\": %" PRIu64 ", \"mean_size\": %.4f, \"faults\": %" PRIu64
                     ", \"fault_rate\": %.6f}",
                i ? "," : "", ws->tau[i], ws->mean_size[i], ws->faults[i], fault_rate(ws, i));
    fprintf(out, "\n  ]\n}\n");
}
