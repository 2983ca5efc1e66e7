# The design-based work of `analyse gender` in R, for bench/pay/run.sh:
#   Rscript bench_gender_design.R FILE.csv
# svydesign(ids = ~employeur) (the pay survey's employers as clusters, equal
# weights as the bundled definition has no weight role), means and medians of
# hourly pay by sex overall and by job, sector and age band (svyby svymean,
# svyby svyquantile qrule "math"), the Eurostat gaps (svycontrast on svyby
# with covmat = TRUE), and svyglm of log hourly pay on sex, seniority, hours,
# job, sector, age band and region. Timings of each step on stderr.
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
t0 <- proc.time()[["elapsed"]]
step <- function(what) {
  t <- proc.time()[["elapsed"]]
  message(sprintf("R %-34s %8.2f s", what, t - t0))
  t0 <<- t
}
d <- read.csv(args[1], colClasses = c(region = "character", employeur = "character"))
step("read.csv")
d$hourly <- d$salaire_brut / (d$heures * 52 / 12)
d$ly <- log(d$hourly)
d$sexe <- factor(d$sexe, levels = c("h", "f"))
for (v in c("metier", "secteur_employeur", "tranche_age", "region")) d[[v]] <- factor(d[[v]])
d$all <- factor("all")
des <- suppressWarnings(svydesign(ids = ~employeur, data = d))
step("svydesign (employers as clusters)")
for (v in c("all", "metier", "secteur_employeur", "tranche_age")) {
  f <- as.formula(paste("~", v, "+ sexe"))
  b <- svyby(~hourly, f, des, svymean, na.rm = TRUE, covmat = TRUE)
  nm <- names(coef(b))
  for (l in levels(d[[v]])) {
    e <- parse(text = sprintf("1 - `%s.f` / `%s.h`", l, l))[[1]]
    if (all(paste0(l, c(".f", ".h")) %in% nm))
      invisible(svycontrast(b, e))
  }
}
step("svyby means + svycontrast gaps")
for (v in c("all", "metier", "secteur_employeur", "tranche_age")) {
  f <- as.formula(paste("~", v, "+ sexe"))
  invisible(svyby(~hourly, f, des, svyquantile, quantiles = 0.5, qrule = "math", ci = TRUE,
                  na.rm = TRUE, keep.var = TRUE))
}
step("svyby svyquantile medians")
m <- svyglm(ly ~ sexe + anciennete + heures + metier + secteur_employeur + tranche_age + region,
            design = des)
invisible(summary(m))
step("svyglm")
