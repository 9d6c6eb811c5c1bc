/* An interrupt line: a device drives a level, the controller listens. */
#ifndef HOST_CORE_IRQ_H
#define HOST_CORE_IRQ_H

struct irq_line {
    void (*set)(void *opaque, int n, int level);
    void *opaque;
    int n;
};

static inline void irq_set(const struct irq_line *l, int level)
{
    if (l->set)
        l->set(l->opaque, l->n, level);
}

/* An edge: raise then lower, as the PIT's output does once per period. */
static inline void irq_pulse(const struct irq_line *l)
{
    irq_set(l, 1);
    irq_set(l, 0);
}

#endif
