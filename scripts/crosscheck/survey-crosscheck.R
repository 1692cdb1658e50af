# Recomputes what `sipas analyze --json` reports, independently, with R's survey package,
# and fails when the two disagree.
#
# Usage: Rscript survey-crosscheck.R DATA.csv QUESTIONNAIRE.yaml SIPAS.json METHOD [POPULATIONS]
#   METHOD       logit | beta (the --ci sipas was run with)
#   POPULATIONS  optional "XA01=500,XA02=800": dossiers per unit (weights N/n, fpc)
#
# The index tree is rebuilt from the questionnaire YAML here, not taken from sipas; composite
# indices are svycontrast() of svyratio() estimates; intervals follow ../shared/domain/sipas-method.md §4.
# Tolerances (from the issue): estimates and standard errors 1e-9, bounds 1e-6.

suppressPackageStartupMessages({
  library(survey)
  library(yaml)
  library(jsonlite)
})
options(survey.lonely.psu = "adjust", warn = 1)

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 4) stop("usage: survey-crosscheck.R DATA.csv QUESTIONNAIRE.yaml SIPAS.json METHOD [POPULATIONS]")
csv <- args[1]; yaml_file <- args[2]; json_file <- args[3]; method <- args[4]
pops <- if (length(args) >= 5 && nzchar(args[5])) args[5] else NULL

q <- read_yaml(yaml_file)
res <- fromJSON(json_file, simplifyVector = FALSE)
df <- read.csv(csv, colClasses = "character", na.strings = "", fileEncoding = "UTF-8-BOM", check.names = FALSE)
df$unit[is.na(df$unit)] <- ""
level <- res$level
tol_est <- 1e-9
tol_bound <- 1e-6

# Items with a satisfied set are the criteria.
items <- unlist(lapply(q$sections, function(s) s$items), recursive = FALSE)
item_by_id <- setNames(items, sapply(items, function(i) i$id))
option_count <- function(item) {
  if (!is.null(item$scale)) length(q$scales[[item$scale]]$options) else length(item$options)
}
satisfied_codes <- function(item) if (is.null(item$scale)) NULL else unlist(q$scoring$satisfied[[item$scale]])
criteria <- Filter(function(i) !is.null(satisfied_codes(i)), items)
for (item in criteria) {
  code <- suppressWarnings(as.integer(df[[item$id]]))
  if (is.null(df[[item$id]])) code <- rep(NA_integer_, nrow(df))
  valid <- !is.na(code) & code >= 1 & code <= option_count(item)
  df[[paste0("y_", item$id)]] <- as.numeric(valid & code %in% satisfied_codes(item))
  df[[paste0("a_", item$id)]] <- as.numeric(valid)
  df[[paste0("m_", item$id)]] <- ifelse(valid, code, 0)
}

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

# An index as terms: list(list(coef, criteria)), leaving out criteria without answers (mean of the others).
terms_of <- function(id, answered) {
  ix <- index_by_id[[id]]
  agg <- if (!is.null(ix$aggregate)) ix$aggregate else if (!is.null(ix$question)) "overall-question" else "mean"
  leaves <- function(id) {
    ix <- index_by_id[[id]]
    if (!is.null(ix$question)) return(ix$question)
    if (!is.null(ix$criteria)) return(unlist(ix$criteria))
    unlist(lapply(ix$components, leaves))
  }
  if (!is.null(ix$question)) {
    if (!answered[[ix$question]]) return(NULL)
    return(list(list(coef = 1, crit = ix$question)))
  }
  if (agg == "pooled") {
    crit <- unique(leaves(id))
    crit <- crit[sapply(crit, function(c) answered[[c]])]
    if (length(crit) == 0) return(NULL)
    return(list(list(coef = 1, crit = crit)))
  }
  if (!is.null(ix$criteria)) {
    crit <- unlist(ix$criteria)
    crit <- crit[sapply(crit, function(c) answered[[c]])]
    if (length(crit) == 0) return(NULL)
    return(lapply(crit, function(c) list(coef = 1 / length(crit), crit = c)))
  }
  comps <- unlist(ix$components)
  parts <- lapply(comps, function(c) terms_of(c, answered))
  keep <- !sapply(parts, is.null)
  if (!any(keep)) return(NULL)
  w <- if (agg == "weights") unlist(ix$weights)[comps] else rep(1, length(comps))
  w <- w[keep] / sum(w[keep])
  out <- list()
  for (k in seq_along(parts[keep])) {
    for (t in parts[keep][[k]]) out[[length(out) + 1]] <- list(coef = t$coef * w[k], crit = t$crit)
  }
  out
}

failures <- 0
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

compare_sample <- function(d, sample, label) {
  if (nrow(d) < 2) {
    # R cannot build a design from one respondent; sipas must fall back to Clopper-Pearson there.
    for (ix in sample$indices) if (ix$method != "clopper-pearson") stop(sprintf("%s: %s uses %s on one respondent", label, ix$id, ix$method))
    cat(sprintf("  %s: one respondent, R has no design; sipas used Clopper-Pearson\n", label))
    return(invisible(NULL))
  }
  design <- make_design(d)
  df_design <- degf(design)
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
    check(sprintf("%s criterion %s value", label, item$id), p, s$value, tol_est, "est")
    check(sprintf("%s criterion %s se", label, item$id), as.numeric(SE(r)), s$se, tol_est, "se")
    if (is.null(pops)) {
      # Wilson = the score test interval without continuity correction.
      x <- sum(d[[paste0("y_", item$id)]])
      ci <- if (x == 0) c(0, prop.test(x, n, correct = FALSE, conf.level = level)$conf.int[2]) else
        prop.test(x, n, correct = FALSE, conf.level = level)$conf.int
    } else {
      ci <- (p + z^2 / (2 * n) + c(-1, 1) * z * sqrt(p * (1 - p) / n + z^2 / (4 * n^2))) / (1 + z^2 / n)
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
    dd <- d
    for (k in seq_along(terms)) {
      crit <- terms[[k]]$crit
      dd[[paste0("Y", k)]] <- Reduce(`+`, lapply(crit, function(c) d[[paste0("y_", c)]]))
      dd[[paste0("A", k)]] <- Reduce(`+`, lapply(crit, function(c) d[[paste0("a_", c)]]))
    }
    des <- make_design(dd)
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
    if (s$method == "clopper-pearson") next  # degenerate fallback, checked by unit tests
    check(sprintf("%s index %s se", label, id), se, s$se, tol_est, "se")
    n_resp <- sum(Reduce(`|`, lapply(unique(unlist(lapply(terms, `[[`, "crit"))), function(c) d[[paste0("a_", c)]] > 0)))
    check(sprintf("%s index %s n", label, id), n_resp, s$n, 0, "est")
    if (method == "logit") {
      ci <- expit(log(I / (1 - I)) + c(-1, 1) * qt(1 - alpha / 2, df_design) * se / (I * (1 - I)))
    } else {
      n_eff <- I * (1 - I) / se^2 * (qt(alpha / 2, nrow(dd) - 1) / qt(alpha / 2, df_design))^2
      n_eff <- min(n_eff, n_resp)
      ci <- c(qbeta(alpha / 2, n_eff * I, n_eff * (1 - I) + 1), qbeta(1 - alpha / 2, n_eff * I + 1, n_eff * (1 - I)))
    }
    check(sprintf("%s index %s lower", label, id), ci[1], s$lower, tol_bound, "bound")
    check(sprintf("%s index %s upper", label, id), ci[2], s$upper, tol_bound, "bound")
  }
}

compare_sample(df, res, "all")
groups <- res$groups
for (g in groups) {
  rows <- if (g$by %in% c("unit", "field", "channel")) which(df[[g$by]] == g$value) else which(df[[g$by]] == g$value)
  compare_sample(df[rows, , drop = FALSE], g, sprintf("%s=%s", g$by, g$value))
}
cat(sprintf("R survey %s cross-check (%s%s): %d rows, %d groups; largest |diff| estimate %.2g, se %.2g, bound %.2g\n",
            as.character(packageVersion("survey")), method, if (is.null(pops)) "" else ", weighted with fpc",
            nrow(df), length(groups), worst["est"], worst["se"], worst["bound"]))
if (failures > 0) {
  cat(sprintf("%d mismatches\n", failures))
  quit(status = 1)
}
cat("0 mismatches\n")
