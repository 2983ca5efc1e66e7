#!/usr/bin/env Rscript
# The R side of bench/analyse/margins.sh: the same estimate as
#   analyse estimate --var etp_vac_as --stat ratio --denominator etp_bud_as --by region \
#                    --weights frame --margins MARGINS.csv      (--calibrate rake)
# i.e. stratified by the frame cells (region x secteur) with fpc from the frame, raked to
# the margins of region, taille and type_etab (two of them outside the frame), then the
# vacancy ratio by region (svyby + svyratio).
#   Rscript margins.R DATA.csv FRAME.csv MARGINS.csv OUT.csv
# Prints "read <s>" and "estimate <s>" (elapsed seconds) on stdout.
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
t0 <- proc.time()[["elapsed"]]
d <- read.csv(args[1], colClasses = c(region = "character", secteur = "character",
                                      taille = "character", type_etab = "character"))
t1 <- proc.time()[["elapsed"]]
fr <- read.csv(args[2], colClasses = c(region = "character", secteur = "character"))
m <- read.csv(args[3], colClasses = "character")
m$count <- as.numeric(m$count)
d$cell <- paste(d$region, d$secteur, sep = ";")
d$N_cell <- setNames(fr$etablissements, paste(fr$region, fr$secteur, sep = ";"))[d$cell]
des <- svydesign(ids = ~1, strata = ~cell, fpc = ~N_cell, data = d)
pop <- lapply(c("region", "taille", "type_etab"), function(v) {
  x <- m[m$variable == v, ]
  r <- data.frame(x$code, Freq = x$count)
  names(r)[1] <- v
  r
})
des <- rake(des, list(~region, ~taille, ~type_etab), pop,
            control = list(maxit = 200, epsilon = 1e-12))
r <- svyby(~etp_vac_as, ~region, des, svyratio, denominator = ~etp_bud_as, na.rm = TRUE)
t2 <- proc.time()[["elapsed"]]
write.csv(r, args[4], row.names = FALSE)
cat(sprintf("read %.2f\nestimate %.2f\n", t1 - t0, t2 - t1))
