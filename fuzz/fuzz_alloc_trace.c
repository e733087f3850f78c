/* fuzz_alloc_trace.c - any bytes as an allocation trace, read to the end.
 * The reader must answer with records or an error naming the file, never
 * crash, read past its buffers or loop; each allocation's stack must have
 * between 1 and 256 frames, each of which can be named. */
#include "fuzz_input.h"
#include "mmkit/alloc_trace.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_input_file(data, size);
    char error[512];
    struct mmkit_alloc_trace *trace = mmkit_alloc_trace_open(path, error, sizeof error);
    if (!trace) {
        if (strncmp(error, path, strlen(path)) != 0)
            abort(); /* every error names the file */
        return 0;
    }
    struct mmkit_alloc_record record;
    int got;
    size_t records = 0;
    uint32_t newest = 0;
    while ((got = mmkit_alloc_trace_next(trace, &record)) == 1) {
        if (!strcmp(mmkit_alloc_op_name(record.op), "?"))
            abort(); /* only the five calls come out */
        records++;
        if (record.op == MMKIT_ALLOC_FREE && record.stack)
            abort(); /* frees have no stack */
        if (!record.stack)
            continue;
        uint64_t pcs[300];
        size_t n = mmkit_alloc_trace_stack(trace, record.stack, pcs, 300);
        if (n < 1 || n > 256 || mmkit_alloc_trace_stack(trace, record.stack + 1, pcs, 0) > 256)
            abort();
        if (record.stack <= newest)
            continue; /* named already */
        newest = record.stack;
        struct mmkit_alloc_frame frame;
        for (size_t i = 0; i < n && i < 8; i++)
            if (mmkit_alloc_trace_frame(trace, record.stack, i, &frame) < 0 || frame.pc != pcs[i] ||
                !frame.function || !frame.file || !frame.module)
                abort();
        if (mmkit_alloc_trace_frame(trace, record.stack, n, &frame) != -1)
            abort();
    }
    const char *message = mmkit_alloc_trace_error(trace);
    if ((got < 0) != (message[0] != '\0') || records > size)
        abort();
    if (got < 0 && strncmp(message, path, strlen(path)) != 0)
        abort();
    mmkit_alloc_trace_close(trace);
    return 0;
}
