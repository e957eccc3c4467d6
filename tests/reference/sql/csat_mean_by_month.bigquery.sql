-- compiled by ibis-framework 12.0.0 with sqlglot 30.30.0
SELECT
  `t1`.`month`,
  COUNT(*) AS `_cx_n`,
  SUM(CAST(`t1`.`_cx_w` > 0 AS INT64)) AS `_cx_n_pos`,
  SUM(`t1`.`_cx_w`) AS `_cx_sw`,
  SUM(`t1`.`_cx_w` * `t1`.`_cx_w`) AS `_cx_sw2`,
  SUM(
    CAST((
      CAST(`t1`.`csat` AS FLOAT64) IS NOT NULL
    )
    AND (
      (
        CAST(`t1`.`csat` AS FLOAT64) - CAST(`t1`.`csat` AS FLOAT64)
      ) = 0
    ) AS INT64)
  ) AS `_cx_n_y`,
  SUM(
    CAST((
      CAST(`t1`.`csat` AS FLOAT64) IS NOT NULL
    )
    AND (
      (
        CAST(`t1`.`csat` AS FLOAT64) - CAST(`t1`.`csat` AS FLOAT64)
      ) = 0
    )
    AND (
      `t1`.`_cx_w` > 0
    ) AS INT64)
  ) AS `_cx_n_y_pos`,
  SUM(
    IF(
      (
        CAST(`t1`.`csat` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t1`.`csat` AS FLOAT64) - CAST(`t1`.`csat` AS FLOAT64)
        ) = 0
      ),
      `t1`.`_cx_w`,
      NULL
    )
  ) AS `_cx_sw_y`,
  SUM(
    IF(
      (
        CAST(`t1`.`csat` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t1`.`csat` AS FLOAT64) - CAST(`t1`.`csat` AS FLOAT64)
        ) = 0
      ),
      `t1`.`_cx_w` * `t1`.`_cx_w`,
      NULL
    )
  ) AS `_cx_sw2_y`,
  SUM(
    IF(
      (
        CAST(`t1`.`csat` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t1`.`csat` AS FLOAT64) - CAST(`t1`.`csat` AS FLOAT64)
        ) = 0
      ),
      `t1`.`_cx_w` * (
        CAST(`t1`.`csat` AS FLOAT64) - 1.0
      ),
      NULL
    )
  ) AS `_cx_swy`,
  SUM(
    IF(
      (
        CAST(`t1`.`csat` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t1`.`csat` AS FLOAT64) - CAST(`t1`.`csat` AS FLOAT64)
        ) = 0
      ),
      `t1`.`_cx_w` * (
        CAST(`t1`.`csat` AS FLOAT64) - 1.0
      ) * (
        CAST(`t1`.`csat` AS FLOAT64) - 1.0
      ),
      NULL
    )
  ) AS `_cx_swy2`,
  SUM(
    IF(
      (
        CAST(`t1`.`csat` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t1`.`csat` AS FLOAT64) - CAST(`t1`.`csat` AS FLOAT64)
        ) = 0
      ),
      `t1`.`_cx_w` * CAST(`t1`.`csat` AS FLOAT64),
      NULL
    )
  ) AS `_cx_swy_raw`,
  SUM(
    CAST((
      CAST(`t1`.`csat` AS FLOAT64) IS NOT NULL
    )
    AND (
      (
        CAST(`t1`.`csat` AS FLOAT64) = CAST('Infinity' AS FLOAT64)
      )
      OR (
        CAST(`t1`.`csat` AS FLOAT64) = CAST('-Infinity' AS FLOAT64)
      )
    ) AS INT64)
  ) AS `_cx_n_inf`,
  SUM(
    IF(
      (
        CAST(`t1`.`csat` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t1`.`csat` AS FLOAT64) - CAST(`t1`.`csat` AS FLOAT64)
        ) = 0
      ),
      `t1`.`_cx_w` * (
        CAST(`t1`.`csat` AS FLOAT64) - 1.0
      ) * `t1`.`_cx_w`,
      NULL
    )
  ) AS `_cx_sw2y`,
  SUM(
    IF(
      (
        CAST(`t1`.`csat` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t1`.`csat` AS FLOAT64) - CAST(`t1`.`csat` AS FLOAT64)
        ) = 0
      ),
      `t1`.`_cx_w` * (
        CAST(`t1`.`csat` AS FLOAT64) - 1.0
      ) * (
        `t1`.`_cx_w` * (
          CAST(`t1`.`csat` AS FLOAT64) - 1.0
        )
      ),
      NULL
    )
  ) AS `_cx_sw2y2`
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
  1
