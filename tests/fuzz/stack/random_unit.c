/* guest/net/random.c as it is, and its pool back to boot between inputs
 * (the secret RFC 6528's hash keeps is drawn once per process, from the
 * same state each time). */
#include "../../../guest/net/random.c"

void fuzz_random_reset(void)
{
    memset(pool, 0, sizeof pool);
    draws = 0;
}
