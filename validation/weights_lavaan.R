# Reference numbers for tests/test_weighting_sem.py: lavaan 0.6.14 sampling.weights.
# Run: Rscript validation/weights_lavaan.R
# Holzinger-Swineford (the packaged CSV) with the made-up weight w = 0.5 + ((13 id) mod 7) / 3.
suppressMessages(library(lavaan))
options(digits = 15, width = 200)
root <- if (file.exists("src")) "." else ".."
HS <- read.csv(file.path(root, "src/servqual/datasets/data/holzinger_swineford.csv"))
HS$w <- 0.5 + ((13 * HS$id) %% 7) / 3
model <- "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"
fit <- cfa(model, data = HS, sampling.weights = "w")
o <- lavInspect(fit, "options")
cat("lavaan", as.character(packageVersion("lavaan")), "se", o$se, "information", o$information,
    "observed.information", o$observed.information, "test", o$test, "\n")
pe <- parameterEstimates(fit)
print(pe[, c("lhs", "op", "rhs", "est", "se")], digits = 15)
cat("chisq", fitMeasures(fit, c("chisq", "chisq.scaled", "df")), "\n")
fmt <- function(x) paste(sprintf("%.10f", x), collapse = ", ")
show <- function(call, ...) {
  f <- cfa(model, data = HS, sampling.weights = "w", ...)
  p <- parameterEstimates(f)
  free <- p$se > 0
  cat(call, "\n")
  cat("label:", paste(paste0(p$lhs, p$op, p$rhs)[free], collapse = ", "), "\n")
  cat("est:", fmt(p$est[free]), "\n")
  cat("se:", fmt(p$se[free]), "\n")
  cat("chisq:", sprintf("%.10f", fitMeasures(f, "chisq")), "\n")
}
show("default: cfa(model, data = HS, sampling.weights = 'w')")
show("expected: cfa(model, data = HS, sampling.weights = 'w', information = 'expected')",
     information = "expected")
show("meanstructure: cfa(model, data = HS, sampling.weights = 'w', meanstructure = TRUE)",
     meanstructure = TRUE)
show("multigroup: cfa(model, data = HS, sampling.weights = 'w', group = 'school')",
     group = "school")

# estimator = "MLR" with sampling weights (tests/test_weighting_sem.py): robust.huber.white
# SEs and the Yuan-Bentler (yuan.bentler.mplus) scaled test.
f <- cfa(model, data = HS, sampling.weights = "w", estimator = "MLR")
o <- lavInspect(f, "options")
cat("MLR: cfa(model, data = HS, sampling.weights = 'w', estimator = 'MLR'); se", o$se,
    "test", paste(o$test, collapse = ","), "information", paste(o$information, collapse = ","), "\n")
p <- parameterEstimates(f)
free <- p$se > 0
cat("est:", fmt(p$est[free]), "\n")
cat("se:", fmt(p$se[free]), "\n")
fm <- fitMeasures(f, c("chisq", "df", "chisq.scaled", "chisq.scaling.factor", "baseline.chisq.scaled",
                       "cfi.scaled", "tli.scaled", "rmsea.scaled", "cfi.robust", "tli.robust",
                       "rmsea.robust"))
cat(paste(names(fm), sprintf("%.10f", fm), sep = "=", collapse = "\n"), "\n")
# FIML with sampling weights (missing = "ml"): lavaan fits it; servqual refuses (typed error).
