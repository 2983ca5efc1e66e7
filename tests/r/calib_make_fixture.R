#!/usr/bin/env Rscript
# Needs r-cran-survey and r-cran-mass (calibrate() calls MASS::ginv).
# Reference for calibration to a margins file (analyse --margins, analyse_calib.h) on a
# survey written from scratch, tests/analyse/surveys/calibtest (its own codes, no roles):
# a frame of zone x statut (6 cells, 400 structures; cell ze;fond has 15 structures and no
# respondent), and two variables outside the frame, classe (size class) and type_etab
# (establishment type). Computed with R's survey (Debian 12: 4.1-1):
#
#   cd tests/r && Rscript calib_make_fixture.R
#
# Writes (all deterministic, set.seed below):
#   ../analyse/surveys/calib_data.csv          65 respondents, normalised records, values
#                                              missing in effectif, vacants, difficulte;
#                                              no respondent is ssiad of class c3
#   ../analyse/surveys/calib_margins.csv       margins classe, type_etab, zone: 420
#                                              structures, not the frame's 400 (an updated
#                                              population)
#   ../analyse/surveys/calib_margins_post.csv  the crossing classe;type_etab (9 cells, ssiad;c3
#                                              counts 0: an empty cell), 420 structures
#   calib_reference.csv                        per method: every final weight, and the total
#                                              of vacants, the mean of effectif, the share of
#                                              difficulte (logit) and the ratio
#                                              vacants/effectif, nationally, by zone and by
#                                              classe: estimate, SE, interval, df (17 digits)
#
# The design before calibration is analyse's --weights frame: strata = the frame cells with
# respondents, fpc and weights N_h / n_h from the frame. Methods:
#   rake    rake(list(~classe, ~type_etab, ~zone)), converged tightly
#   post    postStratify(~classe + type_etab) on the crossing
#   linear  calibrate(~classe + type_etab + zone, calfun = "linear")   (GREG, closed form)
#   raking  calibrate(..., calfun = "raking")
#   linb    calibrate(..., calfun = "linear", bounds = c(0.6, 1.7))    (bounds binding)
#   rakb    calibrate(..., calfun = "raking", bounds = c(0.6, 1.7))
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")
set.seed(20311)

frame <- data.frame(zone = c("zn", "zn", "zs", "zs", "ze", "ze"),
                    statut = c("asso", "fond", "asso", "fond", "asso", "fond"),
                    N = c(120, 60, 90, 50, 65, 15))
nresp <- c(20, 10, 15, 8, 12, 0)
classes <- c("c1", "c2", "c3")
types <- c("ehpad", "ime", "ssiad")
rows <- list()
k <- 0
for (h in seq_len(nrow(frame))) {
  for (j in seq_len(nresp[h])) {
    k <- k + 1
    rows[[k]] <- data.frame(zone = frame$zone[h], statut = frame$statut[h])
  }
}
d <- do.call(rbind, rows)
n <- nrow(d)
d$id <- sprintf("s%03d", seq_len(n))
d$classe <- sample(classes, n, replace = TRUE, prob = c(0.5, 0.35, 0.15))
d$type_etab <- sample(types, n, replace = TRUE, prob = c(0.45, 0.33, 0.22))
# every crossing cell but ssiad;c3 has respondents; ssiad;c3 has none
cover <- expand.grid(classe = classes, type_etab = types, stringsAsFactors = FALSE)
cover <- cover[!(cover$classe == "c3" & cover$type_etab == "ssiad"), ]
for (i in seq_len(nrow(cover))) {
  d$classe[i * 7] <- cover$classe[i]
  d$type_etab[i * 7] <- cover$type_etab[i]
}
d$type_etab[d$classe == "c3" & d$type_etab == "ssiad"] <- "ime"
size <- c(c1 = 12, c2 = 45, c3 = 140)[d$classe]
d$effectif <- round(size * exp(rnorm(n, 0, 0.3)), 1)
d$vacants <- round(d$effectif * runif(n, 0, 0.12) + ifelse(d$zone == "ze", 1.5, 0), 1)
d$difficulte <- as.integer(runif(n) < ifelse(d$type_etab == "ehpad", 0.65, 0.4))
d$effectif[sample(n, 3)] <- NA
d$vacants[sample(n, 5)] <- NA
d$difficulte[sample(n, 4)] <- NA

# normalised records, as collect exports them
out <- data.frame(source = "file:calib.csv", id = d$id, submitted = "", zone = d$zone,
                  statut = d$statut, classe = d$classe, type_etab = d$type_etab,
                  effectif = d$effectif, vacants = d$vacants, difficulte = d$difficulte)
write.csv(out, "../analyse/surveys/calib_data.csv", row.names = FALSE, na = "", quote = FALSE)

# margins of an updated population: 420 structures (the frame counts 400)
mclasse <- data.frame(classe = classes, Freq = c(210, 150, 60))
mtype <- data.frame(type_etab = types, Freq = c(200, 130, 90))
mzone <- data.frame(zone = c("zn", "zs", "ze"), Freq = c(190, 145, 85))
m <- rbind(data.frame(variable = "classe", code = mclasse$classe, count = mclasse$Freq),
           data.frame(variable = "type_etab", code = mtype$type_etab, count = mtype$Freq),
           data.frame(variable = "zone", code = mzone$zone, count = mzone$Freq))
write.csv(m, "../analyse/surveys/calib_margins.csv", row.names = FALSE, quote = FALSE)
mcross <- expand.grid(classe = classes, type_etab = types, stringsAsFactors = FALSE)
mcross$Freq <- c(60, 45, 25, 40, 35, 30, 50, 135, 0)
stopifnot(sum(mcross$Freq) == 420)
write.csv(data.frame(variable = "classe;type_etab",
                     code = paste(mcross$classe, mcross$type_etab, sep = ";"),
                     count = mcross$Freq),
          "../analyse/surveys/calib_margins_post.csv", row.names = FALSE, quote = FALSE)

d$cell <- paste(d$zone, d$statut, sep = ";")
d$N <- setNames(frame$N, paste(frame$zone, frame$statut, sep = ";"))[d$cell]
d$classe <- factor(d$classe, levels = classes)
d$type_etab <- factor(d$type_etab, levels = types)
d$zone <- factor(d$zone, levels = c("zn", "zs", "ze"))
base <- svydesign(ids = ~1, strata = ~cell, fpc = ~N, data = d)

pop <- c(`(Intercept)` = 420, classec2 = 150, classec3 = 60, type_etabime = 130,
         type_etabssiad = 90, zonezs = 145, zoneze = 85)
f <- ~classe + type_etab + zone
designs <- list(
  rake = rake(base, list(~classe, ~type_etab, ~zone), list(mclasse, mtype, mzone),
              control = list(maxit = 500, epsilon = 1e-13)),
  post = postStratify(base, ~classe + type_etab, mcross[mcross$Freq > 0, ]),
  linear = calibrate(base, f, pop, calfun = "linear"),
  raking = calibrate(base, f, pop, calfun = "raking", epsilon = 1e-13, maxit = 100),
  linb = calibrate(base, f, pop, calfun = "linear", bounds = c(0.6, 1.7), epsilon = 1e-13,
                   maxit = 100),
  rakb = calibrate(base, f, pop, calfun = "raking", bounds = c(0.6, 1.7), epsilon = 1e-13,
                   maxit = 100))
# the bounds bind: the unbounded ratios leave [0.6, 1.7]
g <- weights(designs$raking) / weights(base)
stopifnot(min(g) < 0.6 || max(g) > 1.7)
gb <- weights(designs$rakb) / weights(base)
stopifnot(min(gb) >= 0.6 - 1e-12, max(gb) <= 1.7 + 1e-12)

con <- file("calib_reference.csv", "w")
cat("method,what,domain,estimate,se,ci_low,ci_high,df\n", file = con)
fmt <- function(v) ifelse(is.na(v), "NA", sprintf("%.17g", v))
emit <- function(meth, what, dom, est, se, lo, hi, df)
  cat(paste(meth, what, dom, fmt(est), fmt(se), fmt(lo), fmt(hi), fmt(df), sep = ","), "\n",
      sep = "", file = con)
doms <- list(all = rep(TRUE, n))
for (z in levels(d$zone)) doms[[paste0("zone=", z)]] <- d$zone == z
for (cl in classes) doms[[paste0("classe=", cl)]] <- d$classe == cl
for (meth in names(designs)) {
  des <- designs[[meth]]
  w <- weights(des)
  for (i in seq_len(n)) emit(meth, "weight", d$id[i], w[i], NA, NA, NA, NA)
  for (dn in names(doms)) {
    inD <- doms[[dn]]
    sub <- subset(des, inD & !is.na(vacants))
    r <- svytotal(~vacants, sub, na.rm = TRUE)
    df <- degf(sub)
    ci <- confint(r, df = df)
    emit(meth, "total_vacants", dn, coef(r), SE(r), ci[1], ci[2], df)
    sub <- subset(des, inD & !is.na(effectif))
    r <- svymean(~effectif, sub, na.rm = TRUE)
    df <- degf(sub)
    ci <- confint(r, df = df)
    emit(meth, "mean_effectif", dn, coef(r), SE(r), ci[1], ci[2], df)
    sub <- subset(des, inD & !is.na(difficulte))
    df <- degf(sub)
    cp <- svyciprop(~difficulte, sub, method = "xlogit", na.rm = TRUE)
    emit(meth, "share_difficulte", dn, as.numeric(cp), sqrt(as.numeric(attr(cp, "var"))),
         attr(cp, "ci")[1], attr(cp, "ci")[2], df)
    sub <- subset(des, inD & !is.na(vacants) & !is.na(effectif))
    r <- svyratio(~vacants, ~effectif, sub, na.rm = TRUE)
    df <- degf(sub)
    ci <- confint(r, df = df)
    emit(meth, "ratio_vacants_effectif", dn, coef(r), SE(r), ci[1], ci[2], df)
  }
}
close(con)
cat("wrote calib_reference.csv and the data and margins files\n")
