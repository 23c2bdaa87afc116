"""The seven public insights: one module per page, each with one function returning plain rows.

The page, its chart, its CSV and XLSX downloads and the JSON API all read these rows, so they can
never disagree. Each function runs a small, fixed number of aggregate queries whatever the size of
the data; `insights.floors` computes the same rows with one hand-written SQL query each, except for
volumes and value, whose figures and flags are `volumes.selectors`' and `volumes.flags`' own (a floor
would be a second copy of the flag rules). What the pages share (rounding, organisation groups, the
area-path lookup) is in `common`.
"""
