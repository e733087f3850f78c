/* static_program.c - a statically linked program, which LD_PRELOAD cannot
 * reach: `mmkit run` must warn about it, `mmkit trace --alloc` refuse it. */
#include <stdlib.h>

int main(void)
{
    free(malloc(100));
    return 0;
}
