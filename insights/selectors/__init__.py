"""The six public insights: one module per page, each with one function returning plain rows.

The page, its chart, its CSV and XLSX downloads and the JSON API all read these rows, so they can
never disagree. Each function runs a small, fixed number of aggregate queries whatever the size of
the data; `insights.floors` computes the same rows with one hand-written SQL query each. What the
pages share (rounding, organisation groups, the area-path lookup) is in `common`.
"""
