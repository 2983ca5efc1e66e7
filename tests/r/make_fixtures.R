#!/usr/bin/env Rscript
# Reference values for the analyse engine (tests/analyse/test_design.c), computed
# with R's survey package (Debian 12: survey 4.1-1).
#
#   cd tests/r && Rscript make_fixtures.R
#
# Reads (or, when absent, generates deterministically) design_data.csv and writes
# design_reference.csv: one line per (design, statistic, parameter, domain) with
# estimate, se, ci_low, ci_high, df and n, all with 17 significant digits.
# Every domain estimate is computed on subset(design, domain & !is.na(vars)), which
# is exactly what svyby(..., na.rm = TRUE) does; intervals use t with
# degf() of that subset (what analyse reports), except where noted.
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")

data_file <- "design_data.csv"
if (!file.exists(data_file)) {
  set.seed(20260412)
  strata <- expand.grid(sector = c("pa", "ph"), region = c("11", "84", "93"),
                        stringsAsFactors = FALSE)
  strata$h <- seq_len(nrow(strata))
  strata$N <- c(420, 260, 610, 330, 150, 95)
  strata$n <- c(48, 30, 56, 36, 26, 24)
  rows <- do.call(rbind, lapply(seq_len(nrow(strata)), function(k) {
    s <- strata[k, ]
    npsu <- 6 + (k %% 3)
    data.frame(h = s$h, region = s$region, sector = s$sector, N_h = s$N,
               psu = sample(seq_len(npsu), s$n, replace = TRUE) + 100 * s$h,
               stringsAsFactors = FALSE)[seq_len(s$n), ]
  }))
  n <- nrow(rows)
  rows$size <- sample(1:3, n, replace = TRUE, prob = c(0.5, 0.3, 0.2))
  rows$w <- round(rows$N_h / ave(rows$N_h, rows$h, FUN = length) * runif(n, 0.7, 1.3), 4)
  rows$x <- round(rgamma(n, shape = 4, rate = 0.2) * c(1, 1.6, 2.8)[rows$size], 2)
  rows$y <- round(rows$x * rbeta(n, 1, 14) + rbinom(n, 1, 0.2) * runif(n, 0, 3), 2)
  rows$y[sample(n, 17)] <- NA
  rows$b <- rbinom(n, 1, plogis(-0.4 + 0.5 * (rows$sector == "ph") + 0.3 * (rows$size - 2)))
  rows$b[sample(n, 11)] <- NA
  write.csv(rows[, c("h", "region", "sector", "N_h", "psu", "size", "w", "x", "y", "b")],
            data_file, row.names = FALSE, na = "", quote = FALSE)
}
d <- read.csv(data_file, colClasses = c(region = "character", sector = "character"))

size_pop <- data.frame(size = 1:3, Freq = c(940, 560, 365))
region_pop <- data.frame(region = c("11", "84", "93"), Freq = c(700, 900, 265))
sector_pop <- data.frame(sector = c("pa", "ph"), Freq = c(1200, 665))

base <- svydesign(ids = ~1, strata = ~h, fpc = ~N_h, data = d)
designs <- list(
  strat_fpc = base,
  strat_w = svydesign(ids = ~1, strata = ~h, weights = ~w, data = d),
  cluster = svydesign(ids = ~psu, strata = ~h, weights = ~w, data = d),
  post = postStratify(base, ~size, size_pop),
  rake = rake(base, list(~region, ~size, ~sector), list(region_pop, size_pop, sector_pop),
              control = list(maxit = 500, epsilon = 1e-13)),
  unweighted = svydesign(ids = ~1, data = d)
)

out <- file("design_reference.csv", "w")
cat("design,stat,param,domain,estimate,se,ci_low,ci_high,df,n\n", file = out)
fmt <- function(v) ifelse(is.na(v), "NA", sprintf("%.17g", v))
emit <- function(design, stat, param, domain, est, se, lo, hi, df, n) {
  cat(paste(design, stat, param, domain, fmt(est), fmt(se), fmt(lo), fmt(hi), fmt(df), n,
            sep = ","), "\n", sep = "", file = out)
}
tq <- function(df) qt(0.975, df)

for (dn in names(designs)) {
  des <- designs[[dn]]
  for (dom in c("all", "11", "84", "93")) {
    inD <- if (dom == "all") rep(TRUE, nrow(d)) else d$region == dom
    # total, mean of y
    sub <- subset(des, inD & !is.na(y))
    df <- degf(sub)
    n <- sum(weights(sub) > 0)
    m <- svytotal(~y, sub, na.rm = TRUE)
    emit(dn, "total", "", dom, coef(m), SE(m), coef(m) - tq(df) * SE(m), coef(m) + tq(df) * SE(m), df, n)
    m <- svymean(~y, sub, na.rm = TRUE)
    ci <- confint(m, df = df)
    emit(dn, "mean", "", dom, coef(m), SE(m), ci[1], ci[2], df, n)
    for (p in c(0.25, 0.5, 0.9)) {
      q <- svyquantile(~y, sub, p, ci = TRUE, na.rm = TRUE)[[1]]
      emit(dn, "quantile", p, dom, q[1, 1], q[1, 4], q[1, 2], q[1, 3], df, n)
    }
    # ratio y / x
    subr <- subset(des, inD & !is.na(y) & !is.na(x))
    dfr <- degf(subr)
    r <- svyratio(~y, ~x, subr, na.rm = TRUE)
    se <- sqrt(as.numeric(r$var))
    emit(dn, "ratio", "", dom, as.numeric(r$ratio), se, as.numeric(r$ratio) - tq(dfr) * se,
         as.numeric(r$ratio) + tq(dfr) * se, dfr, sum(weights(subr) > 0))
    # proportion of b
    subp <- subset(des, inD & !is.na(b))
    dfp <- degf(subp)
    np <- sum(weights(subp) > 0)
    cp <- svyciprop(~b, subp, method = "xlogit", na.rm = TRUE)
    p <- as.numeric(cp)
    v <- as.numeric(attr(cp, "var"))
    ci <- attr(cp, "ci")
    emit(dn, "prop_logit", "", dom, p, sqrt(v), ci[1], ci[2], dfp, np)
    if (!(dn %in% c("post", "rake"))) {
      cl <- svyciprop(~b, subp, method = "logit")
      stopifnot(abs(attr(cl, "ci") - ci) < 1e-8)
    }
    # Korn-Graubard ("beta") with n = rows used; equals svyciprop(method = "beta")
    # on uncalibrated designs, whose subsets drop rows.
    neff <- p * (1 - p) / v * (qt(0.025, np - 1) / qt(0.025, dfp))^2
    lo <- qbeta(0.025, neff * p, neff * (1 - p) + 1)
    hi <- qbeta(0.975, neff * p + 1, neff * (1 - p))
    if (!(dn %in% c("post", "rake"))) {
      cb <- svyciprop(~b, subp, method = "beta")
      stopifnot(abs(attr(cb, "ci") - c(lo, hi)) < 1e-12)
    }
    emit(dn, "prop_exact", "", dom, p, sqrt(v), lo, hi, dfp, np)
    # Wilson with the effective sample size and t_df (survey >= 4.5 "wilson")
    ne <- p * (1 - p) / v
    z <- tq(dfp)
    cen <- (p + z^2 / (2 * ne)) / (1 + z^2 / ne)
    hw <- z / (1 + z^2 / ne) * sqrt(p * (1 - p) / ne + z^2 / (4 * ne^2))
    emit(dn, "prop_wilson", "", dom, p, sqrt(v), cen - hw, cen + hw, dfp, np)
    # svyciprop "mean" (Wald) and "asin", as survey 4.1-1 computes them
    cm <- svyciprop(~b, subp, method = "mean", na.rm = TRUE)
    emit(dn, "prop_wald", "", dom, p, sqrt(v), attr(cm, "ci")[1], attr(cm, "ci")[2], dfp, np)
    ca <- svyciprop(~b, subp, method = "asin", na.rm = TRUE)
    emit(dn, "prop_asin", "", dom, p, sqrt(v), attr(ca, "ci")[1], attr(ca, "ci")[2], dfp, np)
    # Agresti-Coull and Jeffreys with n_eff and t_df (not svyciprop methods; notes B.1)
    nt <- ne + z^2
    pt <- (ne * p + z^2 / 2) / nt
    emit(dn, "prop_agresti", "", dom, p, sqrt(v), pt - z * sqrt(pt * (1 - pt) / nt),
         pt + z * sqrt(pt * (1 - pt) / nt), dfp, np)
    emit(dn, "prop_jeffreys", "", dom, p, sqrt(v), qbeta(0.025, ne * p + 0.5, ne * (1 - p) + 0.5),
         qbeta(0.975, ne * p + 0.5, ne * (1 - p) + 0.5), dfp, np)
    # likelihood: the exact roots of the Rao-Scott-scaled profile likelihood (n = rows used);
    # svyciprop(method = "likelihood") interpolates a spline and agrees to about 1e-6
    cc <- z^2 * v * np / (2 * p * (1 - p) * (np - 1))
    klf <- function(q) p * log(p / q) + (1 - p) * log((1 - p) / (1 - q)) - cc
    lo <- uniroot(klf, c(1e-12, p), tol = 1e-16, maxiter = 10000)$root
    hi <- uniroot(klf, c(p, 1 - 1e-12), tol = 1e-16, maxiter = 10000)$root
    if (!(dn %in% c("post", "rake"))) {
      cl <- svyciprop(~b, subp, method = "likelihood")
      stopifnot(abs(attr(cl, "ci") - c(lo, hi)) < 1e-5)
    }
    emit(dn, "prop_likelihood", "", dom, p, sqrt(v), lo, hi, dfp, np)
    # df = Inf: confint()'s default (normal quantile) for a mean, and the logit interval
    m <- svymean(~y, sub, na.rm = TRUE)
    ci <- confint(m)
    emit(dn, "mean_inf", "", dom, coef(m), SE(m), ci[1], ci[2], Inf, n)
    ci <- attr(svyciprop(~b, subp, method = "xlogit", df = Inf, na.rm = TRUE), "ci")
    emit(dn, "prop_logit_inf", "", dom, p, sqrt(v), ci[1], ci[2], Inf, np)
    # unweighted data: the classical binomial intervals for x of n (normal quantile)
    if (dn == "unweighted") {
      x <- sum(subp$variables$b[weights(subp) > 0])
      zn <- qnorm(0.975)
      ci <- prop.test(x, np, correct = FALSE)$conf.int
      emit(dn, "binom_wilson", "", dom, p, sqrt(v), ci[1], ci[2], dfp, np)
      ci <- binom.test(x, np)$conf.int
      emit(dn, "binom_exact", "", dom, p, sqrt(v), ci[1], ci[2], dfp, np)
      nt <- np + zn^2
      pt <- (x + zn^2 / 2) / nt
      emit(dn, "binom_agresti", "", dom, p, sqrt(v), pt - zn * sqrt(pt * (1 - pt) / nt),
           pt + zn * sqrt(pt * (1 - pt) / nt), dfp, np)
      emit(dn, "binom_jeffreys", "", dom, p, sqrt(v),
           if (x == 0) 0 else qbeta(0.025, x + 0.5, np - x + 0.5),
           if (x == np) 1 else qbeta(0.975, x + 0.5, np - x + 0.5), dfp, np)
    }
  }
  # difference of means of y, region 11 - region 84 (svyby covmat + svycontrast)
  # (two domain means as ratios of totals, covariance from svyratio(covmat = TRUE))
  des2 <- update(des, y0 = ifelse(is.na(y), 0, y), ok = as.numeric(!is.na(y)))
  rr <- svyratio(~I(y0 * (region == "11")) + I(y0 * (region == "84")),
                 ~I(ok * (region == "11")) + I(ok * (region == "84")), des2, covmat = TRUE)
  V <- rr$vcov
  est <- rr$ratio[1, 1] - rr$ratio[2, 2]
  emit(dn, "diff_mean", "", "11-84", est, sqrt(V[1, 1] + V[4, 4] - 2 * V[1, 4]), NA, NA, NA, 0)
  # first-order Rao-Scott chi-square, region x size
  ch <- svychisq(~region + size, des, statistic = "Chisq")
  emit(dn, "chisq", "", "region:size", as.numeric(ch$statistic), NA, NA, NA,
       as.numeric(ch$parameter), 0)
  emit(dn, "chisq_p", "", "region:size", ch$p.value, NA, NA, NA, NA, 0)
  # weights after calibration (sum and a few rows), for the calibration tests
  w <- weights(des)
  emit(dn, "weight_sum", "", "all", sum(w), NA, NA, NA, NA, length(w))
  for (i in c(1, 50, 100, 200)) emit(dn, "weight", i, "all", w[i], NA, NA, NA, NA, 0)
}
close(out)
cat("wrote design_reference.csv\n")
