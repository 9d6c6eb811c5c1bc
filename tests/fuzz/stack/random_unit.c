/* guest/net/random.c's pool back to boot between inputs (the secret
 * RFC 6528's hash keeps is drawn once per process, from the same state
 * each time). */
#include <string.h>
#include "../../../guest/net/net_internal.h"
#include "stack.h"

void fuzz_random_reset(void)
{
    memset(random_pool, 0, sizeof random_pool);
    random_draws = 0;
}
