-- `loyalty import`. Same tables and meaning as schema/sqlite/0011_imports.sql.
-- Comments never contain a semicolon (statements are separated by them).

CREATE TABLE IF NOT EXISTS import_rows (
  kind VARCHAR(16) NOT NULL,
  row_id VARCHAR(64) NOT NULL,
  hash CHAR(64) NOT NULL,
  import_id VARCHAR(64) NOT NULL,
  line BIGINT NOT NULL,
  imported_at_us BIGINT NOT NULL,
  PRIMARY KEY (kind, row_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS import_events (
  import_id VARCHAR(64) NOT NULL,
  at_us BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  kind INT NOT NULL,
  order_id VARCHAR(64) NOT NULL,
  customer_id VARCHAR(64) NOT NULL,
  line BIGINT NOT NULL,
  amount_won BIGINT NOT NULL,
  shipping_won BIGINT NOT NULL,
  points BIGINT NOT NULL,
  hash VARCHAR(64) NOT NULL,
  PRIMARY KEY (import_id, at_us, seq),
  UNIQUE KEY import_events_by_order (import_id, order_id, kind)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
