/* A first-fit heap with coalescing free blocks, 16-byte aligned. */
#ifndef GUEST_HEAP_H
#define GUEST_HEAP_H

#include <stddef.h>
#include <stdint.h>

void heap_init(uint64_t start, uint64_t end);
void *kmalloc(size_t n);
void *kzalloc(size_t n);
void kfree(void *p);
size_t heap_free_bytes(void);
size_t heap_largest_free(void);

#endif
