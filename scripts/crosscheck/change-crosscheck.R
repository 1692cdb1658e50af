# Recomputes the "change" of `sipas analyze --compare-to --json` with R's survey package: the two
# periods in one design with strata = period × unit, each index per period by
# svyby(…, ~period, design, svytotal), the difference of the indices by svycontrast(), the interval with t on
# degf(design). Fails when sipas disagrees (estimates and SEs 1e-9, bounds 1e-6).
#
# Usage: Rscript change-crosscheck.R NOW.csv PREVIOUS.csv QUESTIONNAIRE.yaml SIPAS.json

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
if (length(args) < 4) stop("usage: change-crosscheck.R NOW.csv PREVIOUS.csv QUESTIONNAIRE.yaml SIPAS.json")
q <- read_yaml(args[3])
res <- fromJSON(args[4], simplifyVector = FALSE)
read <- function(f, period) {
  d <- read.csv(f, colClasses = "character", na.strings = "", fileEncoding = "UTF-8-BOM", check.names = FALSE)
  d$unit[is.na(d$unit)] <- ""
  d$period <- period
  d
}
now <- read(args[1], "now"); before <- read(args[2], "before")
df <- rbind(now[, intersect(names(now), names(before))], before[, intersect(names(now), names(before))])
df$stratum <- paste(df$period, df$unit)

criteria <- criteria_of(q)
df <- add_scored_columns(df, q)
terms_of <- index_terms(q)
index_by_id <- setNames(q$scoring$indices, sapply(q$scoring$indices, function(i) i$id))
answered <- function(period) {
  a <- list()
  for (item in criteria) a[[item$id]] <- sum(df[[paste0("a_", item$id)]][df$period == period]) > 0
  a
}
failures <- 0
worst <- c(est = 0, se = 0, bound = 0)
check <- function(what, ours, theirs, tol, kind) {
  d <- abs(as.numeric(ours) - as.numeric(if (is.null(theirs)) NA else theirs))
  if (is.na(d)) { cat(sprintf("MISMATCH %s: R %s, sipas %s\n", what, format(ours), format(theirs))); failures <<- failures + 1; return(invisible()) }
  worst[kind] <<- max(worst[kind], d)
  if (d > tol) { cat(sprintf("MISMATCH %s: R %.15g, sipas %.15g\n", what, ours, theirs)); failures <<- failures + 1 }
}
changes <- setNames(res$change, sapply(res$change, function(c) c$id))
alpha <- 1 - res$level
checked <- 0
for (id in names(index_by_id)) {
  t_now <- terms_of(id, answered("now")); t_before <- terms_of(id, answered("before"))
  if (is.null(t_now) || is.null(t_before)) { if (!is.null(changes[[id]])) { cat("MISMATCH", id, "has a change in sipas but no value in a period\n"); failures <- failures + 1 }; next }
  # One column pair per criterion set used by either period.
  sets <- unique(c(lapply(t_now, `[[`, "crit"), lapply(t_before, `[[`, "crit")))
  dd <- df
  for (k in seq_along(sets)) {
    dd[[paste0("Y", k)]] <- Reduce(`+`, lapply(sets[[k]], function(c) df[[paste0("y_", c)]]))
    dd[[paste0("A", k)]] <- Reduce(`+`, lapply(sets[[k]], function(c) df[[paste0("a_", c)]]))
  }
  des <- suppressWarnings(svydesign(ids = ~1, strata = ~stratum, data = dd))
  K <- length(sets)
  # Totals of every Y and A per period with their covariance, then the difference of the two
  # indices as a (non-linear) contrast of them: svycontrast's delta method.
  by <- svyby(as.formula(paste("~", paste0(c(paste0("Y", 1:K), paste0("A", 1:K)), collapse = "+"))), ~period, des, svytotal, covmat = TRUE)
  term <- function(terms, period) {
    paste(sapply(terms, function(t) {
      k <- which(sapply(sets, function(s) identical(s, t$crit)))
      sprintf("%.17g * `%s:Y%d` / `%s:A%d`", t$coef, period, k, period, k)
    }), collapse = " + ")
  }
  expr <- parse(text = sprintf("(%s) - (%s)", term(t_now, "now"), term(t_before, "before")))[[1]]
  est <- svycontrast(by, expr)
  value <- as.numeric(coef(est)); se <- as.numeric(SE(est))
  s <- changes[[id]]
  check(sprintf("change %s value", id), value, s$value, 1e-9, "est")
  check(sprintf("change %s se", id), se, s$se, 1e-9, "se")
  check(sprintf("change %s df", id), degf(des), s$df, 0, "est")
  ci <- value + c(-1, 1) * qt(1 - alpha / 2, degf(des)) * se
  check(sprintf("change %s lower", id), ci[1], s$lower, 1e-6, "bound")
  check(sprintf("change %s upper", id), ci[2], s$upper, 1e-6, "bound")
  verdict <- if (ci[1] > 0) "increase" else if (ci[2] < 0) "decrease" else "inconclusive"
  if (verdict != s$verdict) { cat("MISMATCH change", id, "verdict: R", verdict, "sipas", s$verdict, "\n"); failures <- failures + 1 }
  checked <- checked + 1
}
cat(sprintf("R survey %s change cross-check: %d + %d rows, %d indices; largest |diff| estimate %.2g, se %.2g, bound %.2g\n",
            as.character(packageVersion("survey")), nrow(now), nrow(before), checked, worst["est"], worst["se"], worst["bound"]))
if (failures > 0) { cat(sprintf("%d mismatches\n", failures)); quit(status = 1) }
cat("0 mismatches\n")
