-- compiled by ibis-framework 12.0.0 with sqlglot 30.31.0
SELECT
  "t1"."region",
  "t1"."store",
  SUM("t1"."_cx_w") FILTER(WHERE
    (
      CAST("t1"."resolved" AS DOUBLE) IS NOT NULL
    )
    AND (
      (
        CAST("t1"."resolved" AS DOUBLE) - CAST("t1"."resolved" AS DOUBLE)
      ) = 0
    )
    AND (
      (
        CAST("t1"."csat" AS DOUBLE) IS NOT NULL
      )
      AND (
        (
          CAST("t1"."csat" AS DOUBLE) - CAST("t1"."csat" AS DOUBLE)
        ) = 0
      )
    )
    AND (
      (
        CAST("t1"."nps" AS DOUBLE) IS NOT NULL
      )
      AND (
        (
          CAST("t1"."nps" AS DOUBLE) - CAST("t1"."nps" AS DOUBLE)
        ) = 0
      )
    )) AS "_cx_s0",
  SUM("t1"."_cx_w" * (
    CAST("t1"."resolved" AS DOUBLE) - CAST(0.75 AS DOUBLE)
  )) FILTER(WHERE
    (
      CAST("t1"."resolved" AS DOUBLE) IS NOT NULL
    )
    AND (
      (
        CAST("t1"."resolved" AS DOUBLE) - CAST("t1"."resolved" AS DOUBLE)
      ) = 0
    )
    AND (
      (
        CAST("t1"."csat" AS DOUBLE) IS NOT NULL
      )
      AND (
        (
          CAST("t1"."csat" AS DOUBLE) - CAST("t1"."csat" AS DOUBLE)
        ) = 0
      )
    )
    AND (
      (
        CAST("t1"."nps" AS DOUBLE) IS NOT NULL
      )
      AND (
        (
          CAST("t1"."nps" AS DOUBLE) - CAST("t1"."nps" AS DOUBLE)
        ) = 0
      )
    )) AS "_cx_s1",
  SUM("t1"."_cx_w" * (
    CAST("t1"."csat" AS DOUBLE) - CAST(3.8 AS DOUBLE)
  )) FILTER(WHERE
    (
      CAST("t1"."resolved" AS DOUBLE) IS NOT NULL
    )
    AND (
      (
        CAST("t1"."resolved" AS DOUBLE) - CAST("t1"."resolved" AS DOUBLE)
      ) = 0
    )
    AND (
      (
        CAST("t1"."csat" AS DOUBLE) IS NOT NULL
      )
      AND (
        (
          CAST("t1"."csat" AS DOUBLE) - CAST("t1"."csat" AS DOUBLE)
        ) = 0
      )
    )
    AND (
      (
        CAST("t1"."nps" AS DOUBLE) IS NOT NULL
      )
      AND (
        (
          CAST("t1"."nps" AS DOUBLE) - CAST("t1"."nps" AS DOUBLE)
        ) = 0
      )
    )) AS "_cx_s2",
  SUM("t1"."_cx_w" * (
    CAST("t1"."nps" AS DOUBLE) - CAST(7.5 AS DOUBLE)
  )) FILTER(WHERE
    (
      CAST("t1"."resolved" AS DOUBLE) IS NOT NULL
    )
    AND (
      (
        CAST("t1"."resolved" AS DOUBLE) - CAST("t1"."resolved" AS DOUBLE)
      ) = 0
    )
    AND (
      (
        CAST("t1"."csat" AS DOUBLE) IS NOT NULL
      )
      AND (
        (
          CAST("t1"."csat" AS DOUBLE) - CAST("t1"."csat" AS DOUBLE)
        ) = 0
      )
    )
    AND (
      (
        CAST("t1"."nps" AS DOUBLE) IS NOT NULL
      )
      AND (
        (
          CAST("t1"."nps" AS DOUBLE) - CAST("t1"."nps" AS DOUBLE)
        ) = 0
      )
    )) AS "_cx_s3",
  SUM(
    "t1"."_cx_w" * (
      CAST("t1"."resolved" AS DOUBLE) - CAST(0.75 AS DOUBLE)
    ) * (
      CAST("t1"."resolved" AS DOUBLE) - CAST(0.75 AS DOUBLE)
    )
  ) FILTER(WHERE
    (
      CAST("t1"."resolved" AS DOUBLE) IS NOT NULL
    )
    AND (
      (
        CAST("t1"."resolved" AS DOUBLE) - CAST("t1"."resolved" AS DOUBLE)
      ) = 0
    )
    AND (
      (
        CAST("t1"."csat" AS DOUBLE) IS NOT NULL
      )
      AND (
        (
          CAST("t1"."csat" AS DOUBLE) - CAST("t1"."csat" AS DOUBLE)
        ) = 0
      )
    )
    AND (
      (
        CAST("t1"."nps" AS DOUBLE) IS NOT NULL
      )
      AND (
        (
          CAST("t1"."nps" AS DOUBLE) - CAST("t1"."nps" AS DOUBLE)
        ) = 0
      )
    )) AS "_cx_s4",
  SUM(
    "t1"."_cx_w" * (
      CAST("t1"."resolved" AS DOUBLE) - CAST(0.75 AS DOUBLE)
    ) * (
      CAST("t1"."csat" AS DOUBLE) - CAST(3.8 AS DOUBLE)
    )
  ) FILTER(WHERE
    (
      CAST("t1"."resolved" AS DOUBLE) IS NOT NULL
    )
    AND (
      (
        CAST("t1"."resolved" AS DOUBLE) - CAST("t1"."resolved" AS DOUBLE)
      ) = 0
    )
    AND (
      (
        CAST("t1"."csat" AS DOUBLE) IS NOT NULL
      )
      AND (
        (
          CAST("t1"."csat" AS DOUBLE) - CAST("t1"."csat" AS DOUBLE)
        ) = 0
      )
    )
    AND (
      (
        CAST("t1"."nps" AS DOUBLE) IS NOT NULL
      )
      AND (
        (
          CAST("t1"."nps" AS DOUBLE) - CAST("t1"."nps" AS DOUBLE)
        ) = 0
      )
    )) AS "_cx_s5",
  SUM(
    "t1"."_cx_w" * (
      CAST("t1"."resolved" AS DOUBLE) - CAST(0.75 AS DOUBLE)
    ) * (
      CAST("t1"."nps" AS DOUBLE) - CAST(7.5 AS DOUBLE)
    )
  ) FILTER(WHERE
    (
      CAST("t1"."resolved" AS DOUBLE) IS NOT NULL
    )
    AND (
      (
        CAST("t1"."resolved" AS DOUBLE) - CAST("t1"."resolved" AS DOUBLE)
      ) = 0
    )
    AND (
      (
        CAST("t1"."csat" AS DOUBLE) IS NOT NULL
      )
      AND (
        (
          CAST("t1"."csat" AS DOUBLE) - CAST("t1"."csat" AS DOUBLE)
        ) = 0
      )
    )
    AND (
      (
        CAST("t1"."nps" AS DOUBLE) IS NOT NULL
      )
      AND (
        (
          CAST("t1"."nps" AS DOUBLE) - CAST("t1"."nps" AS DOUBLE)
        ) = 0
      )
    )) AS "_cx_s6",
  SUM(
    "t1"."_cx_w" * (
      CAST("t1"."csat" AS DOUBLE) - CAST(3.8 AS DOUBLE)
    ) * (
      CAST("t1"."csat" AS DOUBLE) - CAST(3.8 AS DOUBLE)
    )
  ) FILTER(WHERE
    (
      CAST("t1"."resolved" AS DOUBLE) IS NOT NULL
    )
    AND (
      (
        CAST("t1"."resolved" AS DOUBLE) - CAST("t1"."resolved" AS DOUBLE)
      ) = 0
    )
    AND (
      (
        CAST("t1"."csat" AS DOUBLE) IS NOT NULL
      )
      AND (
        (
          CAST("t1"."csat" AS DOUBLE) - CAST("t1"."csat" AS DOUBLE)
        ) = 0
      )
    )
    AND (
      (
        CAST("t1"."nps" AS DOUBLE) IS NOT NULL
      )
      AND (
        (
          CAST("t1"."nps" AS DOUBLE) - CAST("t1"."nps" AS DOUBLE)
        ) = 0
      )
    )) AS "_cx_s7",
  SUM(
    "t1"."_cx_w" * (
      CAST("t1"."csat" AS DOUBLE) - CAST(3.8 AS DOUBLE)
    ) * (
      CAST("t1"."nps" AS DOUBLE) - CAST(7.5 AS DOUBLE)
    )
  ) FILTER(WHERE
    (
      CAST("t1"."resolved" AS DOUBLE) IS NOT NULL
    )
    AND (
      (
        CAST("t1"."resolved" AS DOUBLE) - CAST("t1"."resolved" AS DOUBLE)
      ) = 0
    )
    AND (
      (
        CAST("t1"."csat" AS DOUBLE) IS NOT NULL
      )
      AND (
        (
          CAST("t1"."csat" AS DOUBLE) - CAST("t1"."csat" AS DOUBLE)
        ) = 0
      )
    )
    AND (
      (
        CAST("t1"."nps" AS DOUBLE) IS NOT NULL
      )
      AND (
        (
          CAST("t1"."nps" AS DOUBLE) - CAST("t1"."nps" AS DOUBLE)
        ) = 0
      )
    )) AS "_cx_s8",
  SUM(
    "t1"."_cx_w" * (
      CAST("t1"."nps" AS DOUBLE) - CAST(7.5 AS DOUBLE)
    ) * (
      CAST("t1"."nps" AS DOUBLE) - CAST(7.5 AS DOUBLE)
    )
  ) FILTER(WHERE
    (
      CAST("t1"."resolved" AS DOUBLE) IS NOT NULL
    )
    AND (
      (
        CAST("t1"."resolved" AS DOUBLE) - CAST("t1"."resolved" AS DOUBLE)
      ) = 0
    )
    AND (
      (
        CAST("t1"."csat" AS DOUBLE) IS NOT NULL
      )
      AND (
        (
          CAST("t1"."csat" AS DOUBLE) - CAST("t1"."csat" AS DOUBLE)
        ) = 0
      )
    )
    AND (
      (
        CAST("t1"."nps" AS DOUBLE) IS NOT NULL
      )
      AND (
        (
          CAST("t1"."nps" AS DOUBLE) - CAST("t1"."nps" AS DOUBLE)
        ) = 0
      )
    )) AS "_cx_s9"
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
