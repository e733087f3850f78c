/* policy_state.c - the shared state of the replacement policies. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "policy_state.h"

void *policy_state_create(const struct policy_env *env)
{
    struct policy_state *state = calloc(1, sizeof *state);
    if (!state)
        return NULL;
    state->frames = env->frames;
    state->random_state = env->seed | 1;
    state->tau = env->tau;
    state->value = calloc(env->frame_count ? env->frame_count : 1, sizeof(uint64_t));
    if (frame_ring_init(&state->ring, env->capacity) ||
        frame_set_init(&state->set, env->capacity, env->frame_count) || !state->value) {
        policy_state_destroy(state);
        return NULL;
    }
    return state;
}

void policy_state_destroy(void *opaque)
{
    struct policy_state *state = opaque;
    if (!state)
        return;
    frame_ring_free(&state->ring);
    frame_set_free(&state->set);
    free(state->value);
    free(state);
}

void policy_state_ring_loaded(void *opaque, uint32_t frame, uint64_t now, uint64_t next_use)
{
    struct policy_state *state = opaque;
    frame_ring_insert(&state->ring, frame);
    state->value[frame] = now;
}

void policy_state_set_loaded(void *opaque, uint32_t frame, uint64_t now, uint64_t next_use)
{
    struct policy_state *state = opaque;
    frame_set_add(&state->set, frame);
    state->value[frame] = now;
}

uint32_t policy_state_take_extreme(struct policy_state *state, bool largest)
{
    uint32_t best = state->set.members[0];
    for (uint64_t i = 1; i < state->set.count; i++) {
        uint32_t frame = state->set.members[i];
        if (largest ? state->value[frame] > state->value[best]
                    : state->value[frame] < state->value[best])
            best = frame;
    }
    frame_set_remove(&state->set, best);
    return best;
}

/* Append to text as snprintf would, never past size. */
static void append(char *text, size_t size, size_t *used, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static void append(char *text, size_t size, size_t *used, const char *format, ...)
{
    if (*used >= size)
        return;
    va_list args;
    va_start(args, format);
    int n = vsnprintf(text + *used, size - *used, format, args);
    va_end(args);
    *used += n > 0 ? (size_t)n : 0;
}

/* A page as explain names it: 0x7, or 1:0x7 for process 1's. */
static void append_page(char *text, size_t size, size_t *used, const struct frame *frame)
{
    if (frame->pid)
        append(text, size, used, "%u:", frame->pid);
    append(text, size, used, "0x%" PRIx64, frame->vpn);
}

void policy_state_ring_candidates(const struct policy_state *state, const char *heading,
                                  char *text, size_t size)
{
    size_t used = 0;
    append(text, size, &used, "%s:", heading);
    const struct frame_ring *ring = &state->ring;
    for (uint64_t i = 0, slot = ring->hand; i < ring->count; i++) {
        const struct frame *frame = &state->frames[ring->slots[slot]];
        append(text, size, &used, i ? ", " : " ");
        append_page(text, size, &used, frame);
        if (frame_referenced(frame) || frame_dirty(frame))
            append(text, size, &used, " %s%s", frame_referenced(frame) ? "R" : "",
                   frame_dirty(frame) ? (frame_referenced(frame) ? " D" : "D") : "");
        slot = slot + 1 == ring->count ? 0 : slot + 1;
    }
}

void policy_state_value_candidates(const struct policy_state *state, const char *heading,
                                   bool hex, char *text, size_t size)
{
    size_t used = 0;
    append(text, size, &used, "%s:", heading);
    for (uint64_t i = 0; i < state->set.count; i++) {
        uint32_t frame = state->set.members[i];
        append(text, size, &used, i ? ", " : " ");
        append_page(text, size, &used, &state->frames[frame]);
        if (state->value[frame] == NEVER)
            append(text, size, &used, " never");
        else
            append(text, size, &used, hex ? " 0x%" PRIx64 : " at %" PRIu64, state->value[frame]);
    }
}
