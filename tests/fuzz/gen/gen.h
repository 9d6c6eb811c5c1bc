/* The seed generators, one file per target: each writes its corpus
 * files into dir, and the reproducers of what fuzzing found (which the
 * replay leaves out) into crashes. */
#ifndef TESTS_FUZZ_GEN_H
#define TESTS_FUZZ_GEN_H

void gen_e1000(const char *dir, const char *crashes);
void gen_pci(const char *dir, const char *crashes);
void gen_gdb(const char *dir, const char *crashes);
void gen_monitor(const char *dir, const char *crashes);
void gen_stack(const char *dir, const char *crashes);

#endif
