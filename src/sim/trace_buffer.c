/* trace_buffer.c - a trace's read buffer, which the format readers
 * (trace_lackey.c, trace_binary.c) parse in place and refill from the
 * input as they consume it. */
#include <string.h>

#include "input.h"
#include "trace.h"

bool trace_refill(struct sim_trace *trace, struct sim_diag *diag)
{
    memmove(trace->buf, trace->buf + trace->pos, trace->len - trace->pos);
    trace->len -= trace->pos;
    trace->pos = 0;
    while (!trace->eof && trace->len < trace->cap) {
        ssize_t n = input_read(trace->in, trace->buf + trace->len, trace->cap - trace->len, diag);
        if (n < 0)
            return false;
        if (n == 0)
            trace->eof = true;
        trace->len += (size_t)n;
    }
    return true;
}
