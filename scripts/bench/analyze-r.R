# The peer of `sipas analyze` in the benchmark: the same criteria and composite indices with
# R's survey package, the way an analyst would: fread, svydesign with units as strata,
# svytotal of satisfied/valid indicators, svycontrast for each ratio and index, logit intervals.
# Usage: Rscript analyze-r.R DATA.csv QUESTIONNAIRE.yaml
suppressPackageStartupMessages({ library(survey); library(data.table); library(yaml) })
options(survey.lonely.psu = "adjust")
args <- commandArgs(trailingOnly = TRUE)
q <- read_yaml(args[2])
dt <- fread(args[1], colClasses = "character", na.strings = "", encoding = "UTF-8")
items <- unlist(lapply(q$sections, function(s) s$items), recursive = FALSE)
crit <- Filter(function(i) !is.null(i$scale) && !is.null(q$scoring$satisfied[[i$scale]]), items)
df <- data.frame(unit = dt$unit)
for (it in crit) {
  code <- as.integer(dt[[it$id]])
  valid <- !is.na(code) & code >= 1 & code <= length(q$scales[[it$scale]]$options)
  df[[paste0("y_", it$id)]] <- as.numeric(valid & code %in% unlist(q$scoring$satisfied[[it$scale]]))
  df[[paste0("a_", it$id)]] <- as.numeric(valid)
}
d <- svydesign(ids = ~1, strata = ~unit, data = df)
vars <- c(paste0("y_", sapply(crit, `[[`, "id")), paste0("a_", sapply(crit, `[[`, "id")))
tot <- svytotal(as.formula(paste("~", paste(vars, collapse = "+"))), d)
ix <- setNames(q$scoring$indices, sapply(q$scoring$indices, `[[`, "id"))
expr_of <- function(id) {
  i <- ix[[id]]
  if (!is.null(i$criteria)) {
    parts <- sprintf("y_%s/a_%s", unlist(i$criteria), unlist(i$criteria))
    return(sprintf("(%s)/%d", paste(parts, collapse = "+"), length(parts)))
  }
  comps <- unlist(i$components)
  w <- if (!is.null(i$weights)) unlist(i$weights)[comps] else rep(1 / length(comps), length(comps))
  paste(sprintf("%.17g*(%s)", w, sapply(comps, expr_of)), collapse = "+")
}
out <- list()
for (it in crit) out[[it$id]] <- svycontrast(tot, parse(text = sprintf("y_%s/a_%s", it$id, it$id))[[1]])
for (id in names(ix)) out[[id]] <- svycontrast(tot, parse(text = expr_of(id))[[1]])
df_t <- degf(d)
for (id in names(out)) {
  I <- as.numeric(coef(out[[id]])); se <- as.numeric(SE(out[[id]]))
  ci <- plogis(qlogis(I) + c(-1, 1) * qt(0.975, df_t) * se / (I * (1 - I)))
  cat(sprintf("%-16s %.6f [%.6f, %.6f] se %.6f\n", id, I, ci[1], ci[2], se))
}
