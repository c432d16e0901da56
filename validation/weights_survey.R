# Reference numbers for tests/test_weighting.py (respondent weights).
# R 4.2, survey 4.1.1, lavaan 0.6.14.  Run: Rscript validation/weights_survey.R
# The weights are made up: mobi w_i = 1 + ((37 i) mod 11) / 5, i = 1..250;
# Holzinger-Swineford w = 0.5 + ((13 id) mod 7) / 3.
suppressMessages({library(survey); library(lavaan)})
options(digits = 15)
root <- if (file.exists("src")) "." else ".."
mobi <- read.csv(file.path(root, "src/servqual/datasets/data/mobi.csv"))
mobi$w <- 1 + ((37 * seq_len(nrow(mobi))) %% 11) / 5
mobi$nps <- 100 * ((mobi$CUSL3 >= 9) - (mobi$CUSL3 <= 6))
mobi$top2 <- as.numeric(mobi$CUSA1 >= 9)
d <- svydesign(ids = ~1, weights = ~w, data = mobi)
cat("survey", as.character(packageVersion("survey")), "\n")
m <- svymean(~CUSA1 + CUSA2 + PERQ1, d)
cat("svymean(~CUSA1 + CUSA2 + PERQ1, d)\n"); print(coef(m)); print(SE(m))
m <- svymean(~nps, d)
cat("svymean(~nps, d)\n"); print(coef(m)); print(SE(m))
m <- svymean(~top2, d)
cat("svymean(~top2, d)\n"); print(coef(m)); print(SE(m))
p <- svyciprop(~top2, d, method = "logit")
cat("svyciprop(~top2, d, method = 'logit')\n"); print(as.numeric(p)); print(confint(p))
cat("deff\n"); print(svymean(~CUSA1, d, deff = "replace"))

# Reference numbers for tests/test_weighting_scores.py (gap profile and composite
# profile with respondent weights): servqual_sim rows 1..400, made-up weight
# w_i = 0.5 + ((29 i) mod 13) / 4; dimension composite = mean of its items.
sim <- read.csv(file.path(root, "src/servqual/datasets/data/servqual_sim.csv"))[1:400, ]
sim$w <- 0.5 + ((29 * seq_len(nrow(sim))) %% 13) / 4
dims <- list(tangibles = 1:4, reliability = 5:9, responsiveness = 10:13,
             assurance = 14:17, empathy = 18:22)
for (d in names(dims)) {
  sim[[paste0("P_", d)]] <- rowMeans(sim[, paste0("P", dims[[d]])])
  sim[[paste0("E_", d)]] <- rowMeans(sim[, paste0("E", dims[[d]])])
  sim[[paste0("gap_", d)]] <- sim[[paste0("P_", d)]] - sim[[paste0("E_", d)]]
}
ds <- svydesign(ids = ~1, weights = ~w, data = sim)
for (k in c("P", "E", "gap")) {
  f <- as.formula(paste("~", paste(paste0(k, "_", names(dims)), collapse = " + ")))
  m <- svymean(f, ds)
  cat(sprintf("svymean(~%s_<dimension>, svydesign(ids = ~1, weights = ~w))\n", k))
  cat("mean:", sprintf("%.12f", coef(m)), "\n")
  cat("se:", sprintf("%.12f", SE(m)), "\n")
}
