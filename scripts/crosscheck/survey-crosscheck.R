# Recomputes what `sipas analyze --json` reports, independently, with R's survey package,
# and fails when the two disagree.
#
# Usage: Rscript survey-crosscheck.R DATA.csv QUESTIONNAIRE.yaml SIPAS.json METHOD CRITERION [POPULATIONS]
#   METHOD       beta-capped | logit | beta (the --ci sipas was run with)
#   CRITERION    wilson | exact | logit | beta (the --criterion-ci sipas was run with)
#   POPULATIONS  optional "XA01=500,XA02=800": dossiers per unit (weights N/n, fpc)
#
# The index tree is rebuilt from the questionnaire YAML here, not taken from sipas; composite
# indices are svycontrast() of svyratio() estimates; intervals follow ../shared/domain/sipas-method.md §4.
# Every group of --by is a domain of the whole design: subset(design, g == v), as svyby() does.
# Criterion bounds "logit" and "beta" are svyciprop() itself on the domain of the valid answers.
# Tolerances (from the issue): estimates and standard errors 1e-9, bounds 1e-6.

suppressPackageStartupMessages({
  library(survey)
  library(yaml)
  library(jsonlite)
})
options(survey.lonely.psu = "adjust", warn = 1)
# Sourced from beside this script.
script_dir <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])))
source(file.path(script_dir, "questionnaire.R"))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 5) stop("usage: survey-crosscheck.R DATA.csv QUESTIONNAIRE.yaml SIPAS.json METHOD CRITERION [POPULATIONS]")
csv <- args[1]; yaml_file <- args[2]; json_file <- args[3]; method <- args[4]; criterion_method <- args[5]
pops <- if (length(args) >= 6 && nzchar(args[6])) args[6] else NULL

q <- read_yaml(yaml_file)
res <- fromJSON(json_file, simplifyVector = FALSE)
df <- read.csv(csv, colClasses = "character", na.strings = "", fileEncoding = "UTF-8-BOM", check.names = FALSE)
df$unit[is.na(df$unit)] <- ""
level <- res$level
tol_est <- 1e-9
tol_bound <- 1e-6

# The criteria and their y_/a_/m_ columns, and the index tree, from the questionnaire YAML.
criteria <- criteria_of(q)
df <- add_scored_columns(df, q)

make_design <- function(d) {
  if (is.null(pops)) return(suppressWarnings(svydesign(ids = ~1, strata = ~unit, data = d)))
  kv <- strsplit(strsplit(pops, ",")[[1]], "=")
  N <- setNames(as.numeric(sapply(kv, `[`, 2)), sapply(kv, `[`, 1))
  d$N <- N[d$unit]
  n_h <- table(d$unit)
  d$w <- d$N / as.numeric(n_h[d$unit])
  svydesign(ids = ~1, strata = ~unit, weights = ~w, fpc = ~N, data = d)
}

index_by_id <- setNames(q$scoring$indices, sapply(q$scoring$indices, function(i) i$id))

terms_of <- index_terms(q)

failures <- 0
capped <- 0
worst <- c(est = 0, se = 0, bound = 0)
check <- function(what, ours, theirs, tol, kind) {
  if (is.null(theirs)) theirs <- NA
  d <- abs(as.numeric(ours) - as.numeric(theirs))
  if (is.na(d)) {
    if (!(is.na(ours) && is.na(theirs))) {
      cat(sprintf("MISMATCH %s: R %s, sipas %s\n", what, format(ours), format(theirs)))
      failures <<- failures + 1
    }
    return(invisible())
  }
  worst[kind] <<- max(worst[kind], d)
  if (d > tol) {
    cat(sprintf("MISMATCH %s: R %.15g, sipas %.15g (|diff| %.3g > %.0e)\n", what, ours, theirs, d, tol))
    failures <<- failures + 1
  }
}

expit <- function(x) 1 / (1 + exp(-x))

# Clopper-Pearson on a (possibly fractional) size, as R's binom.test for whole counts.
clopper_pearson <- function(x, n, alpha) {
  c(if (x <= 0) 0 else qbeta(alpha / 2, x, n - x + 1), if (x >= n) 1 else qbeta(1 - alpha / 2, x + 1, n - x))
}

# The whole design, once; a group is its domain: subset(whole, g == v) (svyby() does the same).
whole <- make_design(df)
domain_of <- function(rows) {
  whole$variables$in_domain <- seq_len(nrow(df)) %in% rows
  subset(whole, in_domain)
}

compare_sample <- function(rows, sample, label) {
  d <- df[rows, , drop = FALSE]
  design <- domain_of(rows)
  df_design <- degf(design)
  check(sprintf("%s design df", label), df_design, sample$design$df, 0, "est")
  alpha <- 1 - level
  z <- qnorm(1 - alpha / 2)
  answered <- list()
  for (item in criteria) answered[[item$id]] <- sum(d[[paste0("a_", item$id)]]) > 0
  # Criteria.
  by_id <- setNames(sample$criteria, sapply(sample$criteria, function(c) c$id))
  for (item in criteria) {
    s <- by_id[[item$id]]
    n <- sum(d[[paste0("a_", item$id)]])
    check(sprintf("%s criterion %s n", label, item$id), n, s$n, 0, "est")
    if (n == 0) { check(sprintf("%s criterion %s value", label, item$id), NA, s$value, 0, "est"); next }
    r <- svyratio(as.formula(paste0("~y_", item$id)), as.formula(paste0("~a_", item$id)), design)
    p <- as.numeric(coef(r))
    se <- as.numeric(SE(r))
    check(sprintf("%s criterion %s value", label, item$id), p, s$value, tol_est, "est")
    check(sprintf("%s criterion %s se", label, item$id), se, s$se, tol_est, "se")
    x <- sum(d[[paste0("y_", item$id)]])
    if (criterion_method %in% c("wilson", "exact")) {
      # Unweighted: the valid answers; weighted: the effective size p(1-p)/Var, capped at n.
      size <- if (!is.null(pops) && p > 0 && p < 1 && se > 0) min(p * (1 - p) / se^2, n) else n
      if (criterion_method == "exact") {
        ci <- if (is.null(pops)) as.numeric(binom.test(x, n, conf.level = level)$conf.int) else clopper_pearson(p * size, size, alpha)
      } else if (is.null(pops)) {
        # Wilson = the score test interval without continuity correction.
        ci <- suppressWarnings(prop.test(x, n, correct = FALSE, conf.level = level)$conf.int)
        if (x == 0) ci[1] <- 0
      } else {
        ci <- (p + z^2 / (2 * size) + c(-1, 1) * z * sqrt(p * (1 - p) / size + z^2 / (4 * size^2))) / (1 + z^2 / size)
      }
      check(sprintf("%s criterion %s method", label, item$id), 0, if (s$method == criterion_method) 0 else 1, 0, "est")
    } else {
      # svyciprop itself, on the domain of the criterion's valid answers.
      answered_design <- design[design$variables[[paste0("a_", item$id)]] == 1, ]
      if (p <= 0 || p >= 1 || se <= 0 || degf(answered_design) < 1) {
        ci <- clopper_pearson(p * n, n, alpha)
        check(sprintf("%s criterion %s fallback", label, item$id), 0, if (s$method == "clopper-pearson") 0 else 1, 0, "est")
      } else {
        f <- as.formula(paste0("~I(y_", item$id, " == 1)"))
        ci <- as.numeric(attr(svyciprop(f, answered_design, method = criterion_method, level = level), "ci"))
      }
    }
    check(sprintf("%s criterion %s lower", label, item$id), ci[1], s$lower, tol_bound, "bound")
    check(sprintf("%s criterion %s upper", label, item$id), ci[2], s$upper, tol_bound, "bound")
    m <- svyratio(as.formula(paste0("~m_", item$id)), as.formula(paste0("~a_", item$id)), design)
    check(sprintf("%s criterion %s mean", label, item$id), as.numeric(coef(m)), s$mean, tol_est, "est")
    if (!is.null(s$mean_lower)) {
      mci <- as.numeric(coef(m)) + c(-1, 1) * qt(1 - alpha / 2, df_design) * as.numeric(SE(m))
      check(sprintf("%s criterion %s mean lower", label, item$id), mci[1], s$mean_lower, tol_bound, "bound")
      check(sprintf("%s criterion %s mean upper", label, item$id), mci[2], s$mean_upper, tol_bound, "bound")
    }
  }
  # Composite indices.
  ix_by_id <- setNames(sample$indices, sapply(sample$indices, function(i) i$id))
  for (id in names(index_by_id)) {
    s <- ix_by_id[[id]]
    terms <- terms_of(id, answered)
    if (is.null(terms)) { check(sprintf("%s index %s value", label, id), NA, s$value, 0, "est"); next }
    des <- design
    for (k in seq_along(terms)) {
      crit <- terms[[k]]$crit
      des$variables[[paste0("Y", k)]] <- Reduce(`+`, lapply(crit, function(c) des$variables[[paste0("y_", c)]]))
      des$variables[[paste0("A", k)]] <- Reduce(`+`, lapply(crit, function(c) des$variables[[paste0("a_", c)]]))
    }
    K <- length(terms)
    num <- as.formula(paste("~", paste0("Y", 1:K, collapse = "+")))
    den <- as.formula(paste("~", paste0("A", 1:K, collapse = "+")))
    r <- svyratio(num, den, des, covmat = TRUE)
    contrast <- setNames(sapply(terms, `[[`, "coef"), paste0("Y", 1:K, "/A", 1:K))
    full <- setNames(rep(0, length(coef(r))), names(coef(r)))
    full[names(contrast)] <- contrast
    est <- svycontrast(r, full)
    I <- as.numeric(coef(est))
    se <- as.numeric(SE(est))
    check(sprintf("%s index %s value", label, id), I, s$value, tol_est, "est")
    check(sprintf("%s index %s se", label, id), se, s$se, tol_est, "se")
    n_resp <- sum(Reduce(`|`, lapply(unique(unlist(lapply(terms, `[[`, "crit"))), function(c) d[[paste0("a_", c)]] > 0)))
    check(sprintf("%s index %s n", label, id), n_resp, s$n, 0, "est")
    if (I <= 0 || I >= 1 || se <= 0 || df_design < 1) {
      # Degenerate: sipas falls back to Clopper-Pearson (bounds checked by unit tests).
      check(sprintf("%s index %s fallback", label, id), 0, if (s$method == "clopper-pearson") 0 else 1, 0, "est")
      next
    }
    if (method == "logit") {
      ci <- expit(log(I / (1 - I)) + c(-1, 1) * qt(1 - alpha / 2, df_design) * se / (I * (1 - I)))
    } else {
      # svyciprop's "beta" on the linearised variance (not capped at n, as R); "beta-capped" (sipas's
      # default) takes the smaller of that effective size and the respondents, then the same
      # Clopper-Pearson.
      n_eff <- I * (1 - I) / se^2 * (qt(alpha / 2, nrow(des) - 1) / qt(alpha / 2, df_design))^2
      if (method == "beta-capped" && n_eff > n_resp) { n_eff <- n_resp; capped <<- capped + 1 }
      ci <- c(qbeta(alpha / 2, n_eff * I, n_eff * (1 - I) + 1), qbeta(1 - alpha / 2, n_eff * I + 1, n_eff * (1 - I)))
    }
    check(sprintf("%s index %s method %s", label, id, s$method), 0, if (s$method == method) 0 else 1, 0, "est")
    check(sprintf("%s index %s lower", label, id), ci[1], s$lower, tol_bound, "bound")
    check(sprintf("%s index %s upper", label, id), ci[2], s$upper, tol_bound, "bound")
  }
}

compare_sample(seq_len(nrow(df)), res, "all")
groups <- res$groups
for (g in groups) {
  rows <- which(!is.na(df[[g$by]]) & df[[g$by]] == g$value)
  compare_sample(rows, g, sprintf("%s=%s", g$by, g$value))
}
cat(sprintf("R survey %s cross-check (%s%s): %d rows, %d groups; largest |diff| estimate %.2g, se %.2g, bound %.2g%s\n",
            as.character(packageVersion("survey")), method, if (is.null(pops)) "" else ", weighted with fpc",
            nrow(df), length(groups), worst["est"], worst["se"], worst["bound"],
            if (method == "beta-capped") sprintf("; %d indices capped at their respondents", capped) else ""))
if (method == "beta-capped" && capped == 0) {
  cat("no index had its effective size capped: this run does not test the cap\n")
  failures <- failures + 1
}
if (failures > 0) {
  cat(sprintf("%d mismatches\n", failures))
  quit(status = 1)
}
cat("0 mismatches\n")
