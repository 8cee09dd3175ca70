-- Customers by tier. Same index and meaning as schema/sqlite/0012_customers_by_tier.sql, added
-- by one ALTER TABLE (atomic DDL), without IF NOT EXISTS so that it runs on MySQL 8 as well as
-- MariaDB, as 0006 is.
-- Comments never contain a semicolon (statements are separated by them).

ALTER TABLE customers ADD KEY customers_by_tier (tier, customer_id);
