# Reference values for the pay commands under a one-stage cluster design
# (issue 14): establishments sampled with weights, every employee of each
# one surveyed, missing values. Run from the repository root:
#   Rscript tests/r/pay_design_make.R
# It writes tests/r/pay_design_employees.csv (the generated file, read with
# the definition tests/pay/design-survey/survey.json) and
# tests/r/pay_design_reference.csv (name,value), which the golden cases
# tests/cli/analyse-pay/design-* compare with at 1e-9 relative.
# R 4.2.2, survey 4.1-1 (Debian 12).
suppressPackageStartupMessages(library(survey))
set.seed(20261204)
options(digits = 17)

# ---- the sample: 36 establishments, 4 to 30 employees each
n_est <- 36
est <- data.frame(etab = sprintf("E%03d", 1:n_est),
                  statut = rep(c("public", "prive_lucratif", "prive_non_lucratif"), each = 12),
                  poids = round(runif(n_est, 1.5, 25), 2),
                  effet = rnorm(n_est, 0, 0.06),
                  taille = sample(4:30, n_est, replace = TRUE),
                  stringsAsFactors = FALSE)
rows <- list()
for (k in seq_len(n_est)) {
  m <- est$taille[k]
  emploi <- sample(c("soin", "educ", "admin"), m, replace = TRUE, prob = c(.5, .3, .2))
  genre <- ifelse(runif(m) < ifelse(emploi == "soin", .8, .55), "f", "h")
  anc <- sample(0:30, m, replace = TRUE)
  duree <- sample(c(35, 35, 35, 28, 24, 17.5), m, replace = TRUE)
  base <- c(soin = 13, educ = 14.5, admin = 13.8)[emploi] *
    c(public = 1.04, prive_lucratif = 0.97, prive_non_lucratif = 1)[est$statut[k]]
  horaire <- base * exp(est$effet[k] + 0.01 * anc - 0.05 * (genre == "f") + rnorm(m, 0, 0.08))
  brut <- round(horaire * duree * 52 / 12, 2)
  # some paid exactly the 2024-11 SMIC for their hours, one cent under, one over
  smic <- round(1188 * duree * 52 / 12) / 100
  low <- runif(m)
  brut[low < 0.06] <- smic[low < 0.06]
  brut[low >= 0.06 & low < 0.08] <- smic[low >= 0.06 & low < 0.08] - 0.01
  brut[low >= 0.08 & low < 0.10] <- smic[low >= 0.08 & low < 0.10] + 0.01
  rows[[k]] <- data.frame(etab = est$etab[k], poids = est$poids[k], statut = est$statut[k],
                          emploi = emploi, genre = genre, anc = anc, duree = duree, brut = brut,
                          stringsAsFactors = FALSE)
}
d <- do.call(rbind, rows)
# a rare job: two employees of one establishment (a domain of one PSU)
d$emploi[d$etab == "E005"][1:2] <- "rare"
# missing values: pay, hours, seniority, job
n <- nrow(d)
d$brut[sample(n, 12)] <- NA
d$duree[sample(n, 6)] <- NA
d$anc[sample(n, 8)] <- NA
d$emploi[sample(which(d$emploi != "rare"), 5)] <- NA
d$id <- sprintf("s%04d", seq_len(n))
out <- d[, c("id", "etab", "poids", "statut", "emploi", "genre", "anc", "duree", "brut")]
write.csv(out, "tests/r/pay_design_employees.csv", row.names = FALSE, na = "", quote = FALSE)

# ---- what the commands compute
d$monthly <- d$brut
d$hourly <- d$brut / (d$duree * 52 / 12)
cents <- round(d$brut * 100)
thr <- function(pct) floor((1188 * round(d$duree * 100) * 52 * pct + 60000) / 120000)
for (pct in c(100, 105, 110))
  d[[paste0("below", pct)]] <- as.numeric(cents < thr(pct))
d$cell <- ifelse(is.na(d$emploi), NA, paste(d$emploi, d$statut, sep = ";"))

ref <- list()
put <- function(name, value) ref[[name]] <<- value

designs <- list(design = svydesign(ids = ~etab, weights = ~poids, data = d),
                iid = svydesign(ids = ~1, data = d))

# one domain (a row subset, n_h kept): mean, median, quantile points, shares
domain <- function(des, rows, key, tag) {
  for (v in c("monthly", "hourly")) {
    ok <- rows & !is.na(d[[v]])
    if (!any(ok)) next
    s <- subset(des, ok)
    df <- degf(s)
    m <- svymean(as.formula(paste0("~", v)), s)
    se <- sqrt(as.numeric(vcov(m)))
    t <- qt(0.975, df)
    p <- paste(tag, v, key, sep = "|")
    put(paste0("mean|", p), coef(m))
    put(paste0("mean_se|", p), se)
    put(paste0("mean_lo|", p), coef(m) - t * se)
    put(paste0("mean_hi|", p), coef(m) + t * se)
    put(paste0("mean_df|", p), df)
    put(paste0("pop|", p), sum(weights(s)))
    q <- svyquantile(as.formula(paste0("~", v)), s, 0.5, qrule = "math", interval.type = "mean",
                     ci = TRUE, df = df)[[1]]
    put(paste0("median|", p), q[1, 1])
    put(paste0("median_lo|", p), q[1, 2])
    put(paste0("median_hi|", p), q[1, 3])
    put(paste0("median_se|", p), q[1, 4])
    for (pq in c(10, 25, 50, 75, 90)) {
      qq <- svyquantile(as.formula(paste0("~", v)), s, pq / 100, qrule = "math", ci = FALSE)[[1]]
      put(paste0("q", pq, "|", p), qq[1])
    }
  }
  for (pct in c(100, 105, 110)) {
    v <- paste0("below", pct)
    ok <- rows & !is.na(d[[v]])
    if (!any(ok)) next
    s <- subset(des, ok)
    df <- degf(s)
    # "xlogit": the logit interval by the delta method; method "logit" gives the same
    # interval through an IRLS fit whose estimate is converged only to ~1e-8
    ci <- svyciprop(as.formula(paste0("~", v)), s, method = "xlogit", df = df)
    p <- paste(tag, v, key, sep = "|")
    put(paste0("share|", p), as.numeric(coef(ci)))
    put(paste0("share_se|", p), sqrt(as.numeric(attr(ci, "var"))))
    put(paste0("share_lo|", p), as.numeric(attr(ci, "ci")[1]))
    put(paste0("share_hi|", p), as.numeric(attr(ci, "ci")[2]))
    put(paste0("share_df|", p), df)
  }
}

# gap of two domains' means: svyby(covmat = TRUE) + svycontrast, t on the df of the union
gap <- function(des, ra, rb, key, tag, v) {
  oka <- ra & !is.na(d[[v]])
  okb <- rb & !is.na(d[[v]])
  s <- subset(des, oka | okb)
  s <- update(s, grp = factor(ifelse(oka[oka | okb], "a", "b"), levels = c("a", "b")))
  by <- svyby(as.formula(paste0("~", v)), ~grp, s, svymean, covmat = TRUE)
  df <- degf(s)
  t <- qt(0.975, df)
  cd <- svycontrast(by, c(a = 1, b = -1))
  cr <- svycontrast(by, quote(a / b - 1))
  p <- paste(tag, v, key, sep = "|")
  for (x in list(list("diff", cd), list("rel", cr))) {
    e <- as.numeric(coef(x[[2]]))
    se <- sqrt(as.numeric(vcov(x[[2]])))
    put(paste0(x[[1]], "|", p), e)
    put(paste0(x[[1]], "_se|", p), se)
    put(paste0(x[[1]], "_lo|", p), e - t * se)
    put(paste0(x[[1]], "_hi|", p), e + t * se)
    put(paste0(x[[1]], "_df|", p), df)
  }
}

for (tag in names(designs)) {
  des <- designs[[tag]]
  domain(des, rep(TRUE, n), "", tag)
  for (cl in sort(unique(na.omit(d$cell))))
    domain(des, !is.na(d$cell) & d$cell == cl, cl, tag)
  for (j in c("soin", "educ", "admin")) {
    inj <- !is.na(d$emploi) & d$emploi == j
    for (v in c("monthly", "hourly")) {
      gap(des, inj & d$statut == "prive_non_lucratif", inj & d$statut == "public",
          paste0(j, ";prive_non_lucratif;public"), tag, v)
      gap(des, inj & d$statut == "prive_lucratif", inj & d$statut == "public",
          paste0(j, ";prive_lucratif;public"), tag, v)
      gap(des, inj & d$statut == "prive_non_lucratif", inj & d$statut == "prive_lucratif",
          paste0(j, ";prive_non_lucratif;prive_lucratif"), tag, v)
    }
  }
}

# ---- analyse gender: means and medians by sex, the Eurostat gap, the regression
suppressPackageStartupMessages(library(sandwich))
d$female <- as.numeric(d$genre == "f")
designs <- list(design = svydesign(ids = ~etab, weights = ~poids, data = d),
                iid = svydesign(ids = ~1, data = d))
for (tag in names(designs)) {
  des <- designs[[tag]]
  groupings <- list(list("", rep(TRUE, n)))
  for (j in c("soin", "educ", "admin"))
    groupings[[length(groupings) + 1]] <- list(paste0("job|", j), !is.na(d$emploi) & d$emploi == j)
  for (st in c("public", "prive_lucratif", "prive_non_lucratif"))
    groupings[[length(groupings) + 1]] <- list(paste0("employer_sector|", st), d$statut == st)
  for (g in groupings) {
    key <- g[[1]]
    rows <- g[[2]] & !is.na(d$hourly)
    for (sx in c("f", "h")) {
      s <- subset(des, rows & d$genre == sx)
      df <- degf(s)
      m <- svymean(~hourly, s)
      se <- sqrt(as.numeric(vcov(m)))
      p <- paste("g", tag, sx, key, sep = "|")
      put(paste0("mean|", p), coef(m))
      put(paste0("mean_se|", p), se)
      put(paste0("mean_lo|", p), coef(m) - qt(0.975, df) * se)
      put(paste0("mean_hi|", p), coef(m) + qt(0.975, df) * se)
      put(paste0("mean_df|", p), df)
      put(paste0("pop|", p), sum(weights(s)))
      q <- svyquantile(~hourly, s, 0.5, qrule = "math", interval.type = "mean", ci = TRUE, df = df)[[1]]
      put(paste0("median|", p), q[1, 1])
      put(paste0("median_lo|", p), q[1, 2])
      put(paste0("median_hi|", p), q[1, 3])
      put(paste0("median_se|", p), q[1, 4])
    }
    s <- subset(des, rows)
    by <- svyby(~hourly, ~genre, s, svymean, covmat = TRUE)
    cg <- svycontrast(by, quote(1 - f / h))
    e <- as.numeric(coef(cg))
    se <- sqrt(as.numeric(vcov(cg)))
    df <- degf(s)
    p <- paste("g", tag, "gap", key, sep = "|")
    put(paste0("gap|", p), e)
    put(paste0("gap_se|", p), se)
    put(paste0("gap_lo|", p), e - qt(0.975, df) * se)
    put(paste0("gap_hi|", p), e + qt(0.975, df) * se)
    put(paste0("gap_df|", p), df)
  }
}
# the regression: log hourly pay on sex, seniority, hours, job, sector (first level
# of each factor as reference), on the complete rows; weighted with design SEs
# (svyglm) or OLS with classical and sandwich SEs
d$emploi_f <- factor(d$emploi, levels = c("soin", "educ", "admin", "rare"))
d$statut_f <- factor(d$statut, levels = c("public", "prive_lucratif", "prive_non_lucratif"))
d$ly <- log(d$hourly)
cc <- !is.na(d$ly) & !is.na(d$anc) & !is.na(d$emploi) & !is.na(d$genre)
terms <- c("(intercept)", "sex=f", "seniority", "hours", "job=educ", "job=admin", "job=rare",
           "employer_sector=prive_lucratif", "employer_sector=prive_non_lucratif")
fml <- ly ~ female + anc + duree + emploi_f + statut_f
des <- svydesign(ids = ~etab, weights = ~poids, data = d)
m <- svyglm(fml, design = subset(des, cc))
b <- coef(m); se <- sqrt(diag(vcov(m))); df <- m$df.residual
for (k in seq_along(terms)) {
  p <- paste("ols|design", terms[k], sep = "|")
  put(paste0("b|", p), b[k]); put(paste0("se|", p), se[k]); put(paste0("df|", p), df)
  put(paste0("lo|", p), b[k] - qt(0.975, df) * se[k]); put(paste0("hi|", p), b[k] + qt(0.975, df) * se[k])
}
lw <- summary(lm(fml, data = d[cc, ], weights = poids))
put("r2|design", lw$r.squared); put("adjr2|design", lw$adj.r.squared); put("sigma|design", lw$sigma)
l <- lm(fml, data = d[cc, ])
sl <- summary(l)
put("r2|iid", sl$r.squared); put("adjr2|iid", sl$adj.r.squared); put("sigma|iid", sl$sigma)
vs <- list(classical = vcov(l), hc0 = vcovHC(l, "HC0"), hc1 = vcovHC(l, "HC1"),
           hc2 = vcovHC(l, "HC2"), hc3 = vcovHC(l, "HC3"))
for (kind in names(vs)) {
  se <- sqrt(diag(vs[[kind]])); df <- l$df.residual
  for (k in seq_along(terms)) {
    p <- paste("ols", kind, terms[k], sep = "|")
    put(paste0("b|", p), coef(l)[k]); put(paste0("se|", p), se[k]); put(paste0("df|", p), df)
    put(paste0("lo|", p), coef(l)[k] - qt(0.975, df) * se[k])
    put(paste0("hi|", p), coef(l)[k] + qt(0.975, df) * se[k])
  }
}

# Oaxaca-Blinder by hand (iid): the men's (A) and women's (B) models, HC1 covariances,
# V(xbar_g) = cov(X_g) / n_g; references women (a = 0), Reimers (1/2), Cotton (n_A / n),
# b* = a b_A + (1 - a) b_B; threefold from the women's side (Jann 2008)
fo <- ly ~ anc + duree + emploi_f + statut_f
gA <- d[cc & d$genre == "h", ]; gB <- d[cc & d$genre == "f", ]
lA <- lm(fo, data = gA); lB <- lm(fo, data = gB)
XA <- model.matrix(lA); XB <- model.matrix(lB)
bA <- coef(lA); bB <- coef(lB); VA <- vcovHC(lA, "HC1"); VB <- vcovHC(lB, "HC1")
nA <- nrow(XA); nB <- nrow(XB)
xA <- colMeans(XA); xB <- colMeans(XB); SA <- cov(XA) / nA; SB <- cov(XB) / nB
dd <- xA - xB; D <- bA - bB
gap <- mean(gA$ly) - mean(gB$ly)
q <- function(x, M, y) as.numeric(t(x) %*% M %*% y)
for (rf in list(list("women", 0), list("reimers", 0.5), list("cotton", nA / (nA + nB)))) {
  a <- rf[[2]]
  bs <- a * bA + (1 - a) * bB
  xw <- (1 - a) * xA + a * xB
  E <- sum(dd * bs)
  put(paste0("ob|E|", rf[[1]]), E)
  put(paste0("ob|U|", rf[[1]]), gap - E)
  put(paste0("ob|E_se|", rf[[1]]), sqrt(q(dd, a^2 * VA + (1 - a)^2 * VB, dd) + q(bs, SA + SB, bs)))
  put(paste0("ob|U_se|", rf[[1]]), sqrt(q(xw, VA + VB, xw) + q(D, (1 - a)^2 * SA + a^2 * SB, D)))
}
put("ob|gap", gap)
put("ob|gap_se", sqrt(var(gA$ly) / nA + var(gB$ly) / nB))
put("ob3|E", sum(dd * bB)); put("ob3|C", sum(xB * D)); put("ob3|I", sum(dd * D))
put("ob3|E_se", sqrt(q(dd, VB, dd) + q(bB, SA + SB, bB)))
put("ob3|C_se", sqrt(q(xB, VA + VB, xB) + q(D, SB, D)))
put("ob3|I_se", sqrt(q(dd, VA + VB, dd) + q(D, SA + SB, D)))

# Neumark's reference (1988): the pooled model over both sexes without the sex dummy
# (Jann's oaxaca `omega`), HC1; V(E) as above; V(U) needs the pooled and group models'
# covariance (suest) and is not published
lN <- lm(fo, data = d[cc, ]); bN <- coef(lN); VN <- vcovHC(lN, "HC1")
put("ob|E|neumark", sum(dd * bN)); put("ob|U|neumark", gap - sum(dd * bN))
put("ob|E_se|neumark", sqrt(q(dd, VN, dd) + q(bN, SA + SB, bN)))

r <- data.frame(name = names(ref), value = sprintf("%.17g", unlist(ref)))
write.csv(r, "tests/r/pay_design_reference.csv", row.names = FALSE, quote = TRUE)
cat("wrote", nrow(d), "employees of", n_est, "establishments,", nrow(r), "reference values\n")
