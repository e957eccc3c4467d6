-- compiled by ibis-framework 12.0.0 with sqlglot 30.31.0
SELECT
  `t1`.`region`,
  `t1`.`store`,
  SUM(
    IF(
      (
        CAST(`t1`.`resolved` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t1`.`resolved` AS FLOAT64) - CAST(`t1`.`resolved` AS FLOAT64)
        ) = 0
      )
      AND (
        (
          CAST(`t1`.`csat` AS FLOAT64) IS NOT NULL
        )
        AND (
          (
            CAST(`t1`.`csat` AS FLOAT64) - CAST(`t1`.`csat` AS FLOAT64)
          ) = 0
        )
      )
      AND (
        (
          CAST(`t1`.`nps` AS FLOAT64) IS NOT NULL
        )
        AND (
          (
            CAST(`t1`.`nps` AS FLOAT64) - CAST(`t1`.`nps` AS FLOAT64)
          ) = 0
        )
      ),
      `t1`.`_cx_w`,
      NULL
    )
  ) AS `_cx_s0`,
  SUM(
    IF(
      (
        CAST(`t1`.`resolved` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t1`.`resolved` AS FLOAT64) - CAST(`t1`.`resolved` AS FLOAT64)
        ) = 0
      )
      AND (
        (
          CAST(`t1`.`csat` AS FLOAT64) IS NOT NULL
        )
        AND (
          (
            CAST(`t1`.`csat` AS FLOAT64) - CAST(`t1`.`csat` AS FLOAT64)
          ) = 0
        )
      )
      AND (
        (
          CAST(`t1`.`nps` AS FLOAT64) IS NOT NULL
        )
        AND (
          (
            CAST(`t1`.`nps` AS FLOAT64) - CAST(`t1`.`nps` AS FLOAT64)
          ) = 0
        )
      ),
      `t1`.`_cx_w` * (
        CAST(`t1`.`resolved` AS FLOAT64) - 0.75
      ),
      NULL
    )
  ) AS `_cx_s1`,
  SUM(
    IF(
      (
        CAST(`t1`.`resolved` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t1`.`resolved` AS FLOAT64) - CAST(`t1`.`resolved` AS FLOAT64)
        ) = 0
      )
      AND (
        (
          CAST(`t1`.`csat` AS FLOAT64) IS NOT NULL
        )
        AND (
          (
            CAST(`t1`.`csat` AS FLOAT64) - CAST(`t1`.`csat` AS FLOAT64)
          ) = 0
        )
      )
      AND (
        (
          CAST(`t1`.`nps` AS FLOAT64) IS NOT NULL
        )
        AND (
          (
            CAST(`t1`.`nps` AS FLOAT64) - CAST(`t1`.`nps` AS FLOAT64)
          ) = 0
        )
      ),
      `t1`.`_cx_w` * (
        CAST(`t1`.`csat` AS FLOAT64) - 3.8
      ),
      NULL
    )
  ) AS `_cx_s2`,
  SUM(
    IF(
      (
        CAST(`t1`.`resolved` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t1`.`resolved` AS FLOAT64) - CAST(`t1`.`resolved` AS FLOAT64)
        ) = 0
      )
      AND (
        (
          CAST(`t1`.`csat` AS FLOAT64) IS NOT NULL
        )
        AND (
          (
            CAST(`t1`.`csat` AS FLOAT64) - CAST(`t1`.`csat` AS FLOAT64)
          ) = 0
        )
      )
      AND (
        (
          CAST(`t1`.`nps` AS FLOAT64) IS NOT NULL
        )
        AND (
          (
            CAST(`t1`.`nps` AS FLOAT64) - CAST(`t1`.`nps` AS FLOAT64)
          ) = 0
        )
      ),
      `t1`.`_cx_w` * (
        CAST(`t1`.`nps` AS FLOAT64) - 7.5
      ),
      NULL
    )
  ) AS `_cx_s3`,
  SUM(
    IF(
      (
        CAST(`t1`.`resolved` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t1`.`resolved` AS FLOAT64) - CAST(`t1`.`resolved` AS FLOAT64)
        ) = 0
      )
      AND (
        (
          CAST(`t1`.`csat` AS FLOAT64) IS NOT NULL
        )
        AND (
          (
            CAST(`t1`.`csat` AS FLOAT64) - CAST(`t1`.`csat` AS FLOAT64)
          ) = 0
        )
      )
      AND (
        (
          CAST(`t1`.`nps` AS FLOAT64) IS NOT NULL
        )
        AND (
          (
            CAST(`t1`.`nps` AS FLOAT64) - CAST(`t1`.`nps` AS FLOAT64)
          ) = 0
        )
      ),
      `t1`.`_cx_w` * (
        CAST(`t1`.`resolved` AS FLOAT64) - 0.75
      ) * (
        CAST(`t1`.`resolved` AS FLOAT64) - 0.75
      ),
      NULL
    )
  ) AS `_cx_s4`,
  SUM(
    IF(
      (
        CAST(`t1`.`resolved` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t1`.`resolved` AS FLOAT64) - CAST(`t1`.`resolved` AS FLOAT64)
        ) = 0
      )
      AND (
        (
          CAST(`t1`.`csat` AS FLOAT64) IS NOT NULL
        )
        AND (
          (
            CAST(`t1`.`csat` AS FLOAT64) - CAST(`t1`.`csat` AS FLOAT64)
          ) = 0
        )
      )
      AND (
        (
          CAST(`t1`.`nps` AS FLOAT64) IS NOT NULL
        )
        AND (
          (
            CAST(`t1`.`nps` AS FLOAT64) - CAST(`t1`.`nps` AS FLOAT64)
          ) = 0
        )
      ),
      `t1`.`_cx_w` * (
        CAST(`t1`.`resolved` AS FLOAT64) - 0.75
      ) * (
        CAST(`t1`.`csat` AS FLOAT64) - 3.8
      ),
      NULL
    )
  ) AS `_cx_s5`,
  SUM(
    IF(
      (
        CAST(`t1`.`resolved` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t1`.`resolved` AS FLOAT64) - CAST(`t1`.`resolved` AS FLOAT64)
        ) = 0
      )
      AND (
        (
          CAST(`t1`.`csat` AS FLOAT64) IS NOT NULL
        )
        AND (
          (
            CAST(`t1`.`csat` AS FLOAT64) - CAST(`t1`.`csat` AS FLOAT64)
          ) = 0
        )
      )
      AND (
        (
          CAST(`t1`.`nps` AS FLOAT64) IS NOT NULL
        )
        AND (
          (
            CAST(`t1`.`nps` AS FLOAT64) - CAST(`t1`.`nps` AS FLOAT64)
          ) = 0
        )
      ),
      `t1`.`_cx_w` * (
        CAST(`t1`.`resolved` AS FLOAT64) - 0.75
      ) * (
        CAST(`t1`.`nps` AS FLOAT64) - 7.5
      ),
      NULL
    )
  ) AS `_cx_s6`,
  SUM(
    IF(
      (
        CAST(`t1`.`resolved` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t1`.`resolved` AS FLOAT64) - CAST(`t1`.`resolved` AS FLOAT64)
        ) = 0
      )
      AND (
        (
          CAST(`t1`.`csat` AS FLOAT64) IS NOT NULL
        )
        AND (
          (
            CAST(`t1`.`csat` AS FLOAT64) - CAST(`t1`.`csat` AS FLOAT64)
          ) = 0
        )
      )
      AND (
        (
          CAST(`t1`.`nps` AS FLOAT64) IS NOT NULL
        )
        AND (
          (
            CAST(`t1`.`nps` AS FLOAT64) - CAST(`t1`.`nps` AS FLOAT64)
          ) = 0
        )
      ),
      `t1`.`_cx_w` * (
        CAST(`t1`.`csat` AS FLOAT64) - 3.8
      ) * (
        CAST(`t1`.`csat` AS FLOAT64) - 3.8
      ),
      NULL
    )
  ) AS `_cx_s7`,
  SUM(
    IF(
      (
        CAST(`t1`.`resolved` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t1`.`resolved` AS FLOAT64) - CAST(`t1`.`resolved` AS FLOAT64)
        ) = 0
      )
      AND (
        (
          CAST(`t1`.`csat` AS FLOAT64) IS NOT NULL
        )
        AND (
          (
            CAST(`t1`.`csat` AS FLOAT64) - CAST(`t1`.`csat` AS FLOAT64)
          ) = 0
        )
      )
      AND (
        (
          CAST(`t1`.`nps` AS FLOAT64) IS NOT NULL
        )
        AND (
          (
            CAST(`t1`.`nps` AS FLOAT64) - CAST(`t1`.`nps` AS FLOAT64)
          ) = 0
        )
      ),
      `t1`.`_cx_w` * (
        CAST(`t1`.`csat` AS FLOAT64) - 3.8
      ) * (
        CAST(`t1`.`nps` AS FLOAT64) - 7.5
      ),
      NULL
    )
  ) AS `_cx_s8`,
  SUM(
    IF(
      (
        CAST(`t1`.`resolved` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t1`.`resolved` AS FLOAT64) - CAST(`t1`.`resolved` AS FLOAT64)
        ) = 0
      )
      AND (
        (
          CAST(`t1`.`csat` AS FLOAT64) IS NOT NULL
        )
        AND (
          (
            CAST(`t1`.`csat` AS FLOAT64) - CAST(`t1`.`csat` AS FLOAT64)
          ) = 0
        )
      )
      AND (
        (
          CAST(`t1`.`nps` AS FLOAT64) IS NOT NULL
        )
        AND (
          (
            CAST(`t1`.`nps` AS FLOAT64) - CAST(`t1`.`nps` AS FLOAT64)
          ) = 0
        )
      ),
      `t1`.`_cx_w` * (
        CAST(`t1`.`nps` AS FLOAT64) - 7.5
      ) * (
        CAST(`t1`.`nps` AS FLOAT64) - 7.5
      ),
      NULL
    )
  ) AS `_cx_s9`
FROM (
  SELECT
    `t0`.`response_id`,
    `t0`.`month`,
    `t0`.`channel`,
    `t0`.`region`,
    `t0`.`store`,
    `t0`.`nps`,
    `t0`.`csat`,
    `t0`.`resolved`,
    `t0`.`weight`,
    `t0`.`weight` AS `_cx_w`
  FROM `feedback` AS `t0`
) AS `t1`
GROUP BY
  1,
  2
