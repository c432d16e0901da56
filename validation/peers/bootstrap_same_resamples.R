# lavaan refits on resamples drawn by servqual: the reference for
# validation/peers/bootstrap_same_resamples.py (which writes the inputs and reads
# the output) and for tests/test_sem_peers.py::test_bootstrap_replicates_equal_lavaan_refits.
# Run through the Python script; by hand:
#   Rscript validation/peers/bootstrap_same_resamples.R data.csv model.txt idx.csv out.csv
# (R 4.2, lavaan 0.6.14 from Debian).  idx.csv: one resample per line, 1-based row
# numbers.  out.csv: per resample, lavaan's converged flag, its iterations and every
# free parameter estimate in parTable order, sem(model, data[idx, ]) at the defaults.
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
m <- paste(readLines(args[2]), collapse = "\n")
idx <- as.matrix(read.csv(args[3], header = FALSE))
fit0 <- sem(m, d)
free <- parTable(fit0)$free > 0
out <- matrix(NA_real_, nrow(idx), 2 + sum(free))
for (b in seq_len(nrow(idx))) {
  f <- tryCatch(suppressWarnings(sem(m, d[idx[b, ], ])), error = function(e) NULL)
  if (is.null(f)) next
  out[b, ] <- c(as.numeric(lavInspect(f, "converged")), lavInspect(f, "iterations"),
                parTable(f)$est[free])
}
colnames(out) <- c("converged", "iterations",
                   with(parTable(fit0)[free, ], paste0(lhs, op, rhs)))
write.csv(out, args[4], row.names = FALSE)
cat("lavaan", as.character(packageVersion("lavaan")), "\n")
