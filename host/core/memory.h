/*
 * Memory regions and address spaces.
 *
 * A region is a named range with an ops table (device registers), host
 * RAM, or a container of other regions. Children of a container have a
 * base relative to it, a priority (higher wins where they overlap; among
 * equal priorities the one added last wins) and an enable flag, so PCI BAR
 * programming maps and unmaps a device by flipping one flag or base.
 *
 * Dispatch walks the tree exactly as `info mtree` prints it.
 */
#ifndef HOST_CORE_MEMORY_H
#define HOST_CORE_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct region_ops {
    /* size is 1, 2, 4 or 8; offset is relative to the region's start.
     * An access the region declares too wide is split into narrower ones. */
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
    unsigned max_access;   /* widest access the region takes; 0 means 8 */
};

enum region_kind { REGION_IO, REGION_RAM, REGION_CONTAINER, REGION_ALIAS };

#define REGION_QUEUES 2

struct region {
    const char *name;
    enum region_kind kind;
    uint64_t base;              /* in the parent */
    uint64_t size;
    int priority;
    bool enabled;
    const struct region_ops *ops;
    void *opaque;
    uint8_t *ram;               /* REGION_RAM: host memory */
    struct region *alias;       /* REGION_ALIAS: target */
    uint64_t alias_offset;
    struct region *parent;
    struct region *children;    /* sorted: highest priority first */
    struct region *next;        /* sibling */
    struct address_space *owner; /* set on a root: whom to tell of changes */
    /* Writes in each [off, off + len) have no effect the guest can see
     * before its next access of the region, so a CPU backend may queue
     * them until the next exit (core/coalesce.h); len 0: unused. */
    struct region_queue {
        uint64_t off, len;
    } queue[REGION_QUEUES];
};

struct address_space {
    const char *name;           /* "memory", "I/O" as `info mtree` names them */
    struct region *root;
    /* Called after the tree changed (map, unmap, move, enable). */
    void (*changed)(void *opaque, struct address_space *as);
    void *changed_opaque;
    /* Unassigned accesses are logged once per address and direction
     * (address << 1 | write); the table is small
     * and simply stops logging when full. */
    uint64_t logged[64];
    unsigned nlogged;
    unsigned long unassigned_reads, unassigned_writes;
};

void region_init_io(struct region *r, const char *name, uint64_t size,
                    const struct region_ops *ops, void *opaque);
void region_init_ram(struct region *r, const char *name, uint64_t size, uint8_t *host);
void region_init_container(struct region *r, const char *name, uint64_t size);
void region_init_alias(struct region *r, const char *name, struct region *target,
                       uint64_t offset, uint64_t size);

/* Add child to parent at base with priority; the child starts enabled. */
void region_add(struct region *parent, struct region *child, uint64_t base, int priority);
void region_del(struct region *child);
void region_set_enabled(struct region *r, bool enabled);
void region_set_base(struct region *r, uint64_t base);
/* Sets queued-write range idx (< REGION_QUEUES); one outside the region,
 * or len 0, clears it. */
void region_set_write_queue(struct region *r, unsigned idx, uint64_t off, uint64_t len);

void address_space_init(struct address_space *as, const char *name, struct region *root);

/* A resolved leaf: the region covering addr and the offset inside it. */
struct region *address_space_lookup(struct address_space *as, uint64_t addr,
                                    uint64_t *offset);

uint64_t as_read(struct address_space *as, uint64_t addr, unsigned size);
void as_write(struct address_space *as, uint64_t addr, uint64_t value, unsigned size);

/* An access of a length the CPU made but no bus has (a store the CPU
 * split at a page boundary into 1 + 3 bytes, a 16-byte SSE access), as
 * naturally aligned pieces of 1, 2, 4 or 8 bytes, in address order,
 * each at its own address: never widened. Lengths 1, 2, 4 and 8 go as
 * one access, aligned or not. */
void as_read_bytes(struct address_space *as, uint64_t addr, uint8_t *buf, size_t len);
void as_write_bytes(struct address_space *as, uint64_t addr, const uint8_t *buf, size_t len);

/* Copy to/from guest memory through RAM regions only; false when any byte
 * of the range is not RAM (the caller reports what it was doing). */
bool as_ram_read(struct address_space *as, uint64_t addr, void *buf, size_t len);
bool as_ram_write(struct address_space *as, uint64_t addr, const void *buf, size_t len);

/* Calls fn for each region of the tree in `info mtree` order. */
typedef void (*region_visit_fn)(void *opaque, const struct region *r,
                                uint64_t abs_base, int depth);
void region_walk(const struct region *root, region_visit_fn fn, void *opaque);

#endif
