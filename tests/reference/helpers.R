# Shared by the make_*reference.R scripts: print R values as Python literals.
num <- function(x) ifelse(is.na(x), "float('nan')", ifelse(is.infinite(x), ifelse(x > 0, "float('inf')", "-float('inf')"), formatC(as.numeric(x), digits = 17, format = "g")))
vec <- function(x) paste0("[", paste(num(x), collapse = ", "), "]")
strs <- function(x) paste0("[", paste0("'", x, "'", collapse = ", "), "]")
emit <- function(name, x) cat(name, " = ", x, "\n", sep = "")
pystr <- function(x) encodeString(as.character(x), quote = '"')
rowmajor <- function(m) vec(t(as.matrix(m)))
