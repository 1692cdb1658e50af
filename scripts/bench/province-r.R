# The peer of `sipas report --profile tinh.yaml` in the benchmark: what the province workbook
# computes, with R's survey package, the way an analyst would: the province estimate of the overall
# index (units as strata), each unit's overall index on its own forms (svydesign per unit,
# svytotal, svycontrast), and rank intervals from 2,000 joint normal draws on the logit scale.
# Usage: Rscript province-r.R DATA.csv QUESTIONNAIRE.yaml
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
vars <- c(paste0("y_", sapply(crit, `[[`, "id")), paste0("a_", sapply(crit, `[[`, "id")))
totals <- as.formula(paste("~", paste(vars, collapse = "+")))
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
overall <- parse(text = expr_of(q$scoring$overall))[[1]]
# check.strata = FALSE: with ids = ~1 the check tabulates forms × units (2^31 cells at 10,000 units).
province <- svycontrast(svytotal(totals, svydesign(ids = ~1, strata = ~unit, data = df, check.strata = FALSE)), overall)
units <- split(df, df$unit)
est <- t(sapply(units, function(x) {
  e <- svycontrast(svytotal(totals, svydesign(ids = ~1, data = x)), overall)
  c(as.numeric(coef(e)), as.numeric(SE(e)))
}))
p <- est[, 1]; se <- est[, 2] / (p * (1 - p))
set.seed(2026)
draws <- matrix(rnorm(length(p) * 2000), nrow = length(p)) * se + qlogis(p)
ranks <- apply(-draws, 2, rank, ties.method = "min")
bounds <- apply(ranks, 1, quantile, probs = c(0.025, 0.975), type = 1)
cat(sprintf("province %.6f se %.6f; %d units; rank interval of the first: %d-%d\n",
            as.numeric(coef(province)), as.numeric(SE(province)), length(p), bounds[1, 1], bounds[2, 1]))
