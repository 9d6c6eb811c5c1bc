/* The kernel ELF, included whole at build time (efi.mk passes its path
 * as KERNEL_ELF and makes this object depend on it). */
#include "loader.h"

#ifndef KERNEL_ELF
#error "KERNEL_ELF: the kernel image to carry (set by guest/efi/efi.mk)"
#endif

__asm__(".section .rodata.kernel_elf, \"a\"\n"
        ".balign 4096\n"
        ".global kernel_elf, kernel_elf_end\n"
        ".hidden kernel_elf, kernel_elf_end\n"
        "kernel_elf:\n"
        ".incbin \"" KERNEL_ELF "\"\n"
        "kernel_elf_end:\n"
        ".previous\n");
