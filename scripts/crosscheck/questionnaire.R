# The scoring rules of a questionnaire YAML, rebuilt here independently of sipas, for the R
# cross-checks (survey-crosscheck.R, change-crosscheck.R), which source this file.
#   criteria_of(q)             the items with a satisfied set (the criteria)
#   add_scored_columns(df, q)  per criterion: y_ID (satisfied), a_ID (a valid answer), m_ID (the code, 0 if not valid)
#   index_terms(q)             a function(id, answered): the index as terms list(list(coef, crit)),
#                              criteria without answers left out (mean of the others)

satisfied_codes_of <- function(q, item) if (is.null(item$scale)) NULL else unlist(q$scoring$satisfied[[item$scale]])

criteria_of <- function(q) {
  items <- unlist(lapply(q$sections, function(s) s$items), recursive = FALSE)
  Filter(function(i) !is.null(satisfied_codes_of(q, i)), items)
}

add_scored_columns <- function(df, q) {
  option_count <- function(item) if (!is.null(item$scale)) length(q$scales[[item$scale]]$options) else length(item$options)
  for (item in criteria_of(q)) {
    code <- suppressWarnings(as.integer(df[[item$id]]))
    if (is.null(df[[item$id]])) code <- rep(NA_integer_, nrow(df))
    valid <- !is.na(code) & code >= 1 & code <= option_count(item)
    df[[paste0("y_", item$id)]] <- as.numeric(valid & code %in% satisfied_codes_of(q, item))
    df[[paste0("a_", item$id)]] <- as.numeric(valid)
    df[[paste0("m_", item$id)]] <- ifelse(valid, code, 0)
  }
  df
}

index_terms <- function(q) {
  index_by_id <- setNames(q$scoring$indices, sapply(q$scoring$indices, function(i) i$id))
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
  terms_of
}
