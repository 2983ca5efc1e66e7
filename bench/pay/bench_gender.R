# The work of `analyse gender` in R, for bench/pay/run.sh:
#   Rscript bench_gender.R FILE.csv [survey]
# Reads the employee CSV, computes hourly pay, the Eurostat and median gaps
# overall and by job, sector and age band (svyby on an equal-probability
# design when "survey" is given, else plain tapply), the OLS of log hourly
# pay with HC1 robust SEs (lm + sandwich), and the pooled Oaxaca-Blinder
# explained part. Prints the timings of each step on stderr.
suppressMessages({ library(sandwich) })
args <- commandArgs(trailingOnly = TRUE)
use_survey <- length(args) > 1 && args[2] == "survey"
t0 <- proc.time()[["elapsed"]]
step <- function(what) {
  t <- proc.time()[["elapsed"]]
  message(sprintf("R %-28s %8.2f s", what, t - t0))
  t0 <<- t
}
d <- read.csv(args[1], colClasses = c(region = "character", employeur = "character"))
step("read.csv")
d$hourly <- d$salaire_brut / (d$heures * 52 / 12)
d$sexe <- factor(d$sexe, levels = c("h", "f"))
for (v in c("metier", "secteur_employeur", "tranche_age", "region")) d[[v]] <- factor(d[[v]])
gap <- function(x, s) { m <- tapply(x, s, mean); 1 - m[["f"]] / m[["h"]] }
mgap <- function(x, s) { m <- tapply(x, s, function(v) quantile(v, 0.5, type = 1)); 1 - m[["f"]] / m[["h"]] }
if (use_survey) {
  suppressMessages(library(survey))
  des <- svydesign(ids = ~1, data = d[, c("hourly", "sexe", "metier", "secteur_employeur", "tranche_age")])
  step("svydesign")
  g <- svyby(~hourly, ~sexe, des, svymean, covmat = TRUE)
  print(svycontrast(g, quote(1 - f / h)))
  for (v in c("metier", "secteur_employeur", "tranche_age")) {
    b <- svyby(~hourly, as.formula(paste("~", v, "+ sexe")), des, svymean)
    invisible(b)
  }
  step("svyby means (4 groupings)")
  for (s in c("h", "f")) print(svyquantile(~hourly, subset(des, sexe == s), 0.5, qrule = "math", ci = TRUE))
  step("svyquantile medians (overall)")
} else {
  print(gap(d$hourly, d$sexe)); print(mgap(d$hourly, d$sexe))
  for (v in c("metier", "secteur_employeur", "tranche_age")) {
    for (l in levels(d[[v]])) { k <- d[[v]] == l; gap(d$hourly[k], d$sexe[k]); mgap(d$hourly[k], d$sexe[k]) }
  }
  step("gaps (tapply)")
}
fit <- lm(log(hourly) ~ sexe + anciennete + heures + metier + secteur_employeur + tranche_age + region,
          data = d)
step("lm")
se <- sqrt(diag(vcovHC(fit, type = "HC1")))
step("vcovHC HC1")
print(c(coef(fit)[["sexef"]], se[["sexef"]]))
X <- model.matrix(fit); men <- d$sexe == "h"
b <- coef(fit); b["sexef"] <- 0
xa <- colMeans(X[men, ]); xb <- colMeans(X[!men, ]); xa["sexef"] <- 0; xb["sexef"] <- 0
print(sum((xa - xb) * b))
step("Oaxaca-Blinder")
