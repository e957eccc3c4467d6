-- compiled by ibis-framework 12.0.0 with sqlglot 30.31.0
SELECT
  "t1"."region",
  "t1"."store",
  COUNT(*) AS "_cx_n",
  SUM(CAST("t1"."_cx_w" > 0 AS BIGINT)) AS "_cx_n_pos",
  COUNT("t1"."weight") AS "_cx_n_w",
  MIN("t1"."_cx_w") AS "_cx_w_min",
  SUM("t1"."_cx_w") AS "_cx_sw"
FROM (
  SELECT
    "t0"."response_id",
    "t0"."month",
    "t0"."channel",
    "t0"."region",
    "t0"."store",
    "t0"."nps",
    "t0"."csat",
    "t0"."resolved",
    "t0"."weight",
    "t0"."weight" AS "_cx_w"
  FROM "feedback" AS "t0"
) AS "t1"
GROUP BY
  1,
  2
