// Counts heap allocations made by the process, so `dlspec bench` can show that a training step
// allocates nothing. Linked into the dlspec executable only.
#ifndef DLSPEC_ALLOC_COUNTER_H
#define DLSPEC_ALLOC_COUNTER_H
unsigned long long dl_allocation_count(void);
#endif
