/*
 * Writes the seed corpora (tests/fuzz/corpus/<target>/) and the
 * reproducers of findings (tests/fuzz/crashes/<target>/):
 *
 *   gen_corpus CORPUS_DIR CRASHES_DIR
 *
 * Seeds are small, structured inputs that reach each target's deep
 * states (a connection with data both ways, a TSO packet, a debugger
 * session) for libFuzzer to mutate from.
 */
#include <stdio.h>
#include <sys/stat.h>
#include "gen.h"

static void dirs(const char *base, const char *target, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", base, target);
    mkdir(base, 0755);
    mkdir(out, 0755);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s CORPUS_DIR CRASHES_DIR\n", argv[0]);
        return 2;
    }
    static const struct {
        const char *name;
        void (*gen)(const char *, const char *);
    } targets[] = {
        { "e1000", gen_e1000 }, { "pci", gen_pci }, { "gdb", gen_gdb },
        { "monitor", gen_monitor }, { "stack", gen_stack },
    };
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        char corpus[512], crashes[512];
        dirs(argv[1], targets[i].name, corpus, sizeof corpus);
        dirs(argv[2], targets[i].name, crashes, sizeof crashes);
        targets[i].gen(corpus, crashes);
    }
    return 0;
}
