/* Feature bits from CPUID (SDM Vol. 2, CPUID, Tables 3-8 to 3-20). */
#include <cpuid.h>
#include <string.h>
#include "need.h"

struct feature {
    uint32_t need;
    const char *name;
    uint32_t leaf, sub;
    int reg;            /* 0 eax .. 3 edx */
    int bit;
};

static const struct feature table[] = {
    { NEED_LZCNT, "lzcnt", 0x80000001, 0, 2, 5 },
    { NEED_POPCNT, "popcnt", 1, 0, 2, 23 },
    { NEED_BMI1, "bmi1", 7, 0, 1, 3 },
    { NEED_CX16, "cmpxchg16b", 1, 0, 2, 13 },
    { NEED_MOVBE, "movbe", 1, 0, 2, 22 },
    { NEED_BMI2, "bmi2", 7, 0, 1, 8 },
    { NEED_ADX, "adx", 7, 0, 1, 19 },
    { NEED_SSE2, "sse2", 1, 0, 3, 26 },
    { NEED_CLFSH, "clflush", 1, 0, 3, 19 },
    { NEED_INTEL, "GenuineIntel", 0, 0, 0, -1 },    /* the vendor: see from() */
};
#define NFEATURES (sizeof table / sizeof table[0])

static uint32_t from(void (*q)(void *, uint32_t, uint32_t, uint32_t[4]), void *arg)
{
    uint32_t max[4], maxext[4], have = 0;
    q(arg, 0, 0, max);
    char vendor[12];
    memcpy(vendor, &max[1], 4);
    memcpy(vendor + 4, &max[3], 4);
    memcpy(vendor + 8, &max[2], 4);
    if (!memcmp(vendor, "GenuineIntel", 12))
        have |= NEED_INTEL;
    q(arg, 0x80000000, 0, maxext);
    for (unsigned i = 0; i < NFEATURES; i++) {
        const struct feature *f = &table[i];
        uint32_t top = f->leaf >= 0x80000000 ? maxext[0] : max[0];
        if (f->leaf > top || f->bit < 0)
            continue;
        uint32_t out[4];
        q(arg, f->leaf, f->sub, out);
        if (out[f->reg] >> f->bit & 1)
            have |= f->need;
    }
    return have;
}

static void host_q(void *arg, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    __cpuid_count(leaf, sub, out[0], out[1], out[2], out[3]);
}

static void interp_q(void *arg, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    x86_cpuid(((struct rig *)arg)->c, leaf, sub, out);
}

uint32_t host_features(void)
{
    return from(host_q, NULL);
}

uint32_t interp_features(struct rig *r)
{
    rig_reset(r);
    return from(interp_q, r);
}

const char *feature_names(uint32_t need)
{
    static char buf[128];
    buf[0] = 0;
    for (unsigned i = 0; i < NFEATURES; i++)
        if (need & table[i].need) {
            if (buf[0])
                strcat(buf, " ");
            strcat(buf, table[i].name);
        }
    return buf;
}
