# Reference values for the pay statistics (tests/pay/test_pay_stats.c).
#
#   Rscript tests/r/pay_make_fixtures.R        (from the repository root)
#
# Input: tests/r/pay_employees.csv, 500 synthetic employees written by
#   gensample --survey remuneration --n 500 --seed 11
# Output: tests/r/pay_reference.csv (name,value with 17 significant digits).
#
# Made with R 4.2.2, survey 4.1-1 and sandwich 3.0-2 (Debian 12:
# r-cran-survey, r-cran-sandwich). Conventions checked here:
#  - hourly pay = gross monthly pay / (weekly hours x 52 / 12);
#  - design: equal weights, ids = ~1, no fpc (the pay survey has no frame);
#    domain means and medians as svyby(); medians with qrule "math" (type 1)
#    and interval.type "mean" (Woodruff), df = degf of the domain;
#  - the Eurostat gap 1 - mean_f / mean_h by svycontrast() (delta method) on
#    svyby(covmat = TRUE);
#  - OLS: lm(log(hourly) ~ sex + seniority + hours + job + sector + age + region)
#    with men, and each factor's first observed level in code-list order, as
#    references; HC1 and HC3 from sandwich::vcovHC();
#  - Oaxaca-Blinder twofold, men = A, women = B: reference coefficients of
#    the pooled model with the sex dummy (Jann 2008) and the men's model.
suppressMessages({
  library(survey)
  library(sandwich)
})
setwd(if (dir.exists("tests/r")) "tests/r" else ".")
d <- read.csv("pay_employees.csv", colClasses = c(region = "character",
              employeur = "character"))
codes <- list(
  metier = c("as", "ide", "es", "aes", "me", "ash", "tech", "adm", "cadre"),
  secteur_employeur = c("public", "prive_lucratif", "prive_non_lucratif"),
  tranche_age = c("moins30", "30a39", "40a49", "50plus"),
  region = c("11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94",
             "01", "02", "03", "04", "06"))
for (v in names(codes)) d[[v]] <- droplevels(factor(d[[v]], levels = codes[[v]]))
d$sexe <- factor(d$sexe, levels = c("h", "f"))
d$hourly <- d$salaire_brut / (d$heures * 52 / 12)

out <- list()
put <- function(name, value) out[[name]] <<- value

des <- svydesign(ids = ~1, data = d)

# domain means and medians of hourly pay, job x sector
m <- svyby(~hourly, ~metier + secteur_employeur, des, svymean, keep.var = TRUE)
for (i in seq_len(nrow(m))) {
  key <- paste(m$metier[i], m$secteur_employeur[i], sep = ";")
  put(paste0("mean;", key), m$hourly[i])
  put(paste0("mean_se;", key), m$se[i])
}
for (j in levels(d$metier)) for (s in levels(d$secteur_employeur)) {
  sub <- subset(des, metier == j & secteur_employeur == s)
  if (nrow(sub) < 2) next
  q <- svyquantile(~hourly, sub, 0.5, qrule = "math", interval.type = "mean", ci = TRUE)
  key <- paste(j, s, sep = ";")
  put(paste0("median;", key), coef(q)[1])
  put(paste0("median_low;", key), confint(q)[1, 1])
  put(paste0("median_high;", key), confint(q)[1, 2])
  x <- d$hourly[d$metier == j & d$secteur_employeur == s]
  for (p in c(0.1, 0.25, 0.75, 0.9))
    put(sprintf("q%02d;%s", round(100 * p), key), unname(quantile(x, p, type = 1)))
}

# Eurostat gap, whole sample and by job
g <- svyby(~hourly, ~sexe, des, svymean, covmat = TRUE)
gc <- svycontrast(g, quote(1 - f / h))
put("gap_mean;all", coef(gc)[1])
put("gap_mean_se;all", SE(gc)[1])
mf <- coef(svyquantile(~hourly, subset(des, sexe == "f"), 0.5, qrule = "math", ci = FALSE))[1]
mh <- coef(svyquantile(~hourly, subset(des, sexe == "h"), 0.5, qrule = "math", ci = FALSE))[1]
put("gap_median;all", 1 - mf / mh)
for (j in levels(d$metier)) {
  dj <- subset(des, metier == j)
  if (sum(d$metier == j & d$sexe == "h") < 3 || sum(d$metier == j & d$sexe == "f") < 3) next
  gj <- svyby(~hourly, ~sexe, dj, svymean, covmat = TRUE)
  cj <- svycontrast(gj, quote(1 - f / h))
  put(paste0("gap_mean;", j), coef(cj)[1])
  put(paste0("gap_mean_se;", j), SE(cj)[1])
}

# OLS with robust SEs
fit <- lm(log(hourly) ~ sexe + anciennete + heures + metier + secteur_employeur +
            tranche_age + region, data = d)
stopifnot(!any(is.na(coef(fit))))
hc1 <- sqrt(diag(vcovHC(fit, type = "HC1")))
hc3 <- sqrt(diag(vcovHC(fit, type = "HC3")))
hc0 <- sqrt(diag(vcovHC(fit, type = "HC0")))
cl <- sqrt(diag(vcov(fit)))
term <- function(n) {
  n <- sub("^sexef$", "sex=f", n)
  n <- sub("^\\(Intercept\\)$", "(intercept)", n)
  n <- sub("^anciennete$", "seniority", n)
  n <- sub("^heures$", "hours", n)
  n <- sub("^metier", "job=", n)
  n <- sub("^secteur_employeur", "employer_sector=", n)
  n <- sub("^tranche_age", "age_band=", n)
  n <- sub("^region", "region=", n)
  n
}
for (k in seq_along(coef(fit))) {
  t <- term(names(coef(fit))[k])
  put(paste0("coef;", t), coef(fit)[k])
  put(paste0("se_hc0;", t), hc0[k])
  put(paste0("se_hc1;", t), hc1[k])
  put(paste0("se_hc3;", t), hc3[k])
  put(paste0("se_classical;", t), cl[k])
}
put("r2", summary(fit)$r.squared)
put("n_model", nobs(fit))

# Oaxaca-Blinder, men (A) vs women (B)
X <- model.matrix(fit)
y <- log(d$hourly)
men <- d$sexe == "h"
xa <- colMeans(X[men, , drop = FALSE]); xa["sexef"] <- 0
xb <- colMeans(X[!men, , drop = FALSE]); xb["sexef"] <- 0
bstar <- coef(fit); bstar["sexef"] <- 0
gap <- mean(y[men]) - mean(y[!men])
put("oaxaca_gap", gap)
put("oaxaca_explained;pooled", sum((xa - xb) * bstar))
put("oaxaca_unexplained;pooled", gap - sum((xa - xb) * bstar))
fm <- lm(log(hourly) ~ anciennete + heures + metier + secteur_employeur + tranche_age + region,
         data = d, subset = sexe == "h")
if (!any(is.na(coef(fm)))) {
  bm <- coef(fm)
  xam <- xa[names(bm)]; xbm <- xb[names(bm)]
  put("oaxaca_explained;men", sum((xam - xbm) * bm))
  put("oaxaca_unexplained;men", gap - sum((xam - xbm) * bm))
} else {
  put("oaxaca_men_not_computable", 1)
}

# Oaxaca-Blinder standard errors, delta method as Jann (2008) gives them:
# the group means of the regressors and the coefficients independent, men
# and women independent samples; V = HC1 covariance of the coefficients,
# V(xbar_g) = cov(X_g) / n_g (sample covariance, n_g - 1 denominator).
#   V(gap) = var(y_A)/n_A + var(y_B)/n_B
#   V(E)   = d' V(b) d + b' (V(xbar_A) + V(xbar_B)) b,   d = xbar_A - xbar_B
#   pooled: U = -b_women exactly, V(U) = its HC1 variance
#   men:    V(U) = xbar_B' (V_A + V_B) xbar_B + (b_A - b_B)' V(xbar_B) (b_A - b_B)
na <- sum(men); nb <- sum(!men)
put("oaxaca_gap_se", sqrt(var(y[men]) / na + var(y[!men]) / nb))
vx <- function(cols) cov(X[men, cols, drop = FALSE]) / na + cov(X[!men, cols, drop = FALSE]) / nb
Vp <- vcovHC(fit, type = "HC1")
dd <- xa - xb
stopifnot(abs((gap - sum(dd * bstar)) + coef(fit)[["sexef"]]) < 1e-12)
put("oaxaca_explained_se;pooled",
    sqrt(drop(t(dd) %*% Vp %*% dd + t(bstar) %*% vx(names(bstar)) %*% bstar)))
put("oaxaca_unexplained_se;pooled", sqrt(Vp["sexef", "sexef"]))
if (!any(is.na(coef(fm)))) {
  fw <- lm(log(hourly) ~ anciennete + heures + metier + secteur_employeur + tranche_age + region,
           data = d, subset = sexe == "f")
  bw <- coef(fw)[names(bm)]
  stopifnot(!any(is.na(bw)))
  Va <- vcovHC(fm, type = "HC1")
  Vw <- vcovHC(fw, type = "HC1")[names(bm), names(bm)]
  ddm <- xam - xbm
  put("oaxaca_explained_se;men",
      sqrt(drop(t(ddm) %*% Va %*% ddm + t(bm) %*% vx(names(bm)) %*% bm)))
  vxb <- cov(X[!men, names(bm), drop = FALSE]) / nb
  put("oaxaca_unexplained_se;men",
      sqrt(drop(t(xbm) %*% (Va + Vw) %*% xbm + t(bm - bw) %*% vxb %*% (bm - bw))))
}

# Everyone at 35 hours (the file's hours column overwritten): hours is then
# collinear with the intercept and lm() reports NA for it; the other
# coefficients are those of the model without it.
d35 <- d
d35$heures <- 35
d35$hourly <- d35$salaire_brut / (35 * 52 / 12)
f35 <- lm(log(hourly) ~ sexe + anciennete + heures + metier + secteur_employeur +
            tranche_age + region, data = d35)
stopifnot(is.na(coef(f35)[["heures"]]))
put("coef_h35;sex=f", coef(f35)[["sexef"]])
put("se_hc1_h35;sex=f", sqrt(diag(vcovHC(f35, type = "HC1")))[["sexef"]])

res <- data.frame(name = names(out), value = sprintf("%.17g", unlist(out)))
write.csv(res, "pay_reference.csv", row.names = FALSE, quote = FALSE)
cat(sprintf("pay_make_fixtures.R: %d reference values written to tests/r/pay_reference.csv\n",
            nrow(res)))
