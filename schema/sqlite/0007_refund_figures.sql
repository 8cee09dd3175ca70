-- Refund figures reported apart (docs/ledger.md, "Refunds"): what a clawback asked back, what it
-- actually removed and what was never recovered, and restored points that went back into lots
-- already past their expiry (expired at once, never usable).
-- Until now clawed_points (refunds) and earn_clawed_points (orders) held what was asked back.
-- They become what was removed: the request less the shortfall and less the cash deduction.
-- Each UPDATE reads only columns no later statement changes, so running the file again gives the
-- same rows. Restores made before this migration are all counted usable (the ledger entries
-- still show a restore followed by its expire entry).
-- Comments never contain a semicolon (statements are separated by them).

ALTER TABLE refunds ADD COLUMN clawback_requested_points INTEGER NOT NULL DEFAULT 0;
ALTER TABLE refunds ADD COLUMN restored_expired_points INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN clawback_requested_points INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN restored_expired_points INTEGER NOT NULL DEFAULT 0;

UPDATE refunds SET clawback_requested_points = clawed_points
  WHERE clawback_requested_points = 0;
UPDATE refunds SET clawed_points = clawback_requested_points - shortfall_points - deduction_won;

UPDATE orders SET clawback_requested_points = earn_clawed_points
  WHERE clawback_requested_points = 0;
UPDATE orders SET earn_clawed_points = clawback_requested_points - shortfall_points -
  COALESCE((SELECT SUM(r.deduction_won) FROM refunds r WHERE r.order_id = orders.order_id), 0);
