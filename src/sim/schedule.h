/* schedule.h - several traces interleaved as a round-robin scheduler runs
 * processes: quantum records of one trace, then of the next. */
#ifndef MMKIT_SIM_SCHEDULE_H
#define MMKIT_SIM_SCHEDULE_H

#include "mmkit/sim.h"

struct stream;

struct schedule {
    struct stream *streams;
    size_t count;
    size_t current;    /* the stream running now */
    uint64_t used;     /* records it has run in this quantum */
    uint64_t quantum;
    unsigned processes; /* over all streams */
};

int schedule_open(struct schedule *s, const char *const *paths, size_t count,
                  const struct sim_trace_options *options, uint64_t quantum,
                  struct sim_diag *diag);
/* The next records in run order; *got is 0 when every trace has ended. */
int schedule_next(struct schedule *s, struct sim_record *out, size_t cap, size_t *got,
                  struct sim_diag *diag);
/* Whether schedule_words serves: one binary trace, read for every kind
 * of reference (its processes are counted from 0). */
bool schedule_has_words(const struct schedule *s);
/* The next words of that trace, in place (as sim_trace_read_words). */
int schedule_words(struct schedule *s, const unsigned char **words, size_t cap, size_t *got,
                   struct sim_diag *diag);
uint64_t schedule_skipped(const struct schedule *s);
void schedule_close(struct schedule *s);

#endif
