-- SQLite has no notifications: relays poll the outbox.
SELECT 1;
