/* hole_text.c - holes and merges as the reports write them, for the
 * reports and for the policies that tell their own story.  It calls
 * nothing of the heap's, so that a policy can use it. */
#include <inttypes.h>

#include "policy.h"

void freespace_print_hole(FILE *out, struct freespace_hole hole)
{
    fprintf(out, "[%" PRIu64 ", %" PRIu64 "]", hole.addr, hole.size);
}

void freespace_print_some_holes(FILE *out, const struct freespace_hole *holes, size_t count,
                                size_t shown)
{
    for (size_t i = 0; i < count && i < shown; i++) {
        fputc(' ', out);
        freespace_print_hole(out, holes[i]);
    }
    if (count > shown)
        fprintf(out, " (and %zu more)", count - shown);
}

void freespace_explain_merges(FILE *out, const struct freespace_result *r)
{
    for (size_t i = 0; i < r->merges && i < FREESPACE_MERGES_KEPT; i++) {
        struct freespace_hole into = r->merged[i].into, absorbed = r->merged[i].absorbed;
        fprintf(out, "  coalesced: ");
        freespace_print_hole(out, into);
        fprintf(out, " + ");
        freespace_print_hole(out, absorbed);
        fprintf(out, " = ");
        freespace_print_hole(out, (struct freespace_hole){into.addr, into.size + absorbed.size});
        fputc('\n', out);
    }
    if (r->merges > FREESPACE_MERGES_KEPT)
        fprintf(out, "  (and %zu more merges)\n", r->merges - FREESPACE_MERGES_KEPT);
}
