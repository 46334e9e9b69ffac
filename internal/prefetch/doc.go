// Package prefetch asks the CPU to bring a cache line in ahead of its use, for the
// few places that know an address well before they read it and would otherwise wait
// for memory: the ingester's duplicate window (the index slot of the message after
// the one being handled) and the simulator's per-user state (the claimer's, while its
// event is encoded). An assembly function on amd64; elsewhere it does nothing.
package prefetch
