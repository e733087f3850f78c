/* events.h - what the machine announces as it translates a reference, to
 * the observers that tell it (story.c: --explain, --json's steps,
 * --steps) or count it (timeline.c).  The MMU and the kernel only
 * announce; a new output is a new observer, as a new policy is a new
 * policy file, and never touches them.  With no observer, nothing is
 * built or called. */
#ifndef MMKIT_SIM_EVENTS_H
#define MMKIT_SIM_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

struct sim_machine;
struct image_walk;

enum sim_event_kind {
    EVENT_REFERENCE,  /* a reference begins: reference, addr, vpn, pid, access */
    EVENT_TLB,        /* the TLB was looked up: hit */
    EVENT_WALK,       /* the page table was walked: reads, present */
    EVENT_VICTIM,     /* a page was chosen to leave: pid, vpn, dirty, and why */
    EVENT_FAULT_IN,   /* the kernel brought the page in: frame, from_swap */
    EVENT_PROTECTION, /* a protection fault: reason, segment (-1: none) */
    EVENT_IMAGE_WALK, /* the tables were walked in the memory image: walk */
    EVENT_SEGMENT,    /* segmentation chose a segment: segment (-1: none) */
    EVENT_CACHE,      /* the caches served an access: reads (the level that had it; the
                       * cache count: memory), walk_read (a page-table walk's), paddr */
    EVENT_DONE,       /* the reference is over: pte, frame and paddr if translated */
    EVENT_SWITCH,     /* a context switch: pid, flushed */
};

struct sim_event {
    enum sim_event_kind kind;
    uint64_t reference, addr, vpn;
    uint16_t pid;
    uint8_t access; /* enum sim_access_kind */
    bool hit, present, from_swap, dirty, flushed, walk_read;
    unsigned reads;
    uint64_t frame, pte, paddr;
    int segment;
    const char *reason;
    const char *candidates;     /* EVENT_VICTIM: the policy's view of the pages */
    const char *second_chances; /* and the pages whose reference bits it cleared */
    const struct image_walk *walk;
};

struct sim_observer {
    void (*event)(struct sim_machine *m, void *context, const struct sim_event *event);
    void *context;
    void (*release)(void *context); /* when the machine goes (NULL: nothing to free) */
};

#endif
