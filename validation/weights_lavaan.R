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
free <- pe$se > 0
cat("default: cfa(model, data = HS, sampling.weights = 'w')\n")
cat("label:", paste(paste0(pe$lhs, pe$op, pe$rhs)[free], collapse = ", "), "\n")
cat("est:", fmt(pe$est[free]), "\n")
cat("se:", fmt(pe$se[free]), "\n")
fit2 <- cfa(model, data = HS, sampling.weights = "w", information = "expected")
pe2 <- parameterEstimates(fit2)
cat("expected: cfa(model, data = HS, sampling.weights = 'w', information = 'expected')\n")
cat("se:", fmt(pe2$se[free]), "\n")
fit3 <- cfa(model, data = HS, sampling.weights = "w", meanstructure = TRUE)
pe3 <- parameterEstimates(fit3)
free3 <- pe3$se > 0
cat("meanstructure: cfa(model, data = HS, sampling.weights = 'w', meanstructure = TRUE)\n")
cat("label:", paste(paste0(pe3$lhs, pe3$op, pe3$rhs)[free3], collapse = ", "), "\n")
cat("est:", fmt(pe3$est[free3]), "\n")
cat("se:", fmt(pe3$se[free3]), "\n")
fit4 <- cfa(model, data = HS, sampling.weights = "w", group = "school")
pe4 <- parameterEstimates(fit4)
free4 <- pe4$se > 0
cat("multigroup: cfa(model, data = HS, sampling.weights = 'w', group = 'school')\n")
cat("est:", fmt(pe4$est[free4]), "\n")
cat("se:", fmt(pe4$se[free4]), "\n")
cat("chisq:", sprintf("%.10f", fitMeasures(fit4, "chisq")), "\n")
