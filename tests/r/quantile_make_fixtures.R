#!/usr/bin/env Rscript
# Reference quantiles for the analyse engine (tests/analyse/test_design.c,
# test_quantiles_against_r), computed with R's survey package (Debian 12:
# survey 4.1-1).
#
#   cd tests/r && Rscript quantile_make_fixtures.R
#
# On design_data.csv (made by make_fixtures.R: 6 strata with fpc, clusters,
# weights, 17 missing values of y), for the same six designs as
# design_reference.csv (two of them calibrated: post, rake), every qrule
# svyquantile offers x every interval.type, at p = 0.1, 0.5 and 0.75, over
# the whole sample and in each region (svyby's domains: subset(), na.rm),
# with the design df and with df = Inf. A value R cannot compute (a rule that
# interpolates on one point, uniroot without a sign change) is written as NA:
# the engine must then give NAN, never a number.
#
# survey 4.1-1 (installed) has two faults that survey 4.2 fixed (R/qrule.R, still so in
# 4.5): the discrete rules (math, school, hf3) test "wlow == 0" where p falls before the
# first point (the first point's weight share above p), so that they return the second
# smallest value instead of the smallest (for 10 equal weights and p = 0.05: x[2]); and
# the interpolating rules stop on a single point instead of returning it. vigie follows
# the fixed rules, so these references use 4.1-1's functions with 4.2's two changes (the
# rules are passed to svyquantile as functions; the intervals are 4.1-1's).
#
# Writes quantile_reference.csv: design, qrule, interval, p, domain, dfopt,
# estimate, se, ci_low, ci_high, df, n (17 significant digits).
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")

d <- read.csv("design_data.csv", colClasses = c(region = "character", sector = "character"))
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
qrules <- c("math", "school", "shahvaish", paste0("hf", 1:9))
ns <- asNamespace("survey")
drop0 <- function(x, w) list(x = x[w != 0], w = w[w != 0])
discrete <- function(pick) function(x, w, p) {
  v <- drop0(x, w)
  q <- ns$qs(v$x, v$w, p)
  pick(q)
}
fixed <- list(
  math = discrete(function(q) if (q$wlow <= 0) q$qlow else q$qup),
  school = discrete(function(q) if (q$wlow <= 0) (q$qlow + q$qup) / 2 else q$qup),
  hf3 = function(x, w, p) {
    v <- drop0(x, w)
    ww <- rowsum(v$w, v$x)
    xx <- sort(unique(v$x))
    q <- ns$qs(xx, ww, p)
    if ((q$wlow <= 0) && (q$ilow %% 2 == 0)) q$qlow else q$qup
  })
fixed$hf1 <- fixed$math
fixed$hf2 <- fixed$school
for (r in c("shahvaish", "hf4", "hf5", "hf6", "hf7", "hf8", "hf9")) local({
  f <- get(paste0("qrule_", r), ns)
  one <- r != "hf4" # survey 4.2 returns the point for these (hf4 stays undefined)
  fixed[[r]] <<- function(x, w, p) {
    v <- drop0(x, w)
    if (one && length(v$x) == 1) v$x else f(x, w, p)
  }
})
intervals <- c("mean", "beta", "xlogit", "asin", "score")
ps <- c(0.1, 0.5, 0.75)
f17 <- function(v) ifelse(is.na(v) | is.nan(v), "NA", trimws(formatC(v, digits = 17, format = "g")))

out <- file("quantile_reference.csv", "w")
cat("design,qrule,interval,p,domain,dfopt,estimate,se,ci_low,ci_high,df,n\n", file = out)
for (dn in names(designs)) {
  des <- designs[[dn]]
  doms <- c("all", "11", "84", "93")
  for (dom in doms) {
    sub <- if (dom == "all") des else subset(des, region == dom)
    used <- if (dom == "all") !is.na(d$y) else (!is.na(d$y) & d$region == dom)
    dfd <- degf(subset(des, used))
    n <- sum(used)
    for (qr in qrules) for (it in intervals) for (p in ps) for (dfopt in c("design", "inf")) {
      if (dfopt == "inf" && !(qr %in% c("math", "hf7") && p == 0.5)) next
      dfv <- if (dfopt == "inf") Inf else NULL
      r <- tryCatch(suppressWarnings(
             svyquantile(~y, sub, p, na.rm = TRUE, ci = TRUE, qrule = fixed[[qr]],
                         interval.type = it, df = dfv)[[1]]),
             error = function(e) NULL)
      vals <- if (is.null(r)) rep(NA, 4) else r[1, ]
      cat(dn, qr, it, p, dom, dfopt, f17(vals[1]), f17(vals[4]), f17(vals[2]), f17(vals[3]),
          f17(if (dfopt == "inf") Inf else dfd), n, sep = ",", file = out)
      cat("\n", file = out)
    }
  }
}
close(out)

# svyby gives the same as these subsets (one check, so the domains are svyby's)
a <- svyby(~y, ~region, designs$rake, svyquantile, quantiles = 0.5, qrule = fixed$hf7,
           interval.type = "score", na.rm = TRUE, ci = TRUE, keep.var = TRUE)
b <- svyquantile(~y, subset(designs$rake, region == "84"), 0.5, qrule = fixed$hf7,
                 interval.type = "score", na.rm = TRUE, ci = TRUE)[[1]]
stopifnot(isTRUE(all.equal(unname(coef(a)[2]), unname(b[1, 1]), tolerance = 1e-14)))

# The fixed rules differ from 4.1-1's only in those two cases: the same values here
for (qr in c("math", "school", "hf3", "hf7")) {
  a <- svyquantile(~y, designs$cluster, c(0.1, 0.5, 0.75), na.rm = TRUE, ci = TRUE, qrule = qr)[[1]]
  b <- svyquantile(~y, designs$cluster, c(0.1, 0.5, 0.75), na.rm = TRUE, ci = TRUE,
                   qrule = fixed[[qr]])[[1]]
  stopifnot(identical(unname(a), unname(b)))
}
# ... and the first one shows on 10 equal weights at p = 0.05
ten <- svydesign(ids = ~1, data = data.frame(v = c(5, 1:4, 6:10)))
stopifnot(coef(svyquantile(~v, ten, 0.05, qrule = "math", ci = FALSE))[[1]] == 2,
          fixed$math(c(5, 1:4, 6:10), rep(1, 10), 0.05) == 1)
