-- Customers by tier (GET /v1/customers?tier=, `loyalty export customers --tier`): a keyset page
-- of one tier walks this index from the last customer_id of the previous page.
-- Comments never contain a semicolon (statements are separated by them).

CREATE INDEX customers_by_tier ON customers (tier, customer_id);
