#!/usr/bin/env Rscript
# Reference for the default weighting 'cells' (analyse_frame.h) on the mini test survey
# (tests/analyse/surveys/mini): the frame cells as strata with fpc, cell r3;ph (one
# respondent) collapsed into r3;pa as the documented rule does, then raked to the region and
# sector margins of the frame (as analyse does when a cell was collapsed). Computed with
# R's survey (Debian 12: 4.1-1):
#
#   cd tests/r && Rscript cells_make_fixture.R
#
# Writes cells_reference.csv: each respondent's final weight, and the total of etp_vac_as,
# the mean of etp_bud_as and the share of difficulte (logit interval), nationally and by
# region, with SE, interval and df, 17 significant digits.
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")
d <- read.csv("../analyse/surveys/mini_data.csv", colClasses = c(region = "character",
              secteur = "character", id = "character"))
fr <- read.csv("../analyse/surveys/mini/frame.csv", colClasses = "character")
fr$etablissements <- as.numeric(fr$etablissements)
d$cell <- paste(d$region, d$secteur, sep = ";")
d$stratum <- ifelse(d$cell %in% c("r3;pa", "r3;ph"), "r3", d$cell)
frN <- setNames(fr$etablissements, paste(fr$region, fr$secteur, sep = ";"))
stratN <- c(frN[setdiff(names(frN), c("r3;pa", "r3;ph"))], r3 = sum(frN[c("r3;pa", "r3;ph")]))
d$N_h <- stratN[d$stratum]
base <- svydesign(ids = ~1, strata = ~stratum, fpc = ~N_h, data = d)
reg <- aggregate(etablissements ~ region, fr, sum)
names(reg)[2] <- "Freq"
sec <- aggregate(etablissements ~ secteur, fr, sum)
names(sec)[2] <- "Freq"
des <- rake(base, list(~region, ~secteur), list(reg, sec),
            control = list(maxit = 500, epsilon = 1e-13))

out <- file("cells_reference.csv", "w")
cat("what,domain,estimate,se,ci_low,ci_high,df\n", file = out)
fmt <- function(v) ifelse(is.na(v), "NA", sprintf("%.17g", v))
emit <- function(what, dom, est, se, lo, hi, df)
  cat(paste(what, dom, fmt(est), fmt(se), fmt(lo), fmt(hi), fmt(df), sep = ","), "\n",
      sep = "", file = out)
w <- weights(des)
for (i in seq_len(nrow(d))) emit("weight", d$id[i], w[i], NA, NA, NA, NA)
for (dom in c("all", "r1", "r2", "r3")) {
  inD <- if (dom == "all") rep(TRUE, nrow(d)) else d$region == dom
  sub <- subset(des, inD & !is.na(etp_vac_as))
  m <- svytotal(~etp_vac_as, sub, na.rm = TRUE)
  df <- degf(sub)
  emit("total_etp_vac_as", dom, coef(m), SE(m), coef(m) - qt(0.975, df) * SE(m),
       coef(m) + qt(0.975, df) * SE(m), df)
  sub <- subset(des, inD & !is.na(etp_bud_as))
  m <- svymean(~etp_bud_as, sub, na.rm = TRUE)
  df <- degf(sub)
  ci <- confint(m, df = df)
  emit("mean_etp_bud_as", dom, coef(m), SE(m), ci[1], ci[2], df)
  sub <- subset(des, inD & !is.na(difficulte))
  df <- degf(sub)
  cp <- svyciprop(~difficulte, sub, method = "xlogit", na.rm = TRUE)
  emit("share_difficulte", dom, as.numeric(cp), sqrt(as.numeric(attr(cp, "var"))),
       attr(cp, "ci")[1], attr(cp, "ci")[2], df)
}
close(out)
cat("wrote cells_reference.csv\n")
