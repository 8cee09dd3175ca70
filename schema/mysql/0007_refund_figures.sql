-- Refund figures reported apart. Same columns, backfill and meaning as
-- schema/sqlite/0007_refund_figures.sql. One ALTER TABLE per table adds both of its columns in
-- one statement (atomic DDL). MySQL commits every statement by itself: each UPDATE reads only
-- columns no later statement changes, so a run stopped half-way and started again gives the
-- same rows.
-- Comments never contain a semicolon (statements are separated by them).

ALTER TABLE refunds
  ADD COLUMN clawback_requested_points BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN restored_expired_points BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders
  ADD COLUMN clawback_requested_points BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN restored_expired_points BIGINT NOT NULL DEFAULT 0;

UPDATE refunds SET clawback_requested_points = clawed_points
  WHERE clawback_requested_points = 0;
UPDATE refunds SET clawed_points = clawback_requested_points - shortfall_points - deduction_won;

UPDATE orders SET clawback_requested_points = earn_clawed_points
  WHERE clawback_requested_points = 0;
UPDATE orders SET earn_clawed_points = clawback_requested_points - shortfall_points -
  COALESCE((SELECT SUM(r.deduction_won) FROM refunds r WHERE r.order_id = orders.order_id), 0);
