/*
 * memcheck.c - valgrind's client requests for the checking layer (see
 * memcheck.h).  The requests are a few instructions that do nothing when
 * the program runs natively; still, the checking layer makes them only
 * when memcheck_init said the process runs under memcheck.
 */
#include <stdint.h>

#include "memcheck.h"

#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#else
/* Built without valgrind's headers: never under memcheck, no requests. */
#define RUNNING_ON_VALGRIND 0
#define VALGRIND_GET_VBITS(address, vbits, size) ((void)(address), (void)(vbits), 0u)
#define VALGRIND_MALLOCLIKE_BLOCK(address, size, redzone, zeroed) \
    ((void)(address), (void)(size), (void)(zeroed))
#define VALGRIND_FREELIKE_BLOCK(address, redzone) ((void)(address))
#define VALGRIND_MAKE_MEM_UNDEFINED(address, size) ((void)(address), (void)(size))
#define VALGRIND_MAKE_MEM_DEFINED(address, size) ((void)(address), (void)(size))
#define VALGRIND_MAKE_MEM_NOACCESS(address, size) ((void)(address), (void)(size))
#define VALGRIND_DISABLE_ERROR_REPORTING ((void)0)
#define VALGRIND_ENABLE_ERROR_REPORTING ((void)0)
#endif

bool memcheck_init(void)
{
    /* Other tools ignore memcheck's requests and answer 0. */
    char probe = 0, vbits;
    return RUNNING_ON_VALGRIND && VALGRIND_GET_VBITS(&probe, &vbits, 1) == 1;
}

void memcheck_span_reused(const void *start, size_t size)
{
    VALGRIND_MAKE_MEM_UNDEFINED(start, size);
}

void memcheck_block_taken(const void *start, size_t usable)
{
    VALGRIND_MAKE_MEM_UNDEFINED(start, usable);
}

void memcheck_block_allocated(const void *user, size_t size, bool zeroed, const void *start,
                              size_t usable)
{
    const uint8_t *end = (const uint8_t *)user + size;
    VALGRIND_MALLOCLIKE_BLOCK(user, size, 0, zeroed);
    VALGRIND_MAKE_MEM_NOACCESS(start, (size_t)((const uint8_t *)user - (const uint8_t *)start));
    VALGRIND_MAKE_MEM_NOACCESS(end, (size_t)((const uint8_t *)start + usable - end));
}

void memcheck_block_freed(const void *user)
{
    VALGRIND_FREELIKE_BLOCK(user, 0);
}

void memcheck_block_released(const void *start)
{
    VALGRIND_MAKE_MEM_UNDEFINED(start, sizeof(void *));
}

seal_header memcheck_header_read(const void *user)
{
    /* A header is inaccessible, and a pointer into a block finds user data
     * where a header would be: read it with errors off, then take the copy
     * as defined.  memcheck's view of the memory does not change. */
    VALGRIND_DISABLE_ERROR_REPORTING;
    seal_header copy = *seal_of(user);
    VALGRIND_ENABLE_ERROR_REPORTING;
    VALGRIND_MAKE_MEM_DEFINED(&copy, sizeof copy);
    return copy;
}

void memcheck_header_open(const void *user)
{
    VALGRIND_MAKE_MEM_UNDEFINED(seal_of(user), sizeof(seal_header));
}

void memcheck_header_close(const void *user)
{
    VALGRIND_MAKE_MEM_NOACCESS(seal_of(user), sizeof(seal_header));
}
