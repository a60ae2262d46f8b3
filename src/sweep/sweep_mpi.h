/* MPI executor of xferlaw sweep (compiled into the CLI when built with MPI). */
#ifndef XFERLAW_SWEEP_MPI_H
#define XFERLAW_SWEEP_MPI_H

#include "xferlaw/sweep.h"

/* True when started by mpirun with more than one rank (OpenMPI/PMIx environment). */
int xl_sweep_mpi_launched(void);
int xl_sweep_mpi_init(int *argc, char ***argv, int *rank, int *size);
void xl_sweep_mpi_finalize(void);
/* Rank 0 hands out runs to ranks 1..size-1 as they free up, respecting dependencies,
 * and alone appends to the results file; other ranks run what they are given. */
int xl_sweep_exec_mpi(const xl_sweep_plan *plan, const xl_sweep_opts *opts, int rank, int size,
                      xl_sweep_stats *stats, xl_error *err);

#endif
