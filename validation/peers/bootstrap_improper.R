# lavaan's count of bootstrap replicates with nonadmissible (improper) solutions,
# the reference for tests/test_sem_improper_replicates.py.
# Run: Rscript validation/peers/bootstrap_improper.R   (R 4.2, lavaan 0.6.14 from Debian)
# Prints, per case: the lavaan warnings (failed runs, nonadmissible runs) and the
# elapsed seconds.  The resamples are R's, so servqual's counts agree only within
# binomial sampling error.
suppressPackageStartupMessages(library(lavaan))
m <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
run <- function(label, ...) {
  set.seed(1)
  t <- system.time(withCallingHandlers(cfa(m, se = "bootstrap", bootstrap = 1000, ...),
    warning = function(w) {
      cat(label, "|", conditionMessage(w), "\n")
      invokeRestart("muffleWarning")
    }))
  cat(label, "| elapsed", t[["elapsed"]], "s\n")
}
hs <- HolzingerSwineford1939
run("Grant-White", data = hs[hs$school == "Grant-White", ])
run("Pasteur", data = hs[hs$school == "Pasteur", ])
run("both schools, group = school", data = hs, group = "school")
cat("lavaan", as.character(packageVersion("lavaan")), "\n")
