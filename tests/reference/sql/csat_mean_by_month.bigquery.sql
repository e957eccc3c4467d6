-- compiled by ibis-framework 12.0.0 with sqlglot 30.31.0
WITH `t1` AS (
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
)
SELECT
  `t7`.`region`,
  `t7`.`store`,
  `t7`.`month`,
  COUNT(*) AS `_cx_n`,
  SUM(CAST(`t7`.`_cx_w` > 0 AS INT64)) AS `_cx_n_pos`,
  SUM(`t7`.`_cx_w`) AS `_cx_sw`,
  SUM(`t7`.`_cx_w` * `t7`.`_cx_w`) AS `_cx_sw2`,
  MIN(`t7`.`_cx_low`) AS `_cx_shift`,
  SUM(
    CAST((
      CAST(`t7`.`csat` AS FLOAT64) IS NOT NULL
    )
    AND (
      (
        CAST(`t7`.`csat` AS FLOAT64) - CAST(`t7`.`csat` AS FLOAT64)
      ) = 0
    ) AS INT64)
  ) AS `_cx_n_y`,
  SUM(
    CAST((
      CAST(`t7`.`csat` AS FLOAT64) IS NOT NULL
    )
    AND (
      (
        CAST(`t7`.`csat` AS FLOAT64) - CAST(`t7`.`csat` AS FLOAT64)
      ) = 0
    )
    AND (
      `t7`.`_cx_w` > 0
    ) AS INT64)
  ) AS `_cx_n_y_pos`,
  SUM(
    IF(
      (
        CAST(`t7`.`csat` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t7`.`csat` AS FLOAT64) - CAST(`t7`.`csat` AS FLOAT64)
        ) = 0
      ),
      `t7`.`_cx_w`,
      NULL
    )
  ) AS `_cx_sw_y`,
  SUM(
    IF(
      (
        CAST(`t7`.`csat` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t7`.`csat` AS FLOAT64) - CAST(`t7`.`csat` AS FLOAT64)
        ) = 0
      ),
      `t7`.`_cx_w` * `t7`.`_cx_w`,
      NULL
    )
  ) AS `_cx_sw2_y`,
  SUM(
    IF(
      (
        CAST(`t7`.`csat` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t7`.`csat` AS FLOAT64) - CAST(`t7`.`csat` AS FLOAT64)
        ) = 0
      ),
      `t7`.`_cx_w` * (
        CAST(`t7`.`csat` AS FLOAT64) - `t7`.`_cx_low`
      ),
      NULL
    )
  ) AS `_cx_swy`,
  SUM(
    IF(
      (
        CAST(`t7`.`csat` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t7`.`csat` AS FLOAT64) - CAST(`t7`.`csat` AS FLOAT64)
        ) = 0
      ),
      `t7`.`_cx_w` * (
        CAST(`t7`.`csat` AS FLOAT64) - `t7`.`_cx_low`
      ) * (
        CAST(`t7`.`csat` AS FLOAT64) - `t7`.`_cx_low`
      ),
      NULL
    )
  ) AS `_cx_swy2`,
  SUM(
    IF(
      (
        CAST(`t7`.`csat` AS FLOAT64) IS NOT NULL
      )
      AND (
        (
          CAST(`t7`.`csat` AS FLOAT64) - CAST(`t7`.`csat` AS FLOAT64)
        ) = 0
      ),
      `t7`.`_cx_w` * CAST(`t7`.`csat` AS FLOAT64),
      NULL
    )
  ) AS `_cx_swy_raw`,
  SUM(
    CAST((
      CAST(`t7`.`csat` AS FLOAT64) IS NOT NULL
    )
    AND (
      (
        CAST(`t7`.`csat` AS FLOAT64) = CAST('Infinity' AS FLOAT64)
      )
      OR (
        CAST(`t7`.`csat` AS FLOAT64) = CAST('-Infinity' AS FLOAT64)
      )
    ) AS INT64)
  ) AS `_cx_n_inf`
FROM (
  SELECT
    `t3`.`response_id`,
    `t3`.`month`,
    `t3`.`channel`,
    `t3`.`region`,
    `t3`.`store`,
    `t3`.`nps`,
    `t3`.`csat`,
    `t3`.`resolved`,
    `t3`.`weight`,
    `t3`.`_cx_w`,
    COALESCE(`t6`.`_cx_low`, 0.0) AS `_cx_low`
  FROM `t1` AS `t3`
  LEFT OUTER JOIN (
    SELECT
      `t4`.`month` AS `_cx_key0`,
      `t4`.`_cx_low`
    FROM (
      SELECT
        `t2`.`month`,
        MIN(
          IF(
            (
              CAST(`t2`.`csat` AS FLOAT64) IS NOT NULL
            )
            AND (
              (
                CAST(`t2`.`csat` AS FLOAT64) - CAST(`t2`.`csat` AS FLOAT64)
              ) = 0
            )
            AND (
              `t2`.`_cx_w` > 0
            ),
            CAST(`t2`.`csat` AS FLOAT64),
            NULL
          )
        ) AS `_cx_low`
      FROM `t1` AS `t2`
      GROUP BY
        1
    ) AS `t4`
  ) AS `t6`
    ON `t3`.`month` IS NOT DISTINCT FROM `t6`.`_cx_key0`
) AS `t7`
GROUP BY
  1,
  2,
  3
