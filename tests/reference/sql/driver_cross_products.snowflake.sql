-- compiled by ibis-framework 12.0.0 with sqlglot 30.31.0
SELECT
  "t1"."region",
  "t1"."store",
  SUM(
    IFF(
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
      ),
      "t1"."_cx_w",
      NULL
    )
  ) AS "_cx_s0",
  SUM(
    IFF(
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
      ),
      "t1"."_cx_w" * (
        CAST("t1"."resolved" AS DOUBLE) - 0.75
      ),
      NULL
    )
  ) AS "_cx_s1",
  SUM(
    IFF(
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
      ),
      "t1"."_cx_w" * (
        CAST("t1"."csat" AS DOUBLE) - 3.8
      ),
      NULL
    )
  ) AS "_cx_s2",
  SUM(
    IFF(
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
      ),
      "t1"."_cx_w" * (
        CAST("t1"."nps" AS DOUBLE) - 7.5
      ),
      NULL
    )
  ) AS "_cx_s3",
  SUM(
    IFF(
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
      ),
      "t1"."_cx_w" * (
        CAST("t1"."resolved" AS DOUBLE) - 0.75
      ) * (
        CAST("t1"."resolved" AS DOUBLE) - 0.75
      ),
      NULL
    )
  ) AS "_cx_s4",
  SUM(
    IFF(
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
      ),
      "t1"."_cx_w" * (
        CAST("t1"."resolved" AS DOUBLE) - 0.75
      ) * (
        CAST("t1"."csat" AS DOUBLE) - 3.8
      ),
      NULL
    )
  ) AS "_cx_s5",
  SUM(
    IFF(
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
      ),
      "t1"."_cx_w" * (
        CAST("t1"."resolved" AS DOUBLE) - 0.75
      ) * (
        CAST("t1"."nps" AS DOUBLE) - 7.5
      ),
      NULL
    )
  ) AS "_cx_s6",
  SUM(
    IFF(
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
      ),
      "t1"."_cx_w" * (
        CAST("t1"."csat" AS DOUBLE) - 3.8
      ) * (
        CAST("t1"."csat" AS DOUBLE) - 3.8
      ),
      NULL
    )
  ) AS "_cx_s7",
  SUM(
    IFF(
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
      ),
      "t1"."_cx_w" * (
        CAST("t1"."csat" AS DOUBLE) - 3.8
      ) * (
        CAST("t1"."nps" AS DOUBLE) - 7.5
      ),
      NULL
    )
  ) AS "_cx_s8",
  SUM(
    IFF(
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
      ),
      "t1"."_cx_w" * (
        CAST("t1"."nps" AS DOUBLE) - 7.5
      ) * (
        CAST("t1"."nps" AS DOUBLE) - 7.5
      ),
      NULL
    )
  ) AS "_cx_s9"
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
