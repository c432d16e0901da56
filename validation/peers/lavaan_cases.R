# Fit every peer case with lavaan and write the reference numbers as JSON.
# Usage: Rscript lavaan_cases.R spec.json out.json
# spec.json is written by run_peers.py (cases.py): name, data (CSV path), model,
# lavaan arguments. lavaan (GPL) is called, never copied.
suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
spec <- fromJSON(args[1], simplifyVector = FALSE)

FIT <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli",
         "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "srmr", "logl",
         "unrestricted.logl", "aic", "bic", "bic2", "chisq.scaled", "chisq.scaling.factor",
         "pvalue.scaled", "baseline.chisq.scaled", "cfi.scaled", "tli.scaled", "rmsea.scaled",
         "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled", "cfi.robust", "tli.robust",
         "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust", "chisq.shift")

read_case_data <- function(case) {
  d <- read.csv(case$csv)
  if (!is.null(case$na)) {
    for (col in names(case$na)) d[unlist(case$na[[col]]) + 1, col] <- NA
  }
  for (pr in case$products) {
    a <- pr[[1]]; b <- pr[[2]]
    d[[paste0(a, "_x_", b)]] <- as.numeric(scale(d[[a]]) * scale(d[[b]]))
  }
  d
}

out <- list()
for (case in spec$cases) {
  d <- read_case_data(case)
  a <- case$lavaan
  call <- list(model = case$model, data = d)
  for (k in names(a)) {
    v <- a[[k]]
    if (is.list(v) && k != "control") v <- unlist(v)
    call[[k]] <- v
  }
  if (isTRUE(call$ordered)) call$ordered <- TRUE
  fit <- do.call("sem", call)
  pe <- parameterEstimates(fit, standardized = TRUE, ci = FALSE)
  if (is.null(pe$group)) pe$group <- 1L
  if (is.null(pe$label)) pe$label <- ""
  fm <- fitMeasures(fit)
  fm <- fm[intersect(FIT, names(fm))]
  shown <- paste0("sem(model, data",
                  if (length(a)) paste0(", ", paste(names(a), "=",
                    sapply(names(a), function(k) paste(deparse(
                      if (is.list(a[[k]]) && k != "control") unlist(a[[k]]) else a[[k]]),
                      collapse = "")),
                    collapse = ", ")) else "", ")")
  out[[case$name]] <- list(
    call = shown,
    converged = lavInspect(fit, "converged"),
    params = list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, group = pe$group, label = pe$label,
                  est = pe$est, se = pe$se, std_lv = pe$std.lv, std_all = pe$std.all),
    fit = as.list(unclass(fm))
  )
}
meta <- list(lavaan = as.character(packageVersion("lavaan")),
             R = paste(R.version$major, R.version$minor, sep = "."))
writeLines(toJSON(list(meta = meta, cases = out), digits = NA, auto_unbox = TRUE,
                  na = "null", pretty = FALSE), args[2])
