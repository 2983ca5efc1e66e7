#!/usr/bin/env Rscript
# The benchmark's R side: the same estimate as
#   analyse estimate --var etp_vac_as --stat ratio --denominator etp_bud_as \
#                    --by region --weights rake
# i.e. stratified by region with fpc from the frame, raked to the region and
# sector margins, then the vacancy ratio by region (svyby + svyratio).
#   Rscript bench.R DATA.csv FRAME.csv OUT.csv
# Prints "read <s>" and "estimate <s>" (elapsed seconds) on stdout.
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
t0 <- proc.time()[["elapsed"]]
d <- read.csv(args[1], colClasses = c(region = "character", secteur = "character"))
t1 <- proc.time()[["elapsed"]]
fr <- read.csv(args[2], colClasses = c(region = "character", secteur = "character"))
fr <- fr[paste(fr$region, fr$secteur) %in% unique(paste(d$region, d$secteur)), ]
Nreg <- tapply(fr$etablissements, fr$region, sum)
d$N_region <- as.numeric(Nreg[d$region])
des <- svydesign(ids = ~1, strata = ~region, fpc = ~N_region, data = d)
pop_region <- data.frame(region = names(Nreg), Freq = as.numeric(Nreg))
sec <- tapply(fr$etablissements, fr$secteur, sum)
pop_sector <- data.frame(secteur = names(sec), Freq = as.numeric(sec))
des <- rake(des, list(~region, ~secteur), list(pop_region, pop_sector),
            control = list(maxit = 200, epsilon = 1e-12))
r <- svyby(~etp_vac_as, ~region, des, svyratio, denominator = ~etp_bud_as, na.rm = TRUE)
t2 <- proc.time()[["elapsed"]]
write.csv(r, args[3], row.names = FALSE)
cat(sprintf("read %.2f\nestimate %.2f\n", t1 - t0, t2 - t1))
